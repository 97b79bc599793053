package gen

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// DuckDB's CSV sniffer reads a generated file with the intended types, and
// the totals agree with Stats.
func TestDuckDBReadsIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tx.csv.gz")
	st, err := WriteFile(path, Options{Customers: 3000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE tx AS SELECT * FROM read_csv(?, header = true)`, path); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT column_name, column_type FROM (DESCRIBE tx)`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"InvoiceNo", "VARCHAR"}, {"StockCode", "VARCHAR"}, {"Description", "VARCHAR"},
		{"Quantity", "BIGINT"}, {"InvoiceDate", "TIMESTAMP"}, {"UnitPrice", "DOUBLE"},
		{"CustomerID", "BIGINT"}, {"Country", "VARCHAR"}}
	i := 0
	for rows.Next() {
		var name, typ string
		rows.Scan(&name, &typ)
		if i >= len(want) || name != want[i][0] || typ != want[i][1] {
			t.Errorf("column %d: %s %s", i, name, typ)
		}
		i++
	}
	rows.Close()
	var n, invoices, customers int64
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT InvoiceNo), count(DISTINCT CustomerID) FROM tx`).Scan(&n, &invoices, &customers); err != nil {
		t.Fatal(err)
	}
	if n != st.Rows || invoices != st.Invoices || customers != st.Customers {
		t.Errorf("DuckDB counts %d rows, %d invoices, %d customers; Stats %+v", n, invoices, customers, st)
	}
}
