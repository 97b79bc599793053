package gen

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func generate(t testing.TB, opts Options) ([]byte, Stats) {
	t.Helper()
	var b bytes.Buffer
	st, err := Generate(&b, opts)
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), st
}

func TestDeterministic(t *testing.T) {
	a, sa := generate(t, Options{Customers: 500, Seed: 42})
	prev := runtime.GOMAXPROCS(1)
	b, sb := generate(t, Options{Customers: 500, Seed: 42})
	runtime.GOMAXPROCS(prev)
	if sha256.Sum256(a) != sha256.Sum256(b) || sa != sb {
		t.Fatalf("same seed gave different output (%d vs %d bytes, %+v vs %+v)", len(a), len(b), sa, sb)
	}
	c, _ := generate(t, Options{Customers: 500, Seed: 43})
	if bytes.Equal(a, c) {
		t.Fatal("seeds 42 and 43 gave the same bytes")
	}
	// Many 1 MiB buffers pass through the writer goroutine here.
	hash := func() ([32]byte, Stats) {
		h := sha256.New()
		st, err := Generate(h, Options{Customers: 3000, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		return [32]byte(h.Sum(nil)), st
	}
	d, sd := hash()
	e, _ := hash()
	if sd.Rows < 300000 || d != e {
		t.Fatalf("large output not deterministic or too small (%d rows)", sd.Rows)
	}
}

// row is one parsed data line.
type row struct {
	invoice, code, desc string
	qty                 int64
	at                  time.Time
	price               float64
	cust, country       string
}

func parse(t *testing.T, data []byte) []row {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("output is not valid CSV: %v", err)
	}
	if strings.Join(recs[0], ",") != Header {
		t.Fatalf("header %q", recs[0])
	}
	rows := make([]row, 0, len(recs)-1)
	for i, rec := range recs[1:] {
		if len(rec) != 8 {
			t.Fatalf("line %d: %d fields", i+2, len(rec))
		}
		q, err1 := strconv.ParseInt(rec[3], 10, 64)
		at, err2 := time.Parse(time.DateTime, rec[4])
		p, err3 := strconv.ParseFloat(rec[5], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("line %d %q: %v %v %v", i+2, rec, err1, err2, err3)
		}
		if rec[6] != "" {
			if _, err := strconv.Atoi(rec[6]); err != nil {
				t.Fatalf("line %d: customer id %q", i+2, rec[6])
			}
		}
		rows = append(rows, row{rec[0], rec[1], rec[2], q, at, p, rec[6], rec[7]})
	}
	return rows
}

func TestParsesAsCSV(t *testing.T) {
	data, st := generate(t, Options{Customers: 2000, Seed: 1})
	rows := parse(t, data)
	if int64(len(rows)) != st.Rows {
		t.Fatalf("Stats.Rows %d, parsed %d", st.Rows, len(rows))
	}
	invoices := map[string]bool{}
	quoted := 0
	type key struct{ cust, code string }
	bought := map[key]time.Time{} // first purchase of a product by a customer
	prevAt := time.Time{}
	for i, r := range rows {
		invoices[r.invoice] = true
		if strings.ContainsAny(r.desc, ",\"") {
			quoted++
		}
		if r.at.Before(DefaultStart) || r.at.After(DefaultEnd.Add(24*time.Hour)) {
			t.Fatalf("row %d: date %s outside the period", i, r.at)
		}
		if r.at.Before(prevAt) {
			t.Fatalf("row %d: %s before the previous row's %s", i, r.at, prevAt)
		}
		prevAt = r.at
		if r.at.Weekday() == time.Saturday {
			t.Fatalf("row %d: Saturday %s", i, r.at)
		}
		cancel := strings.HasPrefix(r.invoice, "C")
		if cancel != (r.qty < 0) {
			t.Fatalf("row %d: invoice %s with quantity %d", i, r.invoice, r.qty)
		}
		if r.price <= 0 {
			t.Fatalf("row %d: price %v", i, r.price)
		}
		k := key{r.cust, r.code}
		if !cancel {
			if _, ok := bought[k]; !ok {
				bought[k] = r.at
			}
			continue
		}
		// A cancellation reverses a line the same customer bought earlier.
		if first, ok := bought[k]; !ok || !first.Before(r.at) || r.cust == "" {
			t.Fatalf("row %d: cancellation %+v matches no earlier purchase", i, r)
		}
	}
	if int64(len(invoices)) != st.Invoices {
		t.Fatalf("Stats.Invoices %d, distinct invoice numbers %d", st.Invoices, len(invoices))
	}
	if quoted == 0 {
		t.Fatal("no description needed quoting")
	}
}

func TestCustomerMix(t *testing.T) {
	const n = 5000
	data, st := generate(t, Options{Customers: n, Seed: 3})
	rows := parse(t, data)
	type rfm struct {
		last     time.Time
		invoices map[string]bool
		spend    float64
	}
	cust := map[string]*rfm{}
	var cancelRows, guestRows int
	countries := map[string]bool{}
	for _, r := range rows {
		countries[r.country] = true
		if r.cust == "" {
			guestRows++
			continue
		}
		if r.qty < 0 {
			cancelRows++
		}
		c := cust[r.cust]
		if c == nil {
			c = &rfm{invoices: map[string]bool{}}
			cust[r.cust] = c
		}
		c.spend += float64(r.qty) * r.price
		if r.qty > 0 {
			c.invoices[r.invoice] = true
			if r.at.After(c.last) {
				c.last = r.at
			}
		}
	}
	if int64(len(cust)) != st.Customers || len(cust) > n || len(cust) < n*95/100 {
		t.Fatalf("%d distinct customers (Stats %d) of %d", len(cust), st.Customers, n)
	}
	share := func(k int) float64 { return float64(k) / float64(len(rows)) }
	// Proportions the generator aims at; the UCI data has 1.7% cancellation
	// rows and 25% rows without a customer.
	if s := share(cancelRows); s < 0.005 || s > 0.05 {
		t.Errorf("cancellation rows %.2f%%", 100*s)
	}
	if s := share(guestRows); s < 0.05 || s > 0.25 {
		t.Errorf("rows without a customer %.2f%%", 100*s)
	}
	if len(countries) < 8 {
		t.Errorf("only %d countries", len(countries))
	}
	ref := DefaultEnd.Add(24 * time.Hour)
	var champions, lost, oneOff, whales int
	for _, c := range cust {
		days := ref.Sub(c.last).Hours() / 24
		f := len(c.invoices)
		switch {
		case f >= 15 && days <= 20:
			champions++
		case f <= 3 && days >= 200:
			lost++
		}
		if f == 1 {
			oneOff++
		}
		if c.spend > 20000 {
			whales++
		}
	}
	t.Logf("%d customers: %d champions, %d lost, %d one-off, %d spent > 20000; %d rows, %.1f rows/customer",
		len(cust), champions, lost, oneOff, whales, len(rows), float64(len(rows))/n)
	// Bands around the profile weights (champion 8%, lost 25%, wholesale 3%).
	for _, c := range []struct {
		name   string
		got    int
		lo, hi float64
	}{{"champions", champions, 0.04, 0.12}, {"lost", lost, 0.15, 0.40}, {"one-off", oneOff, 0.05, 0.35}, {"spend > 20000", whales, 0.01, 0.10}} {
		if s := float64(c.got) / float64(len(cust)); s < c.lo || s > c.hi {
			t.Errorf("%s: %.1f%% of customers, want %.0f%%..%.0f%%", c.name, 100*s, 100*c.lo, 100*c.hi)
		}
	}
	perCust := float64(len(rows)) / n
	if perCust < RowsPerCustomer*0.85 || perCust > RowsPerCustomer*1.15 {
		t.Errorf("%.1f rows per customer, RowsPerCustomer says %d", perCust, RowsPerCustomer)
	}
}

func TestOptions(t *testing.T) {
	if _, err := Generate(io.Discard, Options{}); err == nil {
		t.Error("zero customers accepted")
	}
	if _, err := Generate(io.Discard, Options{Customers: 1, Start: DefaultEnd, End: DefaultStart}); err == nil {
		t.Error("End before Start accepted")
	}
	// A one-day period and a one-product catalogue still work.
	day := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	data, st := generate(t, Options{Customers: 50, Products: 1, Start: day, End: day})
	rows := parse(t, data)
	if st.Rows == 0 {
		t.Fatal("no rows")
	}
	for _, r := range rows {
		if r.at.Truncate(24*time.Hour) != day {
			t.Fatalf("row at %s outside the one-day period", r.at)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Customers: 300, Seed: 9}
	want, wantSt := generate(t, opts)
	for _, name := range []string{"tx.csv", "tx.csv.gz"} {
		path := filepath.Join(dir, name)
		st, err := WriteFile(path, opts)
		if err != nil || st != wantSt {
			t.Fatalf("%s: %+v %v", name, st, err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = f
		if strings.HasSuffix(name, ".gz") {
			if r, err = gzip.NewReader(f); err != nil {
				t.Fatal(err)
			}
		}
		got, err := io.ReadAll(r)
		f.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: content differs from Generate (%d vs %d bytes, %v)", name, len(got), len(want), err)
		}
	}
	// Failure leaves nothing behind.
	if _, err := WriteFile(filepath.Join(dir, "missing", "x.csv"), opts); err == nil {
		t.Error("write into a missing directory succeeded")
	}
	if _, err := WriteFile(filepath.Join(dir, "bad.csv"), Options{}); err == nil {
		t.Error("invalid options accepted")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("directory holds %d entries, want the 2 files", len(ents))
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, io.ErrShortWrite
	}
	return len(p), nil
}

func TestWriteErrorStopsEarly(t *testing.T) {
	st, err := Generate(&failWriter{n: 2 << 20}, Options{Customers: 100000})
	if err == nil {
		t.Fatal("write error not reported")
	}
	if st.Rows > 500000 {
		t.Errorf("generated %d rows after the writer failed", st.Rows)
	}
}

// TestThroughput measures rows/s for CUSTSEG_GEN_ROWS rows (skipped unless
// set), to io.Discard and to a gzip file.
func TestThroughput(t *testing.T) {
	s := os.Getenv("CUSTSEG_GEN_ROWS")
	if s == "" {
		t.Skip("set CUSTSEG_GEN_ROWS=10000000 to measure")
	}
	rows, _ := strconv.ParseInt(s, 10, 64)
	opts := Options{Customers: CustomersForRows(rows), Seed: 1}
	t0 := time.Now()
	st, err := Generate(io.Discard, opts)
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(t0)
	t.Logf("io.Discard: %d rows in %v: %.2fM rows/s", st.Rows, d, float64(st.Rows)/d.Seconds()/1e6)
	path := filepath.Join(t.TempDir(), "tx.csv.gz")
	t0 = time.Now()
	if st, err = WriteFile(path, opts); err != nil {
		t.Fatal(err)
	}
	d = time.Since(t0)
	fi, _ := os.Stat(path)
	t.Logf("gzip file: %d rows in %v: %.2fM rows/s, %d MB", st.Rows, d, float64(st.Rows)/d.Seconds()/1e6, fi.Size()>>20)
}

func BenchmarkGenerate(b *testing.B) {
	var rows int64
	for b.Loop() {
		st, err := Generate(io.Discard, Options{Customers: 2000, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		rows += st.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
