// Package gen writes realistic synthetic retail transactions in the UCI
// Online Retail CSV layout, for tests, demos and benchmarks at any size.
//
// Customers belong to a few behaviour types (champions, loyal, regular,
// new, at-risk, lost, one-off big spenders, wholesale, and a few who never
// buy) whose recency, frequency and spend differ, so that an RFM
// segmentation of the output finds real structure. Invoices carry several
// lines from a product catalogue with stable prices; about 3% of customer
// invoices are later partly or wholly cancelled (invoice "C" + number,
// negative quantity, same product and price as the original line); about
// 11% of invoices come from guests with no CustomerID.
//
// The output is a pure function of Options: the same seed gives the same
// bytes on every machine and GOMAXPROCS.
package gen

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Header is the first line of every generated file.
const Header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"

// Options controls a generated data set. Zero values take the defaults.
type Options struct {
	Customers int   // customers with an id (required, > 0); a few never buy
	Seed      int64 // same seed, same bytes
	// Start and End are the first and last days on which invoices fall (the
	// time of day is ignored); default 2010-12-01 .. 2011-12-09, the span of
	// the UCI data. End is the reference date for recency.
	Start, End time.Time
	Products   int // catalogue size, default 3000
}

// Stats describes what Generate wrote.
type Stats struct {
	Rows      int64 // data rows, header excluded
	Invoices  int64 // distinct invoice numbers, cancellations included
	Customers int64 // distinct non-empty CustomerIDs
}

// DefaultStart and DefaultEnd bound the UCI Online Retail data.
var (
	DefaultStart = time.Date(2010, 12, 1, 0, 0, 0, 0, time.UTC)
	DefaultEnd   = time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC)
)

// RowsPerCustomer is the average number of rows per customer with the
// default period, measured on 81,000 customers (guests and cancellations
// included). It scales roughly with the length of the period.
const RowsPerCustomer = 122

// CustomersForRows returns the number of customers that gives about rows
// rows with the default period: ⌈rows / RowsPerCustomer⌉.
func CustomersForRows(rows int64) int {
	if rows <= 0 {
		return 1
	}
	return int((rows + RowsPerCustomer - 1) / RowsPerCustomer)
}

// profile is a customer behaviour type. Positions are fractions of the
// period (0 = Start, 1 = End): the first purchase falls in [firstLo,
// firstHi], the last in [lastLo, lastHi] (never before the first).
type profile struct {
	name             string
	weight           float64
	minInv, maxInv   int
	firstLo, firstHi float64
	lastLo, lastHi   float64
	minLines         int
	maxLines         int
	qtyMul           int
	cancelP          float64 // chance an invoice is later cancelled
}

var profiles = []profile{
	{"champion", 8, 10, 40, 0, 0.25, 0.96, 1, 8, 30, 1, 0.03},
	{"loyal", 14, 5, 15, 0, 0.4, 0.85, 1, 5, 25, 1, 0.03},
	{"regular", 20, 2, 6, 0.2, 0.7, 0.7, 1, 3, 20, 1, 0.03},
	{"new", 10, 1, 2, 0.86, 0.97, 0.9, 1, 3, 15, 1, 0.02},
	{"at_risk", 14, 4, 12, 0, 0.3, 0.45, 0.7, 5, 25, 1, 0.03},
	{"lost", 25, 1, 3, 0, 0.3, 0.05, 0.4, 2, 12, 1, 0.03},
	{"big_one_off", 4, 1, 1, 0, 1, 0, 1, 30, 80, 5, 0.05},
	{"wholesale", 3, 8, 25, 0, 0.2, 0.9, 1, 15, 40, 4, 0.08},
	{"never_bought", 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
}

// guest invoices: no CustomerID, anywhere in the period.
var guestProfile = profile{name: "guest", minLines: 3, maxLines: 30, qtyMul: 1}

const (
	guestShare     = 0.12 // guest invoices per customer invoice
	firstInvoiceNo = 536365
	dayMinutes     = 24 * 60
)

// Retail pack sizes and how often they are bought.
var (
	packSizes  = []int64{1, 2, 3, 4, 6, 8, 10, 12, 24, 48}
	packWeight = cumulative([]float64{18, 12, 8, 7, 12, 4, 6, 14, 5, 2})
)

// invoice is one generated invoice; its lines are regenerated from seed when
// written, so nothing per line is held in memory.
type invoice struct {
	minute  int32 // minutes since Start 00:00
	cust    int32 // customer index, -1 for a guest
	ref     int32 // cancellations: index of the cancelled purchase
	lines   uint16
	prof    uint8 // index into profiles, or len(profiles) for a guest
	country uint8
	seed    uint64
}

type line struct {
	prod int32 // catalogue index, -1 for postage
	qty  int64
}

func (o *Options) normalise() error {
	if o.Customers <= 0 {
		return errors.New("gen: Customers must be positive")
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	if o.End.IsZero() {
		o.End = DefaultEnd
	}
	o.Start = time.Date(o.Start.Year(), o.Start.Month(), o.Start.Day(), 0, 0, 0, 0, time.UTC)
	o.End = time.Date(o.End.Year(), o.End.Month(), o.End.Day(), 0, 0, 0, 0, time.UTC)
	if o.End.Before(o.Start) {
		return fmt.Errorf("gen: End %s is before Start %s", o.End.Format(time.DateOnly), o.Start.Format(time.DateOnly))
	}
	if o.Products == 0 {
		o.Products = 3000
	}
	if o.Products < 1 {
		return errors.New("gen: Products must be positive")
	}
	return nil
}

// Generate writes the header and the transactions for opts to w, invoices in
// date order (cancellations interleaved at their own dates).
func Generate(w io.Writer, opts Options) (Stats, error) {
	if err := opts.normalise(); err != nil {
		return Stats{}, err
	}
	g := newGenerator(opts)
	return g.write(w)
}

type generator struct {
	opts      Options
	days      int
	catalog   []product
	prodHead  [][]byte // "code,desc," CSV-encoded
	prodPrice [][]byte // "2.55"
	custIDs   []string
	custCtry  []uint8
	purchases []invoice
	cancels   []invoice
	buyers    int64
	profCum   []float64
	ctryCum   []float64
}

func newGenerator(opts Options) *generator {
	seed := uint64(opts.Seed)
	g := &generator{opts: opts}
	g.days = int(opts.End.Sub(opts.Start).Hours()/24+0.5) + 1
	g.catalog = newCatalog(opts.Products, seed)
	for _, p := range append(g.catalog, postage) {
		g.prodHead = append(g.prodHead, []byte(csvField(p.code)+","+csvField(p.desc)+","))
		g.prodPrice = append(g.prodPrice, appendPence(nil, p.pence))
	}
	w := make([]float64, len(profiles))
	for i, p := range profiles {
		w[i] = p.weight
	}
	g.profCum = cumulative(w)
	w = make([]float64, len(countries))
	for i, c := range countries {
		w[i] = c.weight
	}
	g.ctryCum = cumulative(w)
	g.plan(seed)
	return g
}

// plan draws every customer's type, country and invoice dates, the guest
// invoices and the cancellations, in one fixed order from one stream.
func (g *generator) plan(seed uint64) {
	r := newRNG(seed)
	n := g.opts.Customers
	g.custIDs = make([]string, n)
	g.custCtry = make([]uint8, n)
	next := seed * 0x9e3779b97f4a7c15 // per-invoice seeds: mix(next++), all distinct
	newInvoice := func(minute int, cust int32, prof, ctry uint8, p *profile) invoice {
		next++
		return invoice{minute: int32(minute), cust: cust, ref: -1, prof: prof, country: ctry,
			lines: uint16(r.between(p.minLines, p.maxLines)), seed: mix(next)}
	}
	for c := 0; c < n; c++ {
		g.custIDs[c] = strconv.Itoa(12346 + c)
		pi := r.pickWeighted(g.profCum)
		p := &profiles[pi]
		ctry := uint8(r.pickWeighted(g.ctryCum))
		g.custCtry[c] = ctry
		k := r.between(p.minInv, p.maxInv)
		if k == 0 {
			continue
		}
		g.buyers++
		// The float64(…) conversions around products forbid fused
		// multiply-add (which arm64 would use), so every architecture
		// rounds alike and writes the same bytes.
		first := p.firstLo + float64((p.firstHi-p.firstLo)*r.float64())
		last := max(first, p.lastLo+float64((p.lastHi-p.lastLo)*r.float64()))
		for j := 0; j < k; j++ {
			f := first
			switch {
			case j == k-1 && k > 1:
				f = last
			case j > 0:
				f = first + float64((last-first)*r.float64())
			}
			g.purchases = append(g.purchases, newInvoice(g.minuteAt(&r, f), int32(c), uint8(pi), ctry, p))
		}
	}
	guests := int(float64(len(g.purchases))*guestShare + 0.5)
	for j := 0; j < guests; j++ {
		ctry := uint8(0)
		if r.chance(0.05) {
			ctry = uint8(r.pickWeighted(g.ctryCum))
		}
		g.purchases = append(g.purchases, newInvoice(g.minuteAt(&r, r.float64()), -1, uint8(len(profiles)), ctry, &guestProfile))
	}
	byTime := func(a, b invoice) int {
		if c := cmp.Compare(a.minute, b.minute); c != 0 {
			return c
		}
		return cmp.Compare(a.seed, b.seed)
	}
	slices.SortFunc(g.purchases, byTime)

	end := int32(g.days*dayMinutes - 1)
	for i, inv := range g.purchases {
		if inv.cust < 0 || !r.chance(profiles[inv.prof].cancelP) {
			continue
		}
		// Cancelled the same day or up to two weeks later, in shop hours
		// and within the period.
		m := inv.minute + int32(r.between(10, 120))
		if d := r.intn(15); d > 0 || m%dayMinutes >= 20*60 {
			day := int(inv.minute)/dayMinutes + max(d, 1)
			if g.opts.Start.AddDate(0, 0, day).Weekday() == time.Saturday {
				day++
			}
			m = int32(day*dayMinutes + g.shopMinute(&r))
		}
		if m > end {
			continue
		}
		next++
		c := inv
		c.minute, c.ref, c.seed = m, int32(i), mix(next)
		g.cancels = append(g.cancels, c)
	}
	slices.SortFunc(g.cancels, byTime)
}

// minuteAt turns a position f in [0,1] of the period into a shop-hours
// timestamp (08:00–19:59, busiest early afternoon). Saturdays move to the
// Friday before, since the UCI shop took no orders on Saturdays.
func (g *generator) minuteAt(r *rng, f float64) int {
	day := int(float64(f*float64(g.days-1)) + 0.5) // no FMA: see plan
	if g.opts.Start.AddDate(0, 0, day).Weekday() == time.Saturday {
		if day > 0 {
			day--
		} else if g.days > 1 {
			day++
		}
	}
	return day*dayMinutes + g.shopMinute(r)
}

// shopMinute draws a time of day in 08:00–19:59, peaking around 13:00.
func (g *generator) shopMinute(r *rng) int {
	return (8+r.intn(7)+r.intn(6))*60 + r.intn(60)
}

// linesOf regenerates the lines of a purchase from its seed.
func (g *generator) linesOf(inv *invoice, buf []line) []line {
	r := newRNG(inv.seed)
	p := &guestProfile
	if int(inv.prof) < len(profiles) {
		p = &profiles[inv.prof]
	}
	buf = buf[:0]
	for i := 0; i < int(inv.lines); i++ {
		q := packSizes[r.pickWeighted(packWeight)] * int64(p.qtyMul)
		buf = append(buf, line{prod: int32(pickProduct(&r, len(g.catalog))), qty: q})
	}
	if inv.country != 0 && r.chance(0.5) {
		buf = append(buf, line{prod: -1, qty: int64(r.between(1, 3))})
	}
	return buf
}

// cancelledLines picks which lines of the original a cancellation reverses:
// all of them 30% of the time, otherwise one to three; 20% of the picked
// lines are partly cancelled.
func (g *generator) cancelledLines(c *invoice, orig []line, buf []line) []line {
	r := newRNG(c.seed)
	buf = buf[:0]
	if r.chance(0.3) {
		for _, l := range orig {
			buf = append(buf, line{l.prod, -l.qty})
		}
		return buf
	}
	k := min(len(orig), r.between(1, 3))
	start := r.intn(len(orig))
	for i := 0; i < k; i++ {
		l := orig[(start+i)%len(orig)]
		q := l.qty
		if q > 1 && r.chance(0.2) {
			q = int64(r.between(1, int(q)))
		}
		buf = append(buf, line{l.prod, -q})
	}
	return buf
}

func (g *generator) write(w io.Writer) (Stats, error) {
	out := newPipe(w)
	st := Stats{Customers: g.buyers}
	buf := make([]byte, 0, 1<<20)
	buf = append(buf, Header+"\n"...)
	var orig, lines []line
	var pre, mid, tail []byte
	no := int64(firstInvoiceNo)
	pi, ci := 0, 0
	for pi < len(g.purchases) || ci < len(g.cancels) {
		var inv *invoice
		cancel := false
		if ci < len(g.cancels) && (pi >= len(g.purchases) || g.cancels[ci].minute < g.purchases[pi].minute) {
			inv, cancel = &g.cancels[ci], true
			ci++
		} else {
			inv = &g.purchases[pi]
			pi++
		}
		if cancel {
			orig = g.linesOf(&g.purchases[inv.ref], orig)
			lines = g.cancelledLines(inv, orig, lines)
		} else {
			lines = g.linesOf(inv, lines)
		}
		pre = pre[:0]
		if cancel {
			pre = append(pre, 'C')
		}
		pre = strconv.AppendInt(pre, no, 10)
		pre = append(pre, ',')
		no++
		mid = append(mid[:0], ',')
		mid = g.appendTimestamp(mid, int(inv.minute))
		mid = append(mid, ',')
		tail = append(tail[:0], ',')
		if inv.cust >= 0 {
			tail = append(tail, g.custIDs[inv.cust]...)
		}
		tail = append(tail, ',')
		tail = append(tail, countries[inv.country].name...)
		tail = append(tail, '\n')
		for _, l := range lines {
			p := int(l.prod)
			if p < 0 {
				p = len(g.catalog)
			}
			buf = append(buf, pre...)
			buf = append(buf, g.prodHead[p]...)
			buf = strconv.AppendInt(buf, l.qty, 10)
			buf = append(buf, mid...)
			buf = append(buf, g.prodPrice[p]...)
			buf = append(buf, tail...)
		}
		st.Rows += int64(len(lines))
		st.Invoices++
		if len(buf) > 1<<20-64<<10 {
			var err error
			if buf, err = out.send(buf); err != nil {
				return st, out.close()
			}
		}
	}
	out.send(buf) // an error here is reported by close
	return st, out.close()
}

// appendTimestamp appends "YYYY-MM-DD HH:MM:00".
func (g *generator) appendTimestamp(b []byte, minute int) []byte {
	d := g.opts.Start.AddDate(0, 0, minute/dayMinutes)
	y, m, day := d.Date()
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, int(m))
	b = append(b, '-')
	b = append2(b, day)
	b = append(b, ' ')
	b = append2(b, minute%dayMinutes/60)
	b = append(b, ':')
	b = append2(b, minute%60)
	return append(b, ":00"...)
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
func append4(b []byte, v int) []byte { return append2(append2(b, v/100), v%100) }

// appendPence writes pence as pounds in shortest form: 255 → 2.55,
// 210 → 2.1, 1800 → 18.
func appendPence(b []byte, pence int64) []byte {
	b = strconv.AppendInt(b, pence/100, 10)
	switch c := pence % 100; {
	case c == 0:
	case c%10 == 0:
		b = append(b, '.', byte('0'+c/10))
	default:
		b = append(b, '.', byte('0'+c/10), byte('0'+c%10))
	}
	return b
}

// csvField quotes s per RFC 4180 when it holds a comma, quote or line break.
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// pipe hands filled buffers to a goroutine that writes them, so that
// generating and compressing overlap; the order of bytes is unchanged. Four
// buffers circulate: the generator fills one while the writer drains others.
type pipe struct {
	full   chan []byte
	free   chan []byte
	done   chan error
	failed atomic.Bool
}

func newPipe(w io.Writer) *pipe {
	p := &pipe{full: make(chan []byte, 4), free: make(chan []byte, 4), done: make(chan error, 1)}
	for i := 0; i < 3; i++ {
		p.free <- make([]byte, 0, 1<<20)
	}
	go func() {
		var err error
		for b := range p.full {
			if err == nil {
				if _, err = w.Write(b); err != nil {
					p.failed.Store(true)
				}
			}
			p.free <- b[:0]
		}
		p.done <- err
	}()
	return p
}

// send queues b and returns an empty buffer to fill next. After a write
// error it stops the generator early; close reports the error.
func (p *pipe) send(b []byte) ([]byte, error) {
	if p.failed.Load() {
		return b[:0], errWriteFailed
	}
	p.full <- b
	return <-p.free, nil
}

var errWriteFailed = errors.New("write failed")

// close waits for the queued buffers to be written.
func (p *pipe) close() error {
	close(p.full)
	return <-p.done
}

// WriteFile generates opts into path, gzip-compressed when path ends in
// ".gz". It writes a temporary file in the same directory and renames it
// into place on success, so path never holds a partial file.
func WriteFile(path string, opts Options) (st Stats, err error) {
	if err := opts.normalise(); err != nil {
		return Stats{}, err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return Stats{}, fmt.Errorf("gen: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	var w io.Writer = bw
	var zw *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		zw, _ = gzip.NewWriterLevel(bw, gzip.BestSpeed)
		w = zw
	}
	if st, err = Generate(w, opts); err != nil {
		return st, fmt.Errorf("gen: writing %s: %w", path, err)
	}
	if zw != nil {
		if err = zw.Close(); err != nil {
			return st, fmt.Errorf("gen: writing %s: %w", path, err)
		}
	}
	if err = bw.Flush(); err != nil {
		return st, fmt.Errorf("gen: writing %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return st, fmt.Errorf("gen: %w", err)
	}
	if err = f.Close(); err != nil {
		return st, fmt.Errorf("gen: writing %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return st, fmt.Errorf("gen: %w", err)
	}
	return st, nil
}
