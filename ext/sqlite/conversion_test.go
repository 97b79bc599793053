package sqlite_test

import (
	"fmt"
	"testing"

	"github.com/custseg/custseg/ext/internal/sqltest"
	"github.com/custseg/custseg/udf/catalog"
)

// TestValueConversionAsDuckDB: SQLite converts arguments as DuckDB does
// (ext/duckdb runs the same cases): 155.0 is an integer, '155' is refused
// naming the argument.
func TestValueConversionAsDuckDB(t *testing.T) {
	db := openDB(t)
	sqltest.CheckCases(t, db, sqltest.ConversionCases(rfmSpec))
}

// TestAggregateFeatureLimit: SQLite takes no more features than DuckDB,
// whose C API needs one overload per count (catalog.MaxAggregateFeatures).
func TestAggregateFeatureLimit(t *testing.T) {
	db := openDB(t)
	n := catalog.MaxAggregateFeatures
	sqltest.WantError(t, db, sqltest.TooManyFeatures(), "silhouette: wrong number of arguments: ",
		fmt.Sprintf("got %d, want 2 to %d", n+2, n+1))
}
