package loader

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Target columns a source column can be mapped to (Options.Map keys).
const (
	colInvoiceNo = iota
	colStockCode
	colDescription
	colQuantity
	colInvoiceDate
	colUnitPrice
	colCustomerID
	colCountry
	colAmount // not a table column: quantity = 1, unit_price = amount
	numTargets
)

var targetNames = [numTargets]string{
	"invoice_no", "stock_code", "description", "quantity", "invoice_date",
	"unit_price", "customer_id", "country", "amount",
}

// synonyms are the header names recognised without a Map, compared after
// lower-casing and removing everything but letters and digits, in order of
// preference. They cover UCI Online Retail, Online Retail II, CDNOW and the
// table's own column names.
var synonyms = [numTargets][]string{
	colInvoiceNo:   {"invoiceno", "invoice", "invoicenumber"},
	colStockCode:   {"stockcode"},
	colDescription: {"description"},
	colQuantity:    {"quantity", "qty"},
	colInvoiceDate: {"invoicedate", "date"},
	colUnitPrice:   {"unitprice", "price"},
	colCustomerID:  {"customerid"},
	colCountry:     {"country"},
	colAmount:      {"amount", "dollarvalue"},
}

func normalizeHeader(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// layout says which source field feeds each target column.
type layout struct {
	header []string
	idx    [numTargets]int // field index, -1 when absent
	used   []bool          // per field: read into some target column
	amount bool            // quantity = 1, unit_price = amount
}

// ParseMap reads "column=Header" pairs (the CLI's repeated --map) into the
// form of Options.Map, refusing a malformed pair and a column mapped twice.
func ParseMap(pairs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, p := range pairs {
		col, hdr, ok := strings.Cut(p, "=")
		col = strings.ToLower(strings.TrimSpace(col))
		if !ok || col == "" || strings.TrimSpace(hdr) == "" {
			return nil, fmt.Errorf("map %q: use column=Header, e.g. customer_id=\"Customer ID\"", p)
		}
		if prev, dup := m[col]; dup {
			return nil, fmt.Errorf("map: %s is mapped twice (%q and %q): map each column once", col, prev, hdr)
		}
		m[col] = hdr
	}
	return m, nil
}

// newLayout maps header names to target columns: Map entries first, then
// the recognised synonyms. It fails, naming what is missing and the headers
// found, unless customer_id, invoice_date and either quantity + unit_price
// or amount are present.
func newLayout(header []string, m map[string]string) (*layout, error) {
	l := &layout{header: header}
	for i := range l.idx {
		l.idx[i] = -1
	}
	found := func() string {
		q := make([]string, len(header))
		for i, h := range header {
			q[i] = fmt.Sprintf("%q", h)
		}
		return strings.Join(q, ", ")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t := -1
		for i, n := range targetNames {
			if n == strings.ToLower(strings.TrimSpace(k)) {
				t = i
			}
		}
		if t < 0 {
			return nil, fmt.Errorf("map: unknown column %q: map one of %s", k, strings.Join(targetNames[:], ", "))
		}
		want := m[k]
		at := -1
		for i, h := range header {
			if h == want {
				at = i
				break
			}
		}
		if at < 0 {
			for i, h := range header {
				if normalizeHeader(h) == normalizeHeader(want) && normalizeHeader(want) != "" {
					at = i
					break
				}
			}
		}
		if at < 0 {
			return nil, fmt.Errorf("map: %s = %q: no such header; headers found: %s", targetNames[t], want, found())
		}
		l.idx[t] = at
	}
	used := map[int]bool{}
	for _, i := range l.idx {
		if i >= 0 {
			used[i] = true
		}
	}
	for t := range l.idx {
		if l.idx[t] >= 0 {
			continue
		}
		if _, mapped := m[targetNames[t]]; mapped {
			continue
		}
	syn:
		for _, s := range synonyms[t] {
			for i, h := range header {
				if !used[i] && normalizeHeader(h) == s {
					l.idx[t] = i
					used[i] = true
					break syn
				}
			}
		}
	}
	_, amountMapped := m["amount"]
	hasQP := l.idx[colQuantity] >= 0 && l.idx[colUnitPrice] >= 0
	if l.idx[colAmount] >= 0 && (amountMapped || !hasQP) {
		if amountMapped && (m["quantity"] != "" || m["unit_price"] != "") {
			return nil, fmt.Errorf("map: map either amount or quantity and unit_price, not both")
		}
		if amountMapped && l.idx[colQuantity] >= 0 {
			// An amount means quantity 1: silently dropping a quantity column
			// would under-count every multi-item line.
			return nil, fmt.Errorf("map: amount = %q, but the file has a quantity column %q: an amount loads as quantity 1; map quantity and unit_price instead",
				header[l.idx[colAmount]], header[l.idx[colQuantity]])
		}
		l.amount = true
		l.idx[colQuantity], l.idx[colUnitPrice] = -1, -1
	} else {
		l.idx[colAmount] = -1
	}
	l.used = make([]bool, len(header))
	for _, i := range l.idx {
		if i >= 0 {
			l.used[i] = true
		}
	}
	// A loaded column whose header appears twice is ambiguous: which of the
	// two is the customer id?
	for t, i := range l.idx {
		for j, h := range header {
			if i >= 0 && j != i && strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(header[i])) {
				return nil, fmt.Errorf("header %q appears twice (fields %d and %d) and would be loaded as %s: rename one, or map %s to the other's exact name",
					header[i], min(i, j)+1, max(i, j)+1, targetNames[t], targetNames[t])
			}
		}
	}
	var missing []string
	for _, t := range []int{colCustomerID, colInvoiceDate} {
		if l.idx[t] < 0 {
			missing = append(missing, targetNames[t])
		}
	}
	if !l.amount {
		for _, t := range []int{colQuantity, colUnitPrice} {
			if l.idx[t] < 0 {
				missing = append(missing, targetNames[t])
			}
		}
	}
	if len(missing) > 0 {
		alt := ""
		if !l.amount && (l.idx[colQuantity] < 0 || l.idx[colUnitPrice] < 0) {
			alt = " (or an amount column instead of quantity and unit_price)"
		}
		return nil, fmt.Errorf("missing required columns: %s%s; headers found: %s; name them with a map, e.g. customer_id=\"Customer ID\"",
			strings.Join(missing, ", "), alt, found())
	}
	return l, nil
}

// row is one typed transaction; a false ok field means NULL.
type row struct {
	text   [numTargets]string // invoice_no, stock_code, description, customer_id, country
	textOK [numTargets]bool
	qty    int64
	qtyOK  bool
	date   time.Time
	dateOK bool
	price  float64
	prOK   bool
}

// converter turns records into rows.
type converter struct {
	l     *layout
	enc   encoding
	dates *dateParser
	probs []string
}

// convert fills r from the fields of one record. It returns the reasons the
// record is rejected (every bad column, "; "-joined), or "" when it is good.
func (c *converter) convert(fields []string, r *row) string {
	l := c.l
	if len(fields) != len(l.header) {
		return fmt.Sprintf("expected %d fields, found %d", len(l.header), len(fields))
	}
	c.probs = c.probs[:0]
	var v [numTargets]string
	var ok [numTargets]bool
	for t, i := range l.idx {
		if i < 0 {
			continue
		}
		s, bad, good := decode(c.enc, fields[i])
		if !good {
			c.probs = append(c.probs, fmt.Sprintf("%s: invalid %s byte 0x%02X", targetNames[t], encName(c.enc), bad)+encHint(c.enc))
			continue
		}
		v[t], ok[t] = s, !isMissing(s)
	}
	// A bad byte in a column that is not loaded still rejects the record:
	// it means the file is not in the encoding it is read with.
	for i, used := range l.used {
		if !used {
			if _, bad, good := decode(c.enc, fields[i]); !good {
				c.probs = append(c.probs, fmt.Sprintf("%s (not loaded): invalid %s byte 0x%02X", quoteValue(l.header[i]), encName(c.enc), bad)+encHint(c.enc))
			}
		}
	}
	*r = row{}
	for _, t := range []int{colInvoiceNo, colStockCode, colDescription, colCustomerID, colCountry} {
		r.text[t], r.textOK[t] = v[t], ok[t]
	}
	if ok[colCustomerID] {
		r.text[colCustomerID] = normalizeID(strings.TrimSpace(v[colCustomerID]))
	}
	if ok[colInvoiceNo] {
		r.text[colInvoiceNo] = normalizeID(v[colInvoiceNo])
	}
	if ok[colInvoiceDate] {
		if d, good := c.dates.parse(v[colInvoiceDate]); good {
			r.date, r.dateOK = d, true
		} else {
			c.probs = append(c.probs, fmt.Sprintf("invoice_date: %s is not a date (%s)", quoteValue(v[colInvoiceDate]), c.dateHint()))
		}
	}
	if l.amount {
		r.qty, r.qtyOK = 1, true
		r.price, r.prOK = c.number(colAmount, v[colAmount], ok[colAmount])
	} else {
		if ok[colQuantity] {
			if n, good := parseInt(v[colQuantity]); good {
				r.qty, r.qtyOK = n, true
			} else {
				c.probs = append(c.probs, fmt.Sprintf("quantity: %s is not an integer", quoteValue(v[colQuantity])))
			}
		}
		r.price, r.prOK = c.number(colUnitPrice, v[colUnitPrice], ok[colUnitPrice])
	}
	if l.idx[colInvoiceNo] < 0 && r.textOK[colCustomerID] && r.dateOK {
		// One invoice per customer and day: frequency = distinct purchase days.
		r.text[colInvoiceNo], r.textOK[colInvoiceNo] = r.text[colCustomerID]+"@"+r.date.Format("2006-01-02"), true
	}
	if r.qtyOK && r.prOK && !(math.Abs(float64(r.qty)*r.price) <= MaxLineAmount) {
		c.probs = append(c.probs, fmt.Sprintf("quantity × unit_price = %g × %g is beyond ±%g, surely a data error", float64(r.qty), r.price, MaxLineAmount))
	}
	// NUL bytes are never part of real text and break tools downstream.
	for t, i := range l.idx {
		if i >= 0 && strings.IndexByte(fields[i], 0) >= 0 {
			c.probs = append(c.probs, targetNames[t]+": contains a NUL byte")
		}
	}
	if len(c.probs) == 0 {
		return ""
	}
	return strings.Join(c.probs, "; ")
}

// number parses the present value s of target column t as a finite
// number, noting a problem when it is not one.
func (c *converter) number(t int, s string, present bool) (float64, bool) {
	if !present {
		return 0, false
	}
	f, good := parseFloat(s)
	if !good {
		c.probs = append(c.probs, fmt.Sprintf("%s: %s is not a number", targetNames[t], quoteValue(s)))
	}
	return f, good
}

func (c *converter) dateHint() string {
	if c.dates.layouts[0] != builtinDateLayouts[0] {
		return "expected the layout " + c.dates.layouts[0] + " or e.g. 2010-12-01 08:26:00"
	}
	return "expected e.g. 2010-12-01 08:26:00, 2010-12-01 or 12/1/2010 8:26"
}

func encName(e encoding) string {
	switch e {
	case encLatin1:
		return "Latin-1"
	case encWindows1252:
		return "windows-1252"
	}
	return "UTF-8"
}

func encHint(e encoding) string {
	if e == encUTF8 {
		return " (if the file is Latin-1, load it with encoding latin-1)"
	}
	return ""
}
