package duckdb

import (
	"strings"
	"testing"

	"github.com/custseg/custseg/ext/internal/sqltest"
	"github.com/custseg/custseg/udf/catalog"
)

const rfmSpecJSON = `{"kind":"rfm","recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000]}`

// TestValueConversionAsSQLite: DuckDB converts arguments as SQLite does
// (ext/sqlite runs the same cases): 155.0 is an integer, '155' is refused
// naming the argument.
func TestValueConversionAsSQLite(t *testing.T) {
	db := openDB(t)
	sqltest.CheckCases(t, db, sqltest.ConversionCases(rfmSpecJSON))
	// A VARCHAR column is refused the same way, by the catalog.
	sqltest.CheckCases(t, db, []sqltest.Case{{
		SQL: `SELECT rfm_segment(c) FROM (SELECT '155' AS c) AS t`,
		Err: []string{"rfm_segment: rfm_code must be an integer, got text \"155\""},
	}})
}

// TestAggregateFeatureLimit: at most catalog.MaxAggregateFeatures features;
// beyond, DuckDB's binder finds no overload.
func TestAggregateFeatureLimit(t *testing.T) {
	db := openDB(t)
	_, err := db.Exec(sqltest.TooManyFeatures())
	if err == nil || !strings.Contains(err.Error(), "No function matches") || !strings.Contains(err.Error(), "silhouette") {
		t.Errorf("%d features: err = %v, want DuckDB's binder error for silhouette", catalog.MaxAggregateFeatures+1, err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM duckdb_functions() WHERE function_name = 'silhouette'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != catalog.MaxAggregateFeatures {
		t.Errorf("silhouette has %d overloads, want one per feature count 1..%d", n, catalog.MaxAggregateFeatures)
	}
}
