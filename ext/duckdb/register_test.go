package duckdb

import (
	"database/sql"
	"github.com/custseg/custseg/udf/catalog"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// rfmV1 is a hand-written RFM model: quintile cut points per dimension.
const rfmV1 = `{"kind":"rfm","format":1,"recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000],"customers":50}`

// openDB opens an in-memory DuckDB database with every custseg function.
func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := Register(db); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestRegisterRfmScore(t *testing.T) {
	db := openDB(t)
	var code int64
	// Expected: R = 5 - #cuts below 12 = 4; F = 1 + #cuts below 4 = 4; M = 1 + #cuts below 800 = 4.
	if err := db.QueryRow(`SELECT rfm_score(?, 12, 4, 800)`, rfmV1).Scan(&code); err != nil {
		t.Fatal(err)
	}
	if code != 444 {
		t.Fatalf("rfm_score = %d, want 444", code)
	}
	var seg string
	if err := db.QueryRow(`SELECT rfm_segment(555)`).Scan(&seg); err != nil {
		t.Fatal(err)
	}
	if seg != "Champions" {
		t.Fatalf("rfm_segment(555) = %q", seg)
	}
	// Register twice on the same *sql.DB: a no-op.
	if err := Register(db); err != nil {
		t.Fatal(err)
	}
	_, err := db.Exec(`SELECT rfm_segment(42)`)
	if err == nil || !strings.Contains(err.Error(), "rfm_segment: ") {
		t.Fatalf("rfm_segment(42): err = %v, want an rfm_segment error", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestCatalogExamples runs every function's documented example through
// DuckDB and compares it with the documented result (the SQLite binding
// runs the same check), so each catalog function, psi and psi_bin
// included, is exercised end to end through this binding.
func TestCatalogExamples(t *testing.T) {
	db := openDB(t)
	for _, f := range catalog.All() {
		t.Run(f.Name, func(t *testing.T) {
			q := f.ExampleQuery()
			var got any
			if err := db.QueryRow(q).Scan(&got); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if err := f.CheckExample(got); err != nil {
				t.Error(err)
			}
		})
	}
}
