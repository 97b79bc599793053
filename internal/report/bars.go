// The bar charts of segment sizes and of customer and revenue shares.

package report

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// profilesByID returns the profiles sorted by segment id.
func profilesByID(in *Input) []Profile {
	ps := append([]Profile(nil), in.Profiles...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Segment < ps[j].Segment })
	return ps
}

// nominalRows puts segment names on the Y axis, segment 0 on top, and
// returns the Y position of each profile.
func nominalRows(p *plot.Plot, in *Input, ps []Profile) []float64 {
	pos := make([]float64, len(ps))
	var ticks []plot.Tick
	for i, pr := range ps {
		pos[i] = float64(len(ps) - 1 - i)
		ticks = append(ticks, plot.Tick{Value: pos[i], Label: in.segmentName(pr.Segment)})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.Min, p.Y.Max = -0.6, float64(len(ps))-0.4
	return pos
}

func barHeight(nRows int) vg.Length {
	return vg.Length(math.Max(float64(figH)*0.55, float64(vg.Points(30))*float64(nRows)+float64(vg.Points(80))))
}

// hbar adds one horizontal bar of length v at y.
func hbar(p *plot.Plot, y, v float64, width vg.Length, offset vg.Length, c color.Color) (*plotter.BarChart, error) {
	b, err := plotter.NewBarChart(plotter.Values{v}, width)
	if err != nil {
		return nil, err
	}
	b.Horizontal = true
	b.XMin = y
	b.Offset = offset
	b.Color = c
	b.LineStyle.Width = 0
	p.Add(b)
	return b, nil
}

func drawSizes(dir string, in *Input) (chart, error) {
	c := chart{ID: "sizes", Title: "Segment sizes"}
	if len(in.Profiles) == 0 {
		c.Note = "No segment profiles were given."
		return c, nil
	}
	c.File = SizesFile
	c.Caption = "Customers per segment."
	ps := profilesByID(in)
	p := newPlot("Customers per segment", "customers", "")
	grid(p, true, false)
	pos := nominalRows(p, in, ps)
	bw := barWidth(len(ps))
	maxV := 0.0
	var lxy plotter.XYs
	var labels []string
	for i, pr := range ps {
		if _, err := hbar(p, pos[i], float64(pr.Customers), bw, 0, segColor(pr.Segment)); err != nil {
			return c, err
		}
		maxV = math.Max(maxV, float64(pr.Customers))
		lxy = append(lxy, plotter.XY{X: float64(pr.Customers), Y: pos[i]})
		labels = append(labels, fmt.Sprintf("%d (%.1f%%)", pr.Customers, 100*pr.Share))
	}
	lbl, _ := newLabels(lxy, labels, 9.5, ink)
	for i := range lbl.TextStyle {
		lbl.TextStyle[i].YAlign = text.YCenter
	}
	lbl.Offset.X = vg.Points(4)
	p.Add(lbl)
	p.X.Min, p.X.Max = 0, maxV*1.22 // room for the labels
	return c, savePlot(filepath.Join(dir, c.File), p, figW, barHeight(len(ps)))
}

// barWidth is the thickness of one bar for n rows in a chart of the usual height.
func barWidth(n int) vg.Length {
	return vg.Length(math.Min(float64(vg.Points(22)), float64(barHeight(n))*0.55/float64(max(n, 1))))
}

func drawShares(dir string, in *Input) (chart, error) {
	c := chart{ID: "shares", Title: "Customer and revenue shares"}
	if len(in.Profiles) == 0 {
		c.Note = "No segment profiles were given."
		return c, nil
	}
	c.File = SharesFile
	c.Caption = "Share of customers next to share of revenue per segment: a segment whose revenue bar is longer than " +
		"its customer bar is worth more than its size."
	ps := profilesByID(in)
	p := newPlot("Share of customers and of revenue", "share (%)", "")
	grid(p, true, false)
	pos := nominalRows(p, in, ps)
	bw := barWidth(len(ps)) * 0.75
	custColor := color.NRGBA{0x9d, 0xb4, 0xcc, 0xff}
	revColor := color.NRGBA{0xe1, 0x57, 0x59, 0xff}
	maxV := 0.0
	var custLbl, revLbl plotter.XYLabels
	var legendCust, legendRev *plotter.BarChart
	for i, pr := range ps {
		b1, err := hbar(p, pos[i], 100*pr.Share, bw, bw/2, custColor)
		if err != nil {
			return c, err
		}
		b2, err := hbar(p, pos[i], 100*pr.RevenueShare, bw, -bw/2, revColor)
		if err != nil {
			return c, err
		}
		legendCust, legendRev = b1, b2
		maxV = math.Max(maxV, 100*math.Max(pr.Share, pr.RevenueShare))
		custLbl.XYs = append(custLbl.XYs, plotter.XY{X: 100 * pr.Share, Y: pos[i]})
		custLbl.Labels = append(custLbl.Labels, fmt.Sprintf("%.1f%%", 100*pr.Share))
		revLbl.XYs = append(revLbl.XYs, plotter.XY{X: 100 * pr.RevenueShare, Y: pos[i]})
		revLbl.Labels = append(revLbl.Labels, fmt.Sprintf("%.1f%%", 100*pr.RevenueShare))
	}
	// Each label sits just past the end of its bar, at the bar's centre
	// (customers half a bar above the row, revenue half a bar below).
	for _, part := range []struct {
		l  plotter.XYLabels
		dy vg.Length
	}{{custLbl, bw / 2}, {revLbl, -bw / 2}} {
		l, err := newLabels(part.l.XYs, part.l.Labels, 8.5, ink)
		if err != nil {
			return c, err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].YAlign = text.YCenter
		}
		l.Offset = vg.Point{X: vg.Points(3), Y: part.dy}
		p.Add(l)
	}
	p.X.Min, p.X.Max = 0, maxV*1.18
	leg := newLegend()
	leg.Add("customers", legendCust)
	leg.Add("revenue", legendRev)
	return c, savePNG(filepath.Join(dir, c.File), figW, barHeight(len(ps))*1.1, func(dc draw.Canvas) { drawLegendRight(dc, p, leg) })
}
