// Package retailfixture computes customer features from the UCI Online
// Retail CSV in plain Go, independently of the database engines, so that
// pure-Go tests (k-means, the report) can use real customers and check
// them against the published reference totals.
package retailfixture

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Features reads the gzipped Online Retail CSV at path with the standard
// cleaning (CustomerID present, invoice not a cancellation "C…",
// Quantity > 0, UnitPrice > 0) and returns, per customer in order of first
// appearance, n×3 row-major:
//
//	recency_days = ⌊(as_of − last purchase) / 1 day⌋, as_of = latest kept invoice + 1 day
//	frequency    = distinct invoices
//	monetary     = Σ Quantity · UnitPrice
//
// On the UCI file: 4,338 customers; sums 401,423, 18,532 and 8,911,407.90.
// A missing file is returned as an error satisfying os.IsNotExist.
func Features(path string) (rows []float64, n int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, 0, err
	}
	r := csv.NewReader(gz)
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil { // InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
		return nil, 0, err
	}
	type customer struct {
		last     time.Time
		invoices map[string]struct{}
		monetary float64
	}
	customers := map[string]*customer{}
	var order []string
	var maxDate time.Time
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		inv, qtyS, dateS, priceS, id := rec[0], rec[3], rec[4], rec[5], rec[6]
		if id == "" || strings.HasPrefix(inv, "C") {
			continue
		}
		qty, err1 := strconv.Atoi(qtyS)
		price, err2 := strconv.ParseFloat(priceS, 64)
		date, err3 := time.Parse(time.DateTime, dateS)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, 0, fmt.Errorf("%s line %d: %v %v %v", path, line, err1, err2, err3)
		}
		if qty <= 0 || price <= 0 {
			continue
		}
		c := customers[id]
		if c == nil {
			c = &customer{invoices: map[string]struct{}{}}
			customers[id] = c
			order = append(order, strings.Clone(id))
		}
		if date.After(c.last) {
			c.last = date
		}
		if date.After(maxDate) {
			maxDate = date
		}
		c.invoices[strings.Clone(inv)] = struct{}{}
		c.monetary += float64(qty) * price
	}
	asOf := maxDate.Add(24 * time.Hour)
	rows = make([]float64, 0, 3*len(order))
	for _, id := range order {
		c := customers[id]
		rows = append(rows, math.Floor(asOf.Sub(c.last).Hours()/24), float64(len(c.invoices)), c.monetary)
	}
	return rows, len(order), nil
}
