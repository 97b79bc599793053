package loader

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestSQLiteInsertErrorNamesLine: a row SQLite refuses inside a batch of
// sqliteBatch rows (here a trigger standing for a full disk or a
// constraint) is named by its source line, not by its place in the batch.
func TestSQLiteInsertErrorNamesLine(t *testing.T) {
	db := openDB(t, ".db")
	const badRecord = 2*sqliteBatch + 277 // 1-based record; the header is line 1
	if _, err := db.DB.Exec(`CREATE TRIGGER sink_test_refuse BEFORE INSERT ON transactions
		WHEN NEW.invoice_no = 'REFUSED' BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END`); err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n")
	for i := 1; i <= 3*sqliteBatch; i++ {
		inv := fmt.Sprint(536365 + i)
		if i == badRecord {
			inv = "REFUSED"
		}
		fmt.Fprintf(&csv, "%s,85123A,HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n", inv)
	}
	path := writeFile(t, "refused.csv", csv.String())
	_, err := Load(context.Background(), db.DB, []string{path}, Options{})
	if err == nil {
		t.Fatal("load succeeded, want the trigger's error")
	}
	msg := err.Error()
	want := fmt.Sprintf("line %d: refused by the test trigger", badRecord+1)
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not contain %q", msg, want)
	}
	if strings.Contains(msg, "row 277") || strings.Contains(msg, "custseg_insert_batch") {
		t.Errorf("error %q names the row inside the batch", msg)
	}
	var n int
	if err := db.DB.QueryRow(`SELECT count(*) FROM transactions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("transactions after the failed load: %d rows (err %v), want 0", n, err)
	}
}
