package loader

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/retailfixture"
)

func dataFile(t testing.TB, name string) string { return retailfixture.DataFile(t, name) }

var engines = []struct {
	name string
	ext  string
}{{"duckdb", ".duckdb"}, {"sqlite", ".db"}}

func openDB(t testing.TB, ext string) *engine.DB {
	t.Helper()
	db, err := engine.Open(filepath.Join(t.TempDir(), "t"+ext), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func queryInt(t testing.TB, db *engine.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func queryString(t testing.TB, db *engine.DB, q string, args ...any) string {
	t.Helper()
	var s string
	if err := db.QueryRow(q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// Expected figures come from /work/shared/data/README.md unless noted.
func TestLoadOnlineRetail(t *testing.T) {
	path := dataFile(t, "online_retail.csv.gz")
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			start := time.Now()
			sums, err := Load(context.Background(), db.DB, []string{path}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %v (wall %v)", e.name, sums[0], time.Since(start))
			s := sums[0]
			if s.Records != 541909 || s.Loaded+s.Rejected != s.Records || s.Rejected != 0 {
				t.Errorf("records %d loaded %d rejected %d, want 541909 all loaded", s.Records, s.Loaded, s.Rejected)
			}
			checks := []struct {
				q    string
				want int64
			}{
				{"SELECT count(*) FROM transactions", 541909},
				{"SELECT count(*) FROM transactions WHERE customer_id IS NULL", 135080},
				{"SELECT count(*) FROM transactions WHERE description IS NULL", 1454},
				{"SELECT count(*) FROM transactions WHERE invoice_no LIKE 'C%'", 9288},
				{"SELECT count(DISTINCT invoice_no) FROM transactions", 25900},
				{"SELECT count(DISTINCT customer_id) FROM transactions", 4372},
				{"SELECT count(DISTINCT country) FROM transactions", 38},
				{"SELECT count(*) FROM transactions WHERE quantity <= 0", 10624},
				{"SELECT count(*) FROM transactions WHERE unit_price <= 0", 2517},
				{"SELECT count(*) FROM transactions WHERE invoice_no IN ('581483', 'C581484') AND abs(quantity) = 80995", 2},
				// Sum of Quantity: Python 3 csv module over the same file (sum(int(row[3]))).
				{"SELECT sum(quantity) FROM transactions", 5176450},
				{"SELECT count(*) FROM transactions WHERE invoice_date = (SELECT min(invoice_date) FROM transactions) AND invoice_no = '536365'", 7},
				{"SELECT count(*) FROM load_rejects", 0},
				{"SELECT count(*) FROM load_files WHERE loaded = 541909", 1},
			}
			for _, c := range checks {
				if got := queryInt(t, db, c.q); got != c.want {
					t.Errorf("%s = %d, want %d", c.q, got, c.want)
				}
			}
			// Adjust bad debt: UnitPrice ±11062.06 (README).
			if got := queryString(t, db, "SELECT CAST(round(sum(abs(unit_price)), 2) AS TEXT) FROM transactions WHERE invoice_no LIKE 'A%'"); got != "33186.18" {
				t.Errorf("bad-debt prices = %s, want 33186.18 (3 × 11062.06)", got)
			}
			// Line 873: "RECORD FRAME 7"" SINGLE SIZE " (doubled quote, trailing space).
			if got := queryString(t, db, "SELECT description FROM transactions WHERE invoice_no = '536477' AND stock_code = '22041'"); got != `RECORD FRAME 7" SINGLE SIZE ` {
				t.Errorf("description = %q", got)
			}
			if got := queryString(t, db, "SELECT CAST(min(invoice_date) AS TEXT) || ' ' || CAST(max(invoice_date) AS TEXT) FROM transactions"); got != "2010-12-01 08:26:00 2011-12-09 12:50:00" {
				t.Errorf("date range %q", got)
			}
		})
	}
}

func TestLoadOnlineRetailII(t *testing.T) {
	path := dataFile(t, "online_retail_ii_2009_2010.csv.gz")
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			sums, err := Load(context.Background(), db.DB, []string{path}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(sums[0])
			if s := sums[0]; s.Records != 525461 || s.Loaded != 525461 {
				t.Errorf("%v, want 525461 records all loaded", s)
			}
			for _, c := range []struct {
				q    string
				want int64
			}{
				{"SELECT count(*) FROM transactions", 525461},
				{"SELECT count(DISTINCT customer_id) FROM transactions", 4383},
				{"SELECT count(*) FROM transactions WHERE customer_id IS NULL", 107927},
				{"SELECT count(*) FROM transactions WHERE invoice_no LIKE 'C%'", 10206},
			} {
				if got := queryInt(t, db, c.q); got != c.want {
					t.Errorf("%s = %d, want %d", c.q, got, c.want)
				}
			}
		})
	}
}

func TestLoadCDNOW(t *testing.T) {
	path := dataFile(t, "cdnow_master.csv.gz")
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			// The header is recognised; the map spells out what is recognised.
			sums, err := Load(context.Background(), db.DB, []string{path}, Options{Map: map[string]string{
				"customer_id": "customer_id", "invoice_date": "date", "amount": "dollar_value"}})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(sums[0])
			if s := sums[0]; s.Records != 69659 || s.Loaded != 69659 {
				t.Errorf("%v, want 69659 records all loaded", s)
			}
			for _, c := range []struct {
				q    string
				want int64
			}{
				{"SELECT count(*) FROM transactions", 69659},
				{"SELECT count(DISTINCT customer_id) FROM transactions", 23570},
				{"SELECT count(*) FROM transactions WHERE unit_price = 0", 80},
				{"SELECT count(*) FROM transactions WHERE quantity <> 1", 0},
				// One synthetic invoice per (customer, day): 69,659 rows - 2,068 repeats.
				{"SELECT count(DISTINCT invoice_no) FROM transactions", 69659 - 2068},
				{"SELECT count(*) FROM transactions WHERE invoice_no = '00001@1997-01-01' AND customer_id = '00001'", 1},
			} {
				if got := queryInt(t, db, c.q); got != c.want {
					t.Errorf("%s = %d, want %d", c.q, got, c.want)
				}
			}
			// 00001,1997-01-01,1,11.77 is the first record.
			if got := queryString(t, db, "SELECT CAST(unit_price AS TEXT) FROM transactions WHERE customer_id = '00001'"); got != "11.77" {
				t.Errorf("00001 amount = %s, want 11.77", got)
			}
		})
	}
}

// TestReplaceOnlineRetail reloads the real file with Replace on top of itself:
// the table must hold the file once, not twice.
func TestReplaceOnlineRetail(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the real file twice per engine")
	}
	path := dataFile(t, "online_retail.csv.gz")
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			ctx := context.Background()
			if _, err := Load(ctx, db.DB, []string{path}, Options{}); err != nil {
				t.Fatal(err)
			}
			sums, err := Load(ctx, db.DB, []string{path}, Options{Replace: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(sums[0])
			if sums[0].Replaced != 541909 {
				t.Errorf("replaced %d, want 541909", sums[0].Replaced)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM transactions"); n != 541909 {
				t.Errorf("%d rows after replace, want 541909", n)
			}
			// Python 3 csv module: sum(int(row[3])) over the file.
			if n := queryInt(t, db, "SELECT sum(quantity) FROM transactions"); n != 5176450 {
				t.Errorf("sum(quantity) = %d, want 5176450", n)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM load_files"); n != 1 {
				t.Errorf("%d load_files rows, want 1", n)
			}
		})
	}
}

// TestLoadOnlineRetailWildCopy rewrites the real file the way other copies
// of it circulate (README: US m/d/yyyy h:mm dates, float CustomerIDs, NA for
// missing values, Latin-1 bytes for £, CRLF line ends) and checks that it
// loads to the same figures as the original.
func TestLoadOnlineRetailWildCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("rewrites and loads the real file")
	}
	path := dataFile(t, "online_retail.csv.gz")
	src, err := openSource(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.f.Close()
	out := filepath.Join(t.TempDir(), "wild.csv")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rr := newRecordReader(src.r, DefaultMaxRecordBytes)
	hdr, _ := rr.next()
	w.WriteString(encodeRecord(hdr.fields) + "\r\n")
	pounds := 0
	for {
		rec, err := rr.next()
		if err == io.EOF {
			break
		}
		if err != nil || rec.problem != "" {
			t.Fatal(err, rec.problem)
		}
		fs := append([]string(nil), rec.fields...)
		d, err := time.Parse("2006-01-02 15:04:05", fs[4])
		if err != nil || d.Second() != 0 {
			t.Fatalf("date %q", fs[4])
		}
		fs[4] = d.Format("1/2/2006 15:04")
		if fs[6] != "" {
			fs[6] += ".0"
		}
		for i, v := range fs {
			if v == "" {
				fs[i] = "NA"
			}
			if strings.Contains(v, "£") {
				pounds++
			}
			fs[i] = strings.ReplaceAll(fs[i], "£", "\xa3")
		}
		w.WriteString(encodeRecord(fs) + "\r\n")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			sums, err := Load(context.Background(), db.DB, []string{out}, Options{Encoding: "latin-1"})
			if err != nil {
				t.Fatal(err)
			}
			if s := sums[0]; s.Loaded != 541909 || s.Rejected != 0 {
				t.Errorf("%v, want 541909 loaded", s)
			}
			for _, c := range []struct {
				q    string
				want int64
			}{
				{"SELECT count(*) FROM transactions WHERE customer_id IS NULL", 135080},
				{"SELECT count(*) FROM transactions WHERE description IS NULL", 1454},
				{"SELECT count(DISTINCT customer_id) FROM transactions", 4372},
				{"SELECT count(*) FROM transactions WHERE customer_id LIKE '%.%'", 0},
				{"SELECT count(*) FROM transactions WHERE description LIKE '%£%'", int64(pounds)},
				{"SELECT sum(quantity) FROM transactions", 5176450},
				{"SELECT count(*) FROM transactions WHERE CAST(invoice_date AS TEXT) = '2010-12-01 08:26:00'", 7},
			} {
				if got := queryInt(t, db, c.q); got != c.want {
					t.Errorf("%s = %d, want %d", c.q, got, c.want)
				}
			}
			t.Logf("%d descriptions with £", pounds)
		})
	}
}
