// Package retailfixture computes customer features from the UCI Online
// Retail CSV in plain Go, independently of the database engines, so that
// pure-Go tests (k-means, the report) can use real customers and check
// them against the published reference totals.
package retailfixture

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
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
// Online Retail II has the same columns in the same order under other
// names, so Features reads it too. A missing file is returned as an error
// satisfying os.IsNotExist.
func Features(path string) (rows []float64, n int, err error) {
	return read(path, func(rec []string) (line, error) {
		inv, qtyS, dateS, priceS, id := rec[0], rec[3], rec[4], rec[5], rec[6]
		if id == "" || strings.HasPrefix(inv, "C") {
			return line{}, nil
		}
		qty, err1 := strconv.Atoi(qtyS)
		price, err2 := strconv.ParseFloat(priceS, 64)
		date, err3 := time.Parse(time.DateTime, dateS)
		if err := errors.Join(err1, err2, err3); err != nil {
			return line{}, err
		}
		return line{id: id, invoice: inv, date: date, amount: float64(qty) * price, kept: qty > 0 && price > 0}, nil
	})
}

// CDNOWFeatures reads the gzipped CDNOW CSV (customer_id,date,number_of_cds,
// dollar_value) as custseg's loader does: one invoice per customer and day
// (frequency counts purchase days), the dollar value as the amount, rows
// with amount 0 left out by the cleaning (unit_price > 0); the features
// are those of Features.
func CDNOWFeatures(path string) (rows []float64, n int, err error) {
	return read(path, func(rec []string) (line, error) {
		id, dateS := rec[0], rec[1]
		amount, err1 := strconv.ParseFloat(rec[3], 64)
		date, err2 := time.Parse(time.DateOnly, dateS)
		if err := errors.Join(err1, err2); err != nil {
			return line{}, err
		}
		return line{id: id, invoice: id + "@" + dateS, date: date, amount: amount, kept: amount > 0}, nil
	})
}

// line is one transaction record as read reads it; kept is false for the
// rows the cleaning leaves out.
type line struct {
	id, invoice string
	date        time.Time
	amount      float64
	kept        bool
}

// read aggregates the gzipped CSV at path (header skipped) into the
// features of Features, parse turning each record into a line.
func read(path string, parse func([]string) (line, error)) (rows []float64, n int, err error) {
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
	if _, err := r.Read(); err != nil {
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
	for n := 2; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		l, err := parse(rec)
		if err != nil {
			return nil, 0, fmt.Errorf("%s line %d: %v", path, n, err)
		}
		if !l.kept {
			continue
		}
		c := customers[l.id]
		if c == nil {
			c = &customer{invoices: map[string]struct{}{}}
			customers[strings.Clone(l.id)] = c
			order = append(order, strings.Clone(l.id))
		}
		if l.date.After(c.last) {
			c.last = l.date
		}
		if l.date.After(maxDate) {
			maxDate = l.date
		}
		c.invoices[strings.Clone(l.invoice)] = struct{}{}
		c.monetary += l.amount
	}
	asOf := maxDate.Add(24 * time.Hour)
	rows = make([]float64, 0, 3*len(order))
	for _, id := range order {
		c := customers[id]
		rows = append(rows, math.Floor(asOf.Sub(c.last).Hours()/24), float64(len(c.invoices)), c.monetary)
	}
	return rows, len(order), nil
}
