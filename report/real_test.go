package report

import (
	"compress/gzip"
	"encoding/csv"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custseg/custseg/udf/kmeans"
)

// onlineRetail is the UCI Online Retail data set, seen from this package
// (see /work/shared/data/README.md); it is not part of the repository.
const onlineRetail = "../../shared/data/online_retail.csv.gz"

// retailFeatures reads Online Retail with the standard cleaning (a
// customer id, not a cancellation, quantity > 0, unit price > 0) and
// returns per customer recency_days (whole days from the last purchase to
// one day after the last invoice of the data set), frequency (distinct
// invoices) and monetary (Σ quantity × unit price), n×3 row-major.
func retailFeatures(t *testing.T) ([]float64, int) {
	t.Helper()
	f, err := os.Open(onlineRetail)
	if err != nil {
		t.Skipf("real data not available (%v)", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(gz)
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil { // InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
		t.Fatal(err)
	}
	type acc struct {
		last     time.Time
		invoices map[string]bool
		money    float64
	}
	customers := map[string]*acc{}
	var order []string
	var maxTS time.Time
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		inv, qtyS, dateS, priceS, cust := rec[0], rec[3], rec[4], rec[5], rec[6]
		if cust == "" || strings.HasPrefix(inv, "C") {
			continue
		}
		qty, err1 := strconv.ParseFloat(qtyS, 64)
		price, err2 := strconv.ParseFloat(priceS, 64)
		ts, err3 := time.Parse("2006-01-02 15:04:05", dateS)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("row %v: %v %v %v", rec, err1, err2, err3)
		}
		if ts.After(maxTS) {
			maxTS = ts
		}
		if qty <= 0 || price <= 0 {
			continue
		}
		a := customers[cust]
		if a == nil {
			a = &acc{invoices: map[string]bool{}}
			customers[cust] = a
			order = append(order, cust)
		}
		if ts.After(a.last) {
			a.last = ts
		}
		a.invoices[inv] = true
		a.money += qty * price
	}
	asOf := maxTS.Add(24 * time.Hour)
	rows := make([]float64, 0, 3*len(order))
	for _, c := range order {
		a := customers[c]
		rows = append(rows, math.Floor(asOf.Sub(a.last).Hours()/24), float64(len(a.invoices)), a.money)
	}
	return rows, len(order)
}

// TestRealDataReport draws the report of Online Retail's customers with k
// chosen from 2..8, as `custseg report` would, and checks it like the
// synthetic one. CUSTSEG_REPORT_KEEP_REAL=dir keeps it for viewing.
func TestRealDataReport(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the real-data report (~10 s)")
	}
	rows, n := retailFeatures(t)
	// Reference totals from /work/shared/notes/engines.md (pandas 1.5.3 on the same cleaning):
	// 4,338 customers; recency_days 401,423; frequency 18,532; monetary 8,911,407.90.
	var sums [3]float64
	for i := 0; i < n; i++ {
		for j := range sums {
			sums[j] += rows[3*i+j]
		}
	}
	if n != 4338 || sums[0] != 401423 || sums[1] != 18532 || math.Abs(sums[2]-8911407.90) > 0.01 {
		t.Fatalf("features: %d customers, sums %.2f; want 4338 and 401423, 18532, 8911407.90", n, sums)
	}
	m, _, _, err := kmeans.AutoK(rows, n, features, 2, 8, kmeans.TrainOptions{Seed: 0})
	if err != nil {
		t.Fatal(err)
	}
	in := buildInput(t, rows, n, m)
	in.ModelRef = "online_retail@1"
	in.Meta = map[string]string{"data": "UCI Online Retail, standard cleaning"}
	out := filepath.Join(t.TempDir(), "report")
	if keep := os.Getenv("CUSTSEG_REPORT_KEEP_REAL"); keep != "" {
		out = keep
	}
	index, err := Write(out, in)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, index, allCharts)
	for _, r := range m.KSelection {
		t.Logf("k=%d inertia %.3f silhouette %.4f", r.K, r.Inertia, r.Silhouette)
	}
	t.Logf("chosen k=%d: %s; report in %s", m.K, m.KSelectionReason, out)

	// Eight segments with a fixed k: long names, many bars and legend
	// entries, no k-selection charts.
	m8, err := kmeans.Train(rows, n, features, kmeans.TrainOptions{K: 8, Seed: 0})
	if err != nil {
		t.Fatal(err)
	}
	in8 := buildInput(t, rows, n, m8)
	in8.ModelRef = "online_retail_k8@1"
	out8 := filepath.Join(t.TempDir(), "report8")
	if keep := os.Getenv("CUSTSEG_REPORT_KEEP_REAL"); keep != "" {
		out8 = keep + "8"
	}
	index8, err := Write(out8, in8)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, index8, []string{SizesFile, SharesFile, SilhouetteFile, HeatMapFile, ScatterFile})
	t.Logf("k=8 segments %v; report in %s", m8.SegmentNames, out8)
}
