package loader

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const uciHeader = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"

// TestRecordLimit: a quote left open is cut at the record limit and reading
// resumes at the next line, instead of swallowing the rest of the file.
func TestRecordLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(uciHeader)
	b.WriteString("1,2,ok,1,2010-12-01,1,1,UK\n")
	b.WriteString("2,2,\"open,1,2010-12-01,1,1,UK\n") // line 3: the quote never closes
	for i := 0; i < 200; i++ {
		b.WriteString("3,2,inside the open quote,1,2010-12-01,1,1,United Kingdom\n") // 58 bytes
	}
	b.WriteString("4,2,after,1,2010-12-01,1,1,UK\n")
	f := writeFile(t, "open.csv", b.String())
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			sums, err := Load(context.Background(), db.DB, []string{f}, Options{MaxRecordBytes: 4096})
			if err != nil {
				t.Fatal(err)
			}
			rej := rejects(t, db)
			if len(rej) == 0 || rej[0].line != 3 || !strings.Contains(rej[0].reason, "record longer than 4096 bytes") ||
				!strings.Contains(rej[0].reason, "unterminated quote") {
				t.Fatalf("rejects %+v, want line 3 cut at the 4096-byte limit", rej)
			}
			// 4096 bytes hold the open line (30 bytes) and 70 more lines of
			// 58; the 71st is cut and dropped; the 129 after it and the last
			// line load, with the first.
			if s := sums[0]; s.Loaded != 1+129+1 || s.Rejected != 1 {
				t.Errorf("%v, want 131 loaded and 1 rejected", s)
			}
		})
	}
}

// TestHugeRecordMemory loads, in a child process, a gzip holding an
// unterminated quote followed by 100 MB without a line break, and checks
// the child's peak RSS and that the rejected raw text is cut.
func TestHugeRecordMemory(t *testing.T) {
	if path := os.Getenv("CUSTSEG_HUGE_RECORD_FILE"); path != "" {
		db := openDB(t, ".db")
		sums, err := Load(context.Background(), db.DB, []string{path}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rej := rejects(t, db)
		st, _ := os.ReadFile("/proc/self/status")
		for _, l := range strings.Split(string(st), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				fmt.Printf("peak %s rejected %d raw %d reason %q\n", strings.Join(strings.Fields(l)[1:2], ""), sums[0].Rejected, len(rej[0].raw), rej[0].reason)
			}
		}
		return
	}
	if testing.Short() {
		t.Skip("-short: decompresses 100 MB")
	}
	f := filepath.Join(t.TempDir(), "huge.csv.gz")
	out, err := os.Create(f)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(out)
	bw := bufio.NewWriter(zw)
	bw.WriteString(uciHeader + "1,2,\"open")
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for i := 0; i < 100; i++ {
		bw.Write(chunk)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	out.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHugeRecordMemory$", "-test.v")
	cmd.Env = append(os.Environ(), "CUSTSEG_HUGE_RECORD_FILE="+f)
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, got)
	}
	var peakKB, rejected, raw int
	var reason string
	for _, l := range strings.Split(string(got), "\n") {
		if strings.HasPrefix(l, "peak ") {
			if _, err := fmt.Sscanf(l, "peak %d rejected %d raw %d reason %q", &peakKB, &rejected, &raw, &reason); err != nil {
				t.Fatalf("child line %q: %v", l, err)
			}
		}
	}
	// The child is a whole test binary with both engines linked in: its
	// baseline is tens of MB. Keeping the 100 MB record would exceed 200 MB.
	if peakKB == 0 || peakKB > 200<<10 {
		t.Errorf("child peak RSS %d kB, want below 200 MB\n%s", peakKB, got)
	}
	if rejected != 1 || raw > maxRaw+100 || !strings.Contains(reason, "record longer than "+strconv.Itoa(DefaultMaxRecordBytes)) {
		t.Errorf("rejected %d, raw %d bytes, reason %q", rejected, raw, reason)
	}
	t.Logf("child peak RSS %d kB", peakKB)
}

// TestCROnlyLineEndings: old Mac exports end lines with CR alone.
func TestCROnlyLineEndings(t *testing.T) {
	content := strings.ReplaceAll(uciHeader+"1,2,a,1,2010-12-01,1,7,UK\n2,2,b,3,2010-12-02,2,8,UK\n", "\n", "\r")
	f := writeFile(t, "mac.csv", content)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			sums, err := Load(context.Background(), db.DB, []string{f}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if s := sums[0]; s.Records != 2 || s.Loaded != 2 {
				t.Errorf("%v, want 2 records loaded", s)
			}
		})
	}
}

// TestNoRecordsIsAnError: a file with a header and no record (here: a
// semicolon-separated file read as one column... of nothing) records nothing.
func TestNoRecordsIsAnError(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			before := snapshot(t, db)
			_, err := Load(context.Background(), db.DB, []string{writeFile(t, "h.csv", uciHeader+"\n\n")}, Options{})
			if !errors.Is(err, ErrNoRecords) {
				t.Fatalf("error %v, want ErrNoRecords", err)
			}
			if after := snapshot(t, db); after != before {
				t.Errorf("a failed load changed the database:\n%s", after)
			}
		})
	}
}

// TestHostileValues: values that loaded silently before and now reject
// their record, or load as documented.
func TestHostileValues(t *testing.T) {
	content := uciHeader +
		"1,2,a,1,2010-12-01,1e308,7,UK\n" + // line 2: 1e308 × 1 is beyond MaxLineAmount
		"2,2,b,2,2010-12-01,nan,8,UK\n" + // line 3: nan is missing, as NaN
		"3,2,c,1,2010-12-01,1,9\x00,UK\n" + // line 4: NUL in the customer id
		"4,2,d,1000000,2010-12-01,1e10,10,UK\n" // line 5: 1e16 in total
	f := writeFile(t, "hostile.csv", content)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			sums, err := Load(context.Background(), db.DB, []string{f}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			rej := rejects(t, db)
			want := map[int64]string{2: "beyond ±1e+15", 4: "customer_id: contains a NUL byte", 5: "beyond ±1e+15"}
			if len(rej) != len(want) {
				t.Fatalf("rejects %+v, want lines 2, 4 and 5", rej)
			}
			for _, r := range rej {
				if !strings.Contains(r.reason, want[r.line]) {
					t.Errorf("line %d: reason %q, want it to contain %q", r.line, r.reason, want[r.line])
				}
			}
			got := tableRows(t, db)
			if sums[0].Loaded != 1 || len(got) != 1 || got[0].price != "<null>" {
				t.Errorf("loaded %+v, want the nan line with a NULL price", got)
			}
		})
	}
}

func TestLayoutMistakes(t *testing.T) {
	cases := []struct {
		name    string
		content string
		opts    Options
		want    string
	}{
		{"duplicate loaded header", "InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice,customerid\n1,2,2010-12-01,1,1,3\n", Options{},
			`header "CustomerID" appears twice (fields 2 and 6) and would be loaded as customer_id`},
		{"amount mapped beside a quantity", "Invoice,Customer ID,InvoiceDate,Quantity,UnitPrice\n1,2,2010-12-01,3,1\n",
			Options{Map: map[string]string{"amount": "UnitPrice"}},
			`map: amount = "UnitPrice", but the file has a quantity column "Quantity"`},
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
	// A header repeated in a column that is not loaded is harmless.
	db := openDB(t, ".db")
	if _, err := Load(context.Background(), db.DB, []string{writeFile(t, "ok.csv", uciHeader[:len(uciHeader)-1]+",Note,note\n1,2,a,1,2010-12-01,1,7,UK,x,y\n")}, Options{}); err != nil {
		t.Errorf("repeated unused header: %v", err)
	}
}

func TestParseMap(t *testing.T) {
	m, err := ParseMap([]string{"customer_id=Customer ID", " Amount =dollar_value"})
	if err != nil || m["customer_id"] != "Customer ID" || m["amount"] != "dollar_value" {
		t.Errorf("ParseMap = %v, %v", m, err)
	}
	for _, bad := range [][]string{{"customer_id=a", "customer_id=b"}, {"customer_id="}, {"=x"}, {"nothing"}} {
		if _, err := ParseMap(bad); err == nil {
			t.Errorf("ParseMap(%q) accepted", bad)
		}
	}
	if _, err := ParseMap([]string{"customer_id=a", "CUSTOMER_ID=b"}); err == nil || !strings.Contains(err.Error(), "mapped twice") {
		t.Errorf("duplicate --map: %v", err)
	}
}

func TestTruncatedGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(uciHeader + strings.Repeat("1,2,a,1,2010-12-01,1,7,UK\n", 2000)))
	zw.Close()
	f := writeFile(t, "cut.csv.gz", string(buf.Bytes()[:buf.Len()/2]))
	db := openDB(t, ".duckdb")
	_, err := Load(context.Background(), db.DB, []string{f}, Options{})
	if err == nil || !strings.Contains(err.Error(), "gzip: the compressed file ends early (truncated?)") {
		t.Fatalf("error %v, want a gzip truncation error", err)
	}
}

// TestOverlapSkipped: a row already loaded from another file is skipped by
// default (and kept with KeepDuplicates); a row repeated inside one file is
// kept and counted.
func TestOverlapSkipped(t *testing.T) {
	first := writeFile(t, "a.csv", uciHeader+
		"1,S,x,1,2010-12-01 08:00,2.5,7,UK\n"+
		"2,S,x,1,2010-12-02 08:00,2.5,7,UK\n")
	second := writeFile(t, "b.csv", uciHeader+
		"2,S,other text,1,2010-12-02 08:00,2.5,7,France\n"+ // the same line as a.csv's line 3
		"3,S,x,4,2010-12-03 08:00,1,,UK\n"+
		"3,S,x,4,2010-12-03 08:00,1,,UK\n") // repeated inside b.csv (NULL customer): kept
	for _, e := range engines {
		for _, keep := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/keep=%v", e.name, keep), func(t *testing.T) {
				db := openDB(t, e.ext)
				sums, err := Load(context.Background(), db.DB, []string{first, second}, Options{KeepDuplicates: keep})
				if err != nil {
					t.Fatal(err)
				}
				b := sums[1]
				wantSkipped := int64(1)
				if keep {
					wantSkipped = 0
				}
				if b.Records != 3 || b.Skipped != wantSkipped || b.Loaded != 3-wantSkipped || b.Repeated != 1 {
					t.Errorf("%v: want 3 records, %d skipped, 1 repeated", b, wantSkipped)
				}
				var n, skips int64
				if err := db.QueryRow("SELECT (SELECT count(*) FROM transactions), (SELECT count(*) FROM load_skips WHERE source = ?)", second).Scan(&n, &skips); err != nil {
					t.Fatal(err)
				}
				if n != 5-wantSkipped || skips != wantSkipped {
					t.Errorf("transactions %d, load_skips %d; want %d and %d", n, skips, 5-wantSkipped, wantSkipped)
				}
			})
		}
	}
}

// TestOverlappingRealFiles loads Online Retail II (2009-12..2010-12) and
// Online Retail (2010-12..2011-12), which share 2010-12-01..09: the shared
// days must hold what Online Retail II alone holds, not twice as much.
func TestOverlappingRealFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: loads 1.07M real rows per engine")
	}
	ii, uci := dataFile(t, "online_retail_ii_2009_2010.csv.gz"), dataFile(t, "online_retail.csv.gz")
	const window = "SELECT count(*), round(sum(quantity * unit_price), 2), count(DISTINCT customer_id) FROM transactions WHERE invoice_date >= '2010-12-01' AND invoice_date < '2010-12-10'"
	type stats struct {
		rows, customers int64
		spend           float64
	}
	read := func(t *testing.T, db interface {
		QueryRow(string, ...any) *sql.Row
	}) (s stats) {
		t.Helper()
		if err := db.QueryRow(window).Scan(&s.rows, &s.spend, &s.customers); err != nil {
			t.Fatal(err)
		}
		return s
	}
	alone := openDB(t, ".duckdb")
	if _, err := Load(context.Background(), alone.DB, []string{ii}, Options{}); err != nil {
		t.Fatal(err)
	}
	want := read(t, alone)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db := openDB(t, e.ext)
			sums, err := Load(context.Background(), db.DB, []string{ii, uci}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := read(t, db); got != want {
				t.Errorf("2010-12-01..09 after both files: %+v, Online Retail II alone: %+v", got, want)
			}
			// Every Online Retail row of the shared days is in Online Retail II.
			if s := sums[1]; s.Skipped != want.rows || s.Loaded+s.Rejected+s.Skipped != s.Records {
				t.Errorf("%v: want %d skipped", s, want.rows)
			}
		})
	}
}
