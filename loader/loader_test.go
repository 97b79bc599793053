package loader

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custseg/custseg/internal/engine"
)

const fixtures = "../testdata/loader"

type loadedRow struct {
	invoice, customer, description, date, price string
	quantity                                    int64
}

// tableRows reads transactions back in a form both engines print alike.
func tableRows(t *testing.T, db *engine.DB) []loadedRow {
	t.Helper()
	rows, err := db.Query(`SELECT invoice_no, coalesce(customer_id, '<null>'), coalesce(description, '<null>'),
		coalesce(CAST(invoice_date AS TEXT), '<null>'), coalesce(CAST(unit_price AS TEXT), '<null>'), coalesce(quantity, -999999)
		FROM transactions ORDER BY invoice_no`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []loadedRow
	for rows.Next() {
		var r loadedRow
		if err := rows.Scan(&r.invoice, &r.customer, &r.description, &r.date, &r.price, &r.quantity); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

type rejectRow struct {
	line   int64
	reason string
	raw    string
}

func rejects(t *testing.T, db *engine.DB) []rejectRow {
	t.Helper()
	rows, err := db.Query("SELECT line, reason, raw FROM load_rejects ORDER BY line")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []rejectRow
	for rows.Next() {
		var r rejectRow
		if err := rows.Scan(&r.line, &r.reason, &r.raw); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func gzipTo(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadBadFile loads testdata/loader/bad.csv (see the line numbers in it)
// plain and gzipped under a name without .gz, on both engines.
func TestLoadBadFile(t *testing.T) {
	wantRows := []loadedRow{
		{"536365", "17850", "WHITE HANGING HEART T-LIGHT HOLDER", "2010-12-01 08:26:00", "2.55", 6},
		{"536366", "17850", "HAND WARMER UNION JACK", "2010-12-01 08:28:00", "1.85", 6},
		{"536367", "<null>", "ASSORTED COLOUR BIRD ORNAMENT", "2010-12-01 08:34:00", "1.69", 32},
		{"536372", "17850", "HAND WARMER\nRED POLKA DOT", "2010-12-01 09:01:00", "1.85", 6},
		{"C536375", "<null>", ` PLASTERS IN TIN "CIRCUS PARADE" `, "2010-12-01 09:04:00", "1.65", -12},
	}
	wantRejects := []rejectRow{
		{6, `quantity: "abc" is not an integer`, `536368,22960,"JAM MAKING SET, WITH JARS",abc,2010-12-01 08:34:00,4.25,13047,United Kingdom`},
		{7, `invoice_date: "2010-13-45 08:35:00" is not a date (expected e.g. 2010-12-01 08:26:00, 2010-12-01 or 12/1/2010 8:26)`, ""},
		{8, `unit_price: "x3.75" is not a number`, ""},
		{9, `expected 8 fields, found 7`, ""},
		{12, `description: invalid UTF-8 byte 0xE9 (if the file is Latin-1, load it with encoding latin-1)`, `536373,21068,CAF\xE9 SIGN,1,2010-12-01 09:02:00,NaN,NULL,United Kingdom`},
		{14, `field 3: unexpected text after a closing quote`, ""},
		{16, `expected 8 fields, found 9`, ""},
		{17, `unterminated quoted field: the rest of the file was read as this one record`,
			"536377,22139,\"UNTERMINATED,1,2010-12-01 09:06:00,1,1,United Kingdom\n" +
				"536378,22111,SCOTTIE DOG HOT WATER BOTTLE,3,2010-12-01 09:07:00,4.95,14688,United Kingdom\n" +
				"536379,22112,CHOCOLATE HOT WATER BOTTLE,3,2010-12-01 09:08:00,4.95,14688,United Kingdom"},
	}
	gz := filepath.Join(t.TempDir(), "bad.data")
	gzipTo(t, filepath.Join(fixtures, "bad.csv"), gz)
	for _, e := range engines {
		for _, file := range []string{filepath.Join(fixtures, "bad.csv"), gz} {
			t.Run(e.name+"/"+filepath.Base(file), func(t *testing.T) {
				db := openDB(t, e.ext)
				sums, err := Load(context.Background(), db.DB, []string{file}, Options{})
				if err != nil {
					t.Fatal(err)
				}
				s := sums[0]
				if s.Records != 13 || s.Loaded != 5 || s.Rejected != 8 || s.Blank != 2 {
					t.Errorf("summary %v, want 13 records, 5 loaded, 8 rejected, 2 blank", s)
				}
				got := tableRows(t, db)
				if len(got) != len(wantRows) {
					t.Fatalf("rows %+v, want %+v", got, wantRows)
				}
				for i := range got {
					if got[i] != wantRows[i] {
						t.Errorf("row %d = %+v, want %+v", i, got[i], wantRows[i])
					}
				}
				rej := rejects(t, db)
				if len(rej) != len(wantRejects) {
					t.Fatalf("rejects %+v, want %+v", rej, wantRejects)
				}
				for i, w := range wantRejects {
					if rej[i].line != w.line || rej[i].reason != w.reason || (w.raw != "" && rej[i].raw != w.raw) {
						t.Errorf("reject %d = %+v, want %+v", i, rej[i], w)
					}
				}
				if n := queryInt(t, db, "SELECT count(*) FROM load_rejects WHERE source = ?", file); n != 8 {
					t.Errorf("rejects with source %s: %d, want 8", file, n)
				}
				if n := queryInt(t, db, "SELECT count(*) FROM load_files WHERE loaded = 5 AND rejected = 8 AND blank = 2 AND sha256 = ?", s.SHA256); n != 1 {
					t.Errorf("load_files rows: %d, want 1", n)
				}
			})
		}
	}
}

func TestLoadLatin1(t *testing.T) {
	file := filepath.Join(fixtures, "latin1.csv")
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			if _, err := Load(context.Background(), db.DB, []string{file}, Options{Encoding: "latin-1"}); err != nil {
				t.Fatal(err)
			}
			if got := queryString(t, db, "SELECT description FROM transactions WHERE invoice_no = '489434'"); got != "POUND SIGN £ TIN" {
				t.Errorf("description = %q, want POUND SIGN £ TIN", got)
			}
			// Read as UTF-8 the same bytes are a reject, not a replaced character.
			db2 := openDB(t, e.ext)
			sums, err := Load(context.Background(), db2.DB, []string{file}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if s := sums[0]; s.Loaded != 1 || s.Rejected != 1 {
				t.Errorf("as UTF-8: %v, want 1 loaded 1 rejected", s)
			}
			want := []rejectRow{{2, "description: invalid UTF-8 byte 0xA3 (if the file is Latin-1, load it with encoding latin-1)",
				`489434,21871,POUND SIGN \xA3 TIN,12,2009-12-01 07:45:00,1.25,13085,United Kingdom`}}
			if got := rejects(t, db2); len(got) != 1 || got[0] != want[0] {
				t.Errorf("rejects %+v, want %+v", got, want)
			}
		})
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOptions covers Map, DateFormat (both spellings), windows-1252 and CRLF.
func TestOptions(t *testing.T) {
	cases := []struct {
		name    string
		content string
		opts    Options
		want    []loadedRow
	}{
		{"map and strftime day-first dates, CRLF",
			"inv;x,cust,when,n,each\r\nA1;z,0042.0,01/12/2010 08:26,2,1.5\r\nA2;z,7,\"13/12/2010 10:00\",1,\"2\"\r\n",
			Options{Map: map[string]string{"invoice_no": "inv;x", "customer_id": "CUST", "invoice_date": "when", "quantity": "n", "unit_price": "each"},
				DateFormat: "%d/%m/%Y %H:%M"},
			[]loadedRow{{"A1;z", "0042", "<null>", "2010-12-01 08:26:00", "1.5", 2}, {"A2;z", "7", "<null>", "2010-12-13 10:00:00", "2.0", 1}}},
		{"Go layout, amount without invoice, windows-1252",
			"Customer,Day,Amount,Description\nc1,2011/03/04,9.5,caf\xe9 \x80\nc1,2011/03/04,1,\n",
			Options{Map: map[string]string{"customer_id": "Customer", "invoice_date": "Day"}, DateFormat: "2006/01/02", Encoding: "windows-1252"},
			[]loadedRow{{"c1@2011-03-04", "c1", "café €", "2011-03-04 00:00:00", "9.5", 1}, {"c1@2011-03-04", "c1", "<null>", "2011-03-04 00:00:00", "1.0", 1}}},
	}
	for _, e := range engines {
		for _, c := range cases {
			t.Run(e.name+"/"+c.name, func(t *testing.T) {
				db := openDB(t, e.ext)
				sums, err := Load(context.Background(), db.DB, []string{writeFile(t, "f.csv", c.content)}, c.opts)
				if err != nil {
					t.Fatal(err)
				}
				if sums[0].Rejected != 0 {
					t.Errorf("%v; rejects %+v", sums[0], rejects(t, db))
				}
				got := tableRows(t, db)
				if len(got) != len(c.want) {
					t.Fatalf("rows %+v, want %+v", got, c.want)
				}
				for i := range got {
					w := c.want[i]
					// DuckDB prints 2.0 as "2.0", SQLite as "2.0" too; 1.5 alike.
					if got[i] != w {
						t.Errorf("row %d = %+v, want %+v", i, got[i], w)
					}
				}
			})
		}
	}
}

func TestFatalErrors(t *testing.T) {
	cases := []struct {
		name    string
		content string
		opts    Options
		want    string
	}{
		{"missing columns", "InvoiceNo,Customer,Qty\n1,2,3\n", Options{},
			`missing required columns: customer_id, invoice_date, unit_price (or an amount column instead of quantity and unit_price); headers found: "InvoiceNo", "Customer", "Qty"`},
		{"map to absent header", "a,b\n1,2\n", Options{Map: map[string]string{"customer_id": "Customer ID"}},
			`map: customer_id = "Customer ID": no such header; headers found: "a", "b"`},
		{"unknown map key", "a,b\n1,2\n", Options{Map: map[string]string{"client": "a"}}, `map: unknown column "client"`},
		{"empty file", "\n\n", Options{}, "empty file: no header line"},
		{"bad encoding name", "a\n", Options{Encoding: "ebcdic"}, `unknown encoding "ebcdic"`},
	}
	for _, e := range engines {
		for _, c := range cases {
			t.Run(e.name+"/"+c.name, func(t *testing.T) {
				db := openDB(t, e.ext)
				_, err := Load(context.Background(), db.DB, []string{writeFile(t, "f.csv", c.content)}, c.opts)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("error %v, want it to contain %q", err, c.want)
				}
			})
		}
	}
}

// snapshot is every row of the three load tables, to compare a database
// before and after a failed load.
func snapshot(t *testing.T, db *engine.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT * FROM transactions ORDER BY ALL",
		"SELECT * FROM load_rejects ORDER BY ALL",
		"SELECT source, sha256, loaded, rejected, blank FROM load_files ORDER BY ALL",
	} {
		if db.Kind == engine.SQLite {
			q = strings.Replace(q, "ORDER BY ALL", "ORDER BY 1, 2, 3, 4", 1)
		}
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				b.WriteString(strings.ReplaceAll(anyString(v), "\n", `\n`))
				b.WriteByte('|')
			}
			b.WriteByte('\n')
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

func anyString(v any) string {
	if v == nil {
		return "<nil>"
	}
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

func TestDuplicateAndReplace(t *testing.T) {
	bad := filepath.Join(fixtures, "bad.csv")
	gz := filepath.Join(t.TempDir(), "bad.csv.gz")
	gzipTo(t, bad, gz)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			ctx := context.Background()
			if _, err := Load(ctx, db.DB, []string{filepath.Join(fixtures, "latin1.csv"), bad}, Options{Encoding: "latin-1"}); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, db)
			// The same content, plain or gzipped, is refused and changes nothing.
			for _, f := range []string{bad, gz} {
				_, err := Load(ctx, db.DB, []string{f}, Options{Encoding: "latin-1"})
				if !errors.Is(err, ErrDuplicate) {
					t.Fatalf("second load of %s: %v, want ErrDuplicate", f, err)
				}
				if after := snapshot(t, db); after != before {
					t.Fatalf("refused load changed the database:\n%s\nwant\n%s", after, before)
				}
			}
			// Replace removes the earlier rows and loads the content again.
			sums, err := Load(ctx, db.DB, []string{gz}, Options{Encoding: "latin-1", Replace: true})
			if err != nil {
				t.Fatal(err)
			}
			// As Latin-1, bad.csv line 12 (CAF\xE9) loads: 6 rows, 7 rejects.
			if s := sums[0]; s.Replaced != 6 || s.Loaded != 6 {
				t.Errorf("replace summary %v, want 6 replaced, 6 loaded", s)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM transactions"); n != 8 {
				t.Errorf("%d rows after replace, want 8 (2 latin1 + 6 bad)", n)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM transactions WHERE description = 'CAFé SIGN'"); n != 1 {
				t.Errorf("%d CAFé rows, want 1", n)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM load_rejects"); n != 7 {
				t.Errorf("%d rejects after replace, want 7", n)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM load_rejects WHERE source = ?", gz); n != 7 {
				t.Errorf("%d rejects from %s, want 7", n, gz)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM load_files"); n != 2 {
				t.Errorf("%d load_files rows, want 2", n)
			}
			// Replace with options that read other rows is refused and changes nothing.
			before = snapshot(t, db)
			_, err = Load(ctx, db.DB, []string{bad}, Options{Encoding: "latin-1", Replace: true, DateFormat: "%Y-%d-%m %H:%M:%S"})
			if err == nil || !strings.Contains(err.Error(), "nothing was replaced") {
				t.Fatalf("replace with other rows: %v, want refusal", err)
			}
			if after := snapshot(t, db); after != before {
				t.Fatalf("refused replace changed the database:\n%s\nwant\n%s", after, before)
			}
		})
	}
}

// TestFatalMidLoad: a truncated gzip stream fails after rows were written,
// and a missing second file fails after a first file loaded; both leave the
// database exactly as before.
func TestFatalMidLoad(t *testing.T) {
	dir := t.TempDir()
	var big strings.Builder
	big.WriteString("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n")
	for i := 0; i < 50000; i++ {
		big.WriteString("536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n")
		big.WriteString("536366,22633,bad,x,2010-12-01 08:26:00,2.55,17850,United Kingdom\n")
	}
	plain := filepath.Join(dir, "big.csv")
	os.WriteFile(plain, []byte(big.String()), 0o644)
	gz := filepath.Join(dir, "big.csv.gz")
	gzipTo(t, plain, gz)
	b, _ := os.ReadFile(gz)
	trunc := filepath.Join(dir, "trunc.csv.gz")
	os.WriteFile(trunc, b[:len(b)*3/4], 0o644)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			ctx := context.Background()
			if _, err := Load(ctx, db.DB, []string{filepath.Join(fixtures, "bad.csv")}, Options{}); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, db)
			for _, files := range [][]string{{trunc}, {plain, filepath.Join(dir, "absent.csv")}} {
				_, err := Load(ctx, db.DB, files, Options{})
				if err == nil {
					t.Fatalf("load %v succeeded, want an error", files)
				}
				t.Logf("%v: %v", files, err)
				if after := snapshot(t, db); after != before {
					t.Fatalf("failed load changed the database")
				}
			}
			// A cancelled context is fatal too.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := Load(cctx, db.DB, []string{plain}, Options{}); err == nil {
				t.Fatal("cancelled load succeeded")
			}
			if after := snapshot(t, db); after != before {
				t.Fatalf("cancelled load changed the database")
			}
		})
	}
}

// TestProgress: Options.Progress hears the bytes read of every file (as
// stored: compressed for gzip) out of their total size, never going back,
// ending at the total.
func TestProgress(t *testing.T) {
	db := openDB(t, ".db")
	bad := filepath.Join(fixtures, "bad.csv")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
		"536370,22728,ALARM CLOCK BAKELIKE PINK,24,2010-12-01 08:45:00,3.75,12583,France\n"))
	zw.Close()
	second := filepath.Join(t.TempDir(), "second.csv.gz")
	if err := os.WriteFile(second, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(bad)
	if err != nil {
		t.Fatal(err)
	}
	total := st.Size() + int64(gz.Len())
	var calls [][2]int64
	sums, err := Load(context.Background(), db.DB, []string{bad, second}, Options{Progress: func(done, total int64) {
		calls = append(calls, [2]int64{done, total})
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 {
		t.Fatalf("progress calls %v: want at least one per file", calls)
	}
	sawFirstEnd := false
	for i, c := range calls {
		if c[1] != total || c[0] > total || (i > 0 && c[0] < calls[i-1][0]) {
			t.Fatalf("progress call %d of %v: want done rising to the total %d", i, calls, total)
		}
		sawFirstEnd = sawFirstEnd || c[0] == st.Size()
	}
	if last := calls[len(calls)-1]; last[0] != total || !sawFirstEnd {
		t.Errorf("progress calls %v: want (%d, %d) at the end of the first file and (%d, %d) last", calls, st.Size(), total, total, total)
	}
	if s := sums[0].String(); !strings.Contains(s, "13 records, 5 loaded, 8 rejected, 2 blank lines") {
		t.Errorf("summary %q", s)
	}
	if s := sums[1].String(); !strings.Contains(s, "1 records, 1 loaded, 0 rejected") {
		t.Errorf("summary %q", s)
	}
}

// TestLongReject: an unterminated quote early in a large file makes one
// reject whose raw text is capped.
func TestLongReject(t *testing.T) {
	var b strings.Builder
	b.WriteString("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n")
	b.WriteString("1,2,ok,1,2010-12-01,1,1,UK\n")
	b.WriteString("1,2,\"open,1,2010-12-01,1,1,UK\n")
	for i := 0; i < 5000; i++ {
		b.WriteString("1,2,lost,1,2010-12-01,1,1,United Kingdom\n")
	}
	f := writeFile(t, "long.csv", b.String())
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			sums, err := Load(context.Background(), db.DB, []string{f}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if s := sums[0]; s.Records != 2 || s.Loaded != 1 || s.Rejected != 1 {
				t.Errorf("%v, want 2 records: 1 loaded, 1 rejected", s)
			}
			rej := rejects(t, db)
			if len(rej) != 1 || rej[0].line != 3 || len(rej[0].raw) > maxRaw+100 || !strings.HasSuffix(rej[0].raw, "more bytes not kept]") {
				t.Errorf("reject line %d, raw of %d bytes ending %q", rej[0].line, len(rej[0].raw), rej[0].raw[len(rej[0].raw)-40:])
			}
		})
	}
}

// TestBadByteInIgnoredColumn: a byte invalid in the encoding rejects its
// record even in a column that is not loaded (number_of_cds in CDNOW).
func TestBadByteInIgnoredColumn(t *testing.T) {
	f := writeFile(t, "cdnow.csv", "customer_id,date,number_of_cds,dollar_value\n00001,1997-01-01,1,11.77\n00002,1997-01-12,\xff,12.00\n")
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			sums, err := Load(context.Background(), db.DB, []string{f}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if s := sums[0]; s.Loaded != 1 || s.Rejected != 1 {
				t.Errorf("%v, want 1 loaded, 1 rejected", s)
			}
			want := rejectRow{3, `"number_of_cds" (not loaded): invalid UTF-8 byte 0xFF (if the file is Latin-1, load it with encoding latin-1)`, `00002,1997-01-12,\xFF,12.00`}
			if got := rejects(t, db); len(got) != 1 || got[0] != want {
				t.Errorf("rejects %+v, want %+v", got, want)
			}
		})
	}
}
