package report

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// dpi of the PNGs: twice the CSS pixel density, so charts stay sharp on
// high-density screens while index.html shows them at about 760 px wide.
const dpi = 144

// Figure sizes.
var (
	figW = 16 * vg.Centimeter
	figH = 10 * vg.Centimeter
)

// segmentPalette is Tableau 10: distinguishable, also for most colour-blind
// readers, and calm enough for filled areas. Segments beyond 10 repeat it
// darker.
var segmentPalette = []color.NRGBA{
	{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff}, {0x76, 0xb7, 0xb2, 0xff},
	{0x59, 0xa1, 0x4f, 0xff}, {0xed, 0xc9, 0x48, 0xff}, {0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff},
	{0x9c, 0x75, 0x5f, 0xff}, {0xba, 0xb0, 0xac, 0xff},
}

func segColor(id int) color.NRGBA {
	c := segmentPalette[((id%len(segmentPalette))+len(segmentPalette))%len(segmentPalette)]
	if id >= len(segmentPalette) {
		c.R, c.G, c.B = c.R*2/3, c.G*2/3, c.B*2/3
	}
	return c
}

func withAlpha(c color.NRGBA, a uint8) color.NRGBA { c.A = a; return c }

var (
	gray      = color.NRGBA{0x88, 0x88, 0x88, 0xff}
	lightGray = color.NRGBA{0xdd, 0xdd, 0xdd, 0xff}
	red       = color.NRGBA{0xd6, 0x27, 0x28, 0xff}
	ink       = color.NRGBA{0x22, 0x22, 0x22, 0xff}
)

// sans is Liberation Sans (embedded in gonum/plot, so the PNGs look the
// same on every machine) at size points.
func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
}

// newPlot returns a plot with the report's common style.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(13)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Label.TextStyle.Font = sans(11)
	p.Y.Label.TextStyle.Font = sans(11)
	p.X.Tick.Label.Font = sans(9.5)
	p.Y.Tick.Label.Font = sans(9.5)
	p.Legend.TextStyle.Font = sans(10)
	p.X.Tick.Marker = compactTicks{}
	p.Y.Tick.Marker = compactTicks{}
	return p
}

// newLabels is plotter.NewLabels with the report's font.
func newLabels(xys plotter.XYs, labels []string, size float64, c color.Color) (*plotter.Labels, error) {
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font = sans(size)
		l.TextStyle[i].Color = c
	}
	return l, nil
}

// newLegend returns a legend in the report's font, for drawing beside a plot.
func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = sans(10)
	l.Left = true
	l.Top = true
	l.Padding = vg.Points(5)
	l.ThumbnailWidth = vg.Points(14)
	return l
}

// drawLegendRight draws p with leg in a column of its own on the right, so
// the legend hides no data.
func drawLegendRight(dc draw.Canvas, p *plot.Plot, leg plot.Legend) {
	r := leg.Rectangle(dc)
	lw := r.Max.X - r.Min.X
	p.Draw(draw.Crop(dc, 0, -lw-vg.Points(18), 0, 0))
	right := draw.Crop(dc, dc.Max.X-dc.Min.X-lw-vg.Points(10), 0, 0, -vg.Points(34))
	leg.Draw(right)
}

// compactTicks are gonum's default ticks labelled compactly (2.5k, not 2500.00).
type compactTicks struct{}

func (compactTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = compact(ticks[i].Value)
		}
	}
	return ticks
}

// grid adds light grid lines (vertical, horizontal or both) behind the data.
func grid(p *plot.Plot, vertical, horizontal bool) {
	g := plotter.NewGrid()
	g.Vertical.Color = lightGray
	g.Horizontal.Color = lightGray
	if !vertical {
		g.Vertical.Color = nil
	}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	p.Add(g)
}

// savePNG draws fn onto a w×h canvas and writes it as a PNG.
func savePNG(path string, w, h vg.Length, fn func(dc draw.Canvas)) error {
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	fn(draw.New(c))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func savePlot(path string, p *plot.Plot, w, h vg.Length) error {
	return savePNG(path, w, h, func(dc draw.Canvas) { p.Draw(dc) })
}

// drawAll draws every chart it has data for into dir, in page order:
// charts of about equal height side by side, the wide scatter last.
func drawAll(dir string, in *Input) ([]chart, error) {
	type drawer func(dir string, in *Input) (chart, error)
	var out []chart
	for _, d := range []drawer{drawElbow, drawKSilhouette, drawSizes, drawShares, drawSilhouette, drawHeatMap, drawScatter} {
		c, err := d(dir, in)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", c.Title, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// kTable returns the model's k-selection rows sorted by k, or a note why
// there are none.
func kTable(in *Input) ([]kRow, string) {
	if in.Model == nil {
		return nil, "No model was given."
	}
	if len(in.Model.KSelection) < 2 {
		return nil, fmt.Sprintf("The model was trained with a fixed k = %d, so there is no k-selection table to plot. "+
			"Train with --k auto (the default) to see it.", in.Model.K)
	}
	rows := make([]kRow, 0, len(in.Model.KSelection))
	for _, r := range in.Model.KSelection {
		rows = append(rows, kRow{K: r.K, Inertia: r.Inertia, Silhouette: r.Silhouette})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].K < rows[j].K })
	return rows, ""
}

type kRow struct {
	K                   int
	Inertia, Silhouette float64
}

// kLine draws y over k with the model's chosen k highlighted.
func kLine(path string, rows []kRow, chosen int, y func(kRow) float64, title, yLabel string, format func(float64) string) error {
	p := newPlot(title, "number of segments k", yLabel)
	grid(p, false, true)
	var xys plotter.XYs
	var ticks []plot.Tick
	for _, r := range rows {
		if v := y(r); finite(v) {
			xys = append(xys, plotter.XY{X: float64(r.K), Y: v})
		}
		ticks = append(ticks, plot.Tick{Value: float64(r.K), Label: strconv.Itoa(r.K)})
	}
	if len(xys) == 0 {
		return fmt.Errorf("no finite values")
	}
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	line.Color = segColor(0)
	line.Width = vg.Points(1.8)
	points.Color = segColor(0)
	points.Shape = draw.CircleGlyph{}
	points.Radius = vg.Points(3)
	p.Add(line, points)
	for _, xy := range xys {
		if int(xy.X) != chosen {
			continue
		}
		mark, _ := plotter.NewScatter(plotter.XYs{xy})
		mark.Shape = draw.RingGlyph{}
		mark.Radius = vg.Points(7)
		mark.Color = red
		lbl, _ := newLabels(plotter.XYs{xy}, []string{fmt.Sprintf("chosen k = %d (%s)", chosen, format(xy.Y))}, 9.5, red)
		lbl.Offset = vg.Point{X: vg.Points(9), Y: vg.Points(6)}
		if chosen == rows[len(rows)-1].K {
			lbl.TextStyle[0].XAlign = text.XRight
			lbl.Offset.X = -vg.Points(9)
		}
		p.Add(mark, lbl)
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = float64(rows[0].K)-0.4, float64(rows[len(rows)-1].K)+0.4
	lo, hi := xys[0].Y, xys[0].Y
	for _, xy := range xys {
		lo, hi = math.Min(lo, xy.Y), math.Max(hi, xy.Y)
	}
	pad := math.Max((hi-lo)*0.12, math.Abs(hi)*0.01)
	p.Y.Min, p.Y.Max = lo-pad, hi+pad // room for the "chosen" label
	return savePlot(path, p, figW, figH*0.9)
}

func drawElbow(dir string, in *Input) (chart, error) {
	c := chart{ID: "elbow", Title: "Elbow: inertia over k"}
	rows, note := kTable(in)
	if rows == nil {
		c.Note = note
		return c, nil
	}
	c.File = ElbowFile
	c.Caption = "Within-segment sum of squared distances (scaled units) for each k tried. " +
		"It always falls as k grows; look for the bend after which extra segments buy little."
	err := kLine(filepath.Join(dir, c.File), rows, in.Model.K, func(r kRow) float64 { return r.Inertia },
		"Elbow: inertia over k", "inertia", func(v float64) string { return compact(v) })
	return c, err
}

func drawKSilhouette(dir string, in *Input) (chart, error) {
	c := chart{ID: "k-silhouette", Title: "Silhouette over k"}
	rows, note := kTable(in)
	if rows == nil {
		c.Note = note
		return c, nil
	}
	c.File = KSilhouetteFile
	c.Caption = "Mean silhouette coefficient for each k tried (−1..1; higher means tighter, better separated segments)."
	if in.Model.KSelectionReason != "" {
		c.Caption += " Choice: " + in.Model.KSelectionReason + "."
	}
	err := kLine(filepath.Join(dir, c.File), rows, in.Model.K, func(r kRow) float64 { return r.Silhouette },
		"Silhouette over k", "mean silhouette", func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) })
	return c, err
}

// maxSilhouetteVertices bounds the vertices drawn per segment in the
// silhouette plot; the sorted values are thinned evenly beyond it, which
// keeps the shape (it is a quantile curve).
const maxSilhouetteVertices = 1500

// drawSilhouette draws the classic silhouette plot: per segment, the
// customers' coefficients sorted descending as a filled area, segments
// stacked with a gap, and a dashed red line at the mean.
func drawSilhouette(dir string, in *Input) (chart, error) {
	c := chart{ID: "silhouette", Title: "Silhouette per customer"}
	switch {
	case len(in.Silhouettes) == 0:
		c.Note = "No per-customer silhouette values were given."
		return c, nil
	case len(in.Labels) != len(in.Silhouettes):
		return c, fmt.Errorf("%d silhouette values but %d labels", len(in.Silhouettes), len(in.Labels))
	}
	k := in.segmentCount()
	bySeg := make([][]float64, k)
	var sum float64
	n := 0
	for i, s := range in.Silhouettes {
		l := in.Labels[i]
		if l < 0 || !finite(s) {
			continue
		}
		bySeg[l] = append(bySeg[l], s)
		sum += s
		n++
	}
	if n == 0 {
		c.Note = "No finite silhouette values were given."
		return c, nil
	}
	mean := sum / float64(n)
	c.File = SilhouetteFile
	c.Caption = fmt.Sprintf("Each horizontal line is a customer: how much closer it is to its own segment than to the next one "+
		"(1 = well inside, 0 = on the border, negative = probably in the wrong segment). Dashed red line: the mean, %.3f, over %d customers.", mean, n)

	p := newPlot("Silhouette per customer, by segment", "silhouette coefficient", "")
	grid(p, true, false)
	gap := math.Max(1, float64(n)*0.02)
	// A small segment still gets a slot tall enough for its label: its
	// block keeps its true height, centred in the slot.
	minSlot := float64(n) * 0.045
	y := gap / 2
	minS := 0.0
	var ticks []plot.Tick
	for seg := k - 1; seg >= 0; seg-- { // segment 0 on top, as in the tables
		vals := bySeg[seg]
		if len(vals) == 0 {
			continue
		}
		slices.SortFunc(vals, func(a, b float64) int { return -cmpFloat(a, b) })
		minS = math.Min(minS, vals[len(vals)-1])
		slotTop := y + math.Max(float64(len(vals)), minSlot)
		y += (slotTop - y - float64(len(vals))) / 2
		// Outline from the bottom (smallest value) up, closed along x = 0.
		step := max(1, len(vals)/maxSilhouetteVertices)
		ring := plotter.XYs{{X: 0, Y: y}}
		for i := len(vals) - 1; i >= 0; i -= step {
			yi := y + float64(len(vals)-1-i)
			ring = append(ring, plotter.XY{X: vals[i], Y: yi}, plotter.XY{X: vals[i], Y: yi + 1})
		}
		top := y + float64(len(vals))
		ring = append(ring, plotter.XY{X: vals[0], Y: top}, plotter.XY{X: 0, Y: top})
		poly, err := plotter.NewPolygon(ring)
		if err != nil {
			return c, err
		}
		poly.Color = withAlpha(segColor(seg), 0xd0)
		poly.LineStyle.Color = segColor(seg)
		poly.LineStyle.Width = vg.Points(0.5)
		p.Add(poly)
		ticks = append(ticks, plot.Tick{Value: (y + top) / 2, Label: fmt.Sprintf("%s (%d)", in.segmentName(seg), len(vals))})
		y = slotTop + gap
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.Min, p.Y.Max = 0, y-gap/2+float64(n)*0.07 // room for the mean's label
	p.X.Min, p.X.Max = math.Min(-0.1, math.Floor(minS*10)/10), 1
	var xt []plot.Tick
	for i := int(math.Round(p.X.Min * 10)); i <= 10; i++ {
		t := plot.Tick{Value: float64(i) / 10}
		if i%2 == 0 {
			t.Label = strconv.FormatFloat(t.Value, 'f', 1, 64)
		}
		xt = append(xt, t)
	}
	p.X.Tick.Marker = plot.ConstantTicks(xt)
	meanLine, _ := plotter.NewLine(plotter.XYs{{X: mean, Y: p.Y.Min}, {X: mean, Y: p.Y.Max}})
	meanLine.Color = red
	meanLine.Width = vg.Points(1.5)
	meanLine.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	zero, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: p.Y.Min}, {X: 0, Y: p.Y.Max}})
	zero.Color = gray
	zero.Width = vg.Points(0.7)
	p.Add(zero, meanLine)
	meanLbl, _ := newLabels(plotter.XYs{{X: mean, Y: p.Y.Max}}, []string{fmt.Sprintf("mean %.3f", mean)}, 9.5, red)
	meanLbl.TextStyle[0].YAlign = text.YTop
	meanLbl.Offset = vg.Point{X: vg.Points(4), Y: -vg.Points(3)}
	p.Add(meanLbl)
	h := figH * 0.9
	if k > 6 {
		h = figH * 1.2
	}
	return c, savePlot(filepath.Join(dir, c.File), p, figW, h)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

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

// scatterAxes picks the scatter's two features.
func scatterAxes(in *Input) (names []string, xi, yi int, note string) {
	names = in.PointFeatures
	if len(names) == 0 && in.Model != nil {
		names = in.Model.Features
	}
	if len(names) < 2 {
		return names, -1, -1, "The scatter plot needs points with at least two named features."
	}
	find := func(want string) int {
		for i, n := range names {
			if n == want {
				return i
			}
		}
		return -1
	}
	xi, yi = find(in.ScatterX), find(in.ScatterY)
	if in.ScatterX != "" && xi < 0 {
		return names, -1, -1, fmt.Sprintf("Scatter feature %q is not among the point features %v.", in.ScatterX, names)
	}
	if in.ScatterY != "" && yi < 0 {
		return names, -1, -1, fmt.Sprintf("Scatter feature %q is not among the point features %v.", in.ScatterY, names)
	}
	if xi < 0 {
		if xi = find("frequency"); xi < 0 || xi == yi {
			xi = 0
			if xi == yi {
				xi = 1
			}
		}
	}
	if yi < 0 {
		if yi = find("monetary"); yi < 0 || yi == xi {
			yi = 1
			if yi == xi {
				yi = 0
			}
		}
	}
	return names, xi, yi, ""
}

// skewed reports whether values are positive and right-skewed enough
// (Fisher-Pearson sample skewness g1 = m3 / m2^1.5 above 1, with m_k the
// k-th central moment) for a log axis to read better, as purchase counts
// and spend usually are.
func skewed(v []float64) bool {
	if len(v) < 3 || slices.Min(v) <= 0 {
		return false
	}
	var mean float64
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	var m2, m3 float64
	for _, x := range v {
		d := x - mean
		m2 += d * d
		m3 += d * d * d
	}
	m2 /= float64(len(v))
	m3 /= float64(len(v))
	return m2 > 0 && m3/math.Pow(m2, 1.5) > 1
}

func drawScatter(dir string, in *Input) (chart, error) {
	c := chart{ID: "scatter", Title: "Customers by segment", Wide: true}
	if len(in.Points) == 0 {
		c.Note = "No customer points were given."
		return c, nil
	}
	names, xi, yi, note := scatterAxes(in)
	if note != "" {
		c.Note = note
		return c, nil
	}
	// Thin evenly to MaxScatterPoints (deterministic: every step-th point).
	step := 1
	if len(in.Points) > MaxScatterPoints {
		step = (len(in.Points) + MaxScatterPoints - 1) / MaxScatterPoints
	}
	var xs, ys []float64
	var segs []int
	for i := 0; i < len(in.Points); i += step {
		pt := in.Points[i]
		if len(pt.Values) != len(names) {
			return c, fmt.Errorf("point %d has %d values for %d features", i, len(pt.Values), len(names))
		}
		x, y := pt.Values[xi], pt.Values[yi]
		if finite(x) && finite(y) && pt.Segment >= 0 {
			xs, ys, segs = append(xs, x), append(ys, y), append(segs, pt.Segment)
		}
	}
	// Log axes when the values are skewed, or when the model itself
	// measured distances after log1p: then the picture shows the geometry
	// the segments were cut in.
	modelLog := in.Model != nil && in.Model.Transform == "log1p"
	logX := (modelLog && slices.Min(xs) > 0) || skewed(xs)
	logY := (modelLog && slices.Min(ys) > 0) || skewed(ys)
	c.File = ScatterFile
	c.Caption = fmt.Sprintf("%d customers, %s against %s, coloured by segment", len(xs), names[yi], names[xi])
	if step > 1 {
		c.Caption += fmt.Sprintf(" (every %d-th of %d customers)", step, len(in.Points))
	}
	switch {
	case logX && logY:
		c.Caption += "; both axes are logarithmic"
	case logX:
		c.Caption += "; the horizontal axis is logarithmic"
	case logY:
		c.Caption += "; the vertical axis is logarithmic"
	}
	// Whole-number features (purchase counts) would stack into stripes:
	// spread them by a fixed pseudo-random ±0.3 so the density shows.
	jitterX, jitterY := wholeNumbers(xs), wholeNumbers(ys)
	if jitterX || jitterY {
		r := rand.New(rand.NewPCG(1, 2))
		for i := range xs {
			if jitterX {
				xs[i] += 0.6 * (r.Float64() - 0.5)
			}
			if jitterY {
				ys[i] += 0.6 * (r.Float64() - 0.5)
			}
		}
		c.Caption += "; whole-number values are spread by up to ±0.3 so that stacked points show"
	}
	c.Caption += "."

	p := newPlot(fmt.Sprintf("Customers: %s vs %s", names[yi], names[xi]), axisLabel(names[xi], logX), axisLabel(names[yi], logY))
	grid(p, true, true)
	k := in.segmentCount()
	perSeg := make([]plotter.XYs, k)
	for i := range xs {
		perSeg[segs[i]] = append(perSeg[segs[i]], plotter.XY{X: xs[i], Y: ys[i]})
	}
	radius := vg.Points(2.2)
	if len(xs) > 2000 {
		radius = vg.Points(1.6)
	}
	leg := newLegend()
	for seg, pts := range perSeg {
		if len(pts) == 0 {
			continue
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return c, err
		}
		s.GlyphStyle.Color = withAlpha(segColor(seg), 0xa0)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		s.GlyphStyle.Radius = radius
		p.Add(s)
		thumb, _ := plotter.NewScatter(plotter.XYs{{}})
		thumb.GlyphStyle = draw.GlyphStyle{Color: segColor(seg), Shape: draw.CircleGlyph{}, Radius: vg.Points(4)}
		leg.Add(fmt.Sprintf("%s (%d)", in.segmentName(seg), len(pts)), thumb)
	}
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	w, h := figW*1.3, figH*1.15
	return c, savePNG(filepath.Join(dir, c.File), w, h, func(dc draw.Canvas) { drawLegendRight(dc, p, leg) })
}

// wholeNumbers reports whether every value is an integer and there are
// few distinct ones relative to the count (a count-like feature).
func wholeNumbers(v []float64) bool {
	distinct := map[float64]bool{}
	for _, x := range v {
		if x != math.Trunc(x) {
			return false
		}
		distinct[x] = true
	}
	return len(v) > 0 && len(distinct) <= max(2, len(v)/5)
}

func axisLabel(name string, log bool) string {
	if log {
		return name + " (log scale)"
	}
	return name
}

// logTicks labels 1, 2, 5 × 10^k on a log axis spanning up to three
// decades, and the powers of ten beyond, in compact form (2k, 10k).
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 || max <= 0 {
		return nil
	}
	lo, hi := math.Floor(math.Log10(min)), math.Ceil(math.Log10(max))
	mantissas := []float64{1, 2, 5}
	if hi-lo > 3 {
		mantissas = []float64{1}
	}
	var ticks []plot.Tick
	for e := lo; e <= hi; e++ {
		for m := 1.0; m < 10; m++ {
			v := m * math.Pow(10, e)
			if v < min*0.999 || v > max*1.001 {
				continue
			}
			label := ""
			if slices.Contains(mantissas, m) {
				label = compact(v)
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
		}
	}
	return ticks
}

// compact formats v with a k/M suffix and at most three significant digits.
func compact(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return trimZeros(strconv.FormatFloat(v/1e6, 'f', digits(a/1e6), 64)) + "M"
	case a >= 1e3:
		return trimZeros(strconv.FormatFloat(v/1e3, 'f', digits(a/1e3), 64)) + "k"
	case a >= 1 || a == 0:
		return trimZeros(strconv.FormatFloat(v, 'f', digits(a), 64))
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func digits(a float64) int {
	switch {
	case a >= 100:
		return 0
	case a >= 10:
		return 1
	}
	return 2
}

func trimZeros(s string) string {
	if !containsDot(s) {
		return s
	}
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func containsDot(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return true
		}
	}
	return false
}

// rfmGrid adapts Input.RFMGrid (rows R 1..5, columns F 1..5) to
// plotter.GridXYZ, optionally through log10.
type rfmGrid struct {
	z   [][]float64
	log bool
}

func (g rfmGrid) Dims() (c, r int) { return len(g.z[0]), len(g.z) }
func (g rfmGrid) Z(c, r int) float64 {
	v := g.z[r][c]
	if g.log {
		if v <= 0 {
			return math.NaN()
		}
		return math.Log10(v)
	}
	return v
}
func (g rfmGrid) X(c int) float64 { return float64(c + 1) }
func (g rfmGrid) Y(r int) float64 { return float64(r + 1) }

func drawHeatMap(dir string, in *Input) (chart, error) {
	c := chart{ID: "rfm-heatmap", Title: "Mean monetary value by R and F score"}
	if len(in.RFMGrid) == 0 {
		c.Note = "No R×F grid was given."
		return c, nil
	}
	nr, nf := len(in.RFMGrid), len(in.RFMGrid[0])
	var vals []float64
	for r, row := range in.RFMGrid {
		if len(row) != nf {
			return c, fmt.Errorf("R×F grid row %d has %d cells, row 1 has %d", r+1, len(row), nf)
		}
		for _, v := range row {
			if finite(v) {
				vals = append(vals, v)
			}
		}
	}
	if len(vals) == 0 {
		c.Note = "The R×F grid has no customers."
		return c, nil
	}
	lo, hi := slices.Min(vals), slices.Max(vals)
	useLog := lo > 0 && hi >= 10*lo
	g := rfmGrid{z: in.RFMGrid, log: useLog}
	pal, err := sequentialPalette()
	if err != nil {
		return c, err
	}
	zlo, zhi := lo, hi
	if useLog {
		zlo, zhi = math.Log10(lo), math.Log10(hi)
	}
	if zhi == zlo {
		zlo, zhi = zlo-0.5, zhi+0.5
	}
	hm := plotter.NewHeatMap(g, pal)
	hm.Min, hm.Max = zlo, zhi
	hm.NaN = color.White

	c.File = HeatMapFile
	c.Caption = "Mean monetary value of the customers in each cell of recency score (rows, 5 = most recent) " +
		"by frequency score (columns, 5 = most frequent)"
	if useLog {
		c.Caption += "; the colour scale is logarithmic"
	}
	if len(in.RFMCounts) > 0 {
		c.Caption += "; n = customers in the cell"
	}
	c.Caption += `. Cells marked "none" have no customers.`

	p := newPlot("Mean monetary value by R and F score", "frequency score F", "recency score R")
	p.Add(hm)
	// White rules between the cells (which also hide the hairline seams
	// of the vector heat map).
	for f := 1; f < nf; f++ {
		l, _ := plotter.NewLine(plotter.XYs{{X: float64(f) + 0.5, Y: 0.5}, {X: float64(f) + 0.5, Y: float64(nr) + 0.5}})
		l.Color, l.Width = color.White, vg.Points(2)
		p.Add(l)
	}
	for r := 1; r < nr; r++ {
		l, _ := plotter.NewLine(plotter.XYs{{X: 0.5, Y: float64(r) + 0.5}, {X: float64(nf) + 0.5, Y: float64(r) + 0.5}})
		l.Color, l.Width = color.White, vg.Points(2)
		p.Add(l)
	}
	var lxy plotter.XYs
	var labels []string
	var styles []text.Style
	for r := 0; r < nr; r++ {
		for f := 0; f < nf; f++ {
			v := in.RFMGrid[r][f]
			label := "none"
			if finite(v) {
				label = compact(v)
				if r < len(in.RFMCounts) && f < len(in.RFMCounts[r]) {
					label += fmt.Sprintf("\nn=%d", in.RFMCounts[r][f])
				}
			}
			lxy = append(lxy, plotter.XY{X: float64(f + 1), Y: float64(r + 1)})
			labels = append(labels, label)
			st := text.Style{Font: sans(9), Handler: plot.DefaultTextHandler,
				XAlign: text.XCenter, YAlign: text.YCenter, Color: ink}
			if !finite(v) {
				st.Color = gray
			} else if z := g.Z(f, r); (z-zlo)/(zhi-zlo) > 0.55 {
				st.Color = color.White // the dark half of the palette
			}
			styles = append(styles, st)
		}
	}
	lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: lxy, Labels: labels})
	if err != nil {
		return c, err
	}
	lbl.TextStyle = styles
	p.Add(lbl)
	var xt, yt []plot.Tick
	for f := 1; f <= nf; f++ {
		xt = append(xt, plot.Tick{Value: float64(f), Label: strconv.Itoa(f)})
	}
	for r := 1; r <= nr; r++ {
		yt = append(yt, plot.Tick{Value: float64(r), Label: strconv.Itoa(r)})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(xt), plot.ConstantTicks(yt)
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Min, p.X.Max = 0.5, float64(nf)+0.5
	p.Y.Min, p.Y.Max = 0.5, float64(nr)+0.5

	// Colour scale: a one-column heat map of the same palette in its own
	// plot right of the map.
	bar := newPlot("", "", "")
	bar.Title.Text = "mean M"
	bar.Title.TextStyle.Font = sans(10)
	scale := plotter.NewHeatMap(scaleGrid{lo: zlo, hi: zhi, n: 200}, pal)
	scale.Rasterized = true
	bar.Add(scale)
	bar.HideX()
	bar.Y.Padding = 0
	bar.Y.Min, bar.Y.Max = zlo, zhi
	bar.Y.Tick.Marker = colorBarTicks{log: useLog}

	w, h := figW, figH*1.15
	return c, savePNG(filepath.Join(dir, c.File), w, h, func(dc draw.Canvas) {
		barW := vg.Points(70)
		p.Draw(draw.Crop(dc, 0, -barW-vg.Points(10), 0, 0))
		right := draw.Crop(dc, dc.Max.X-dc.Min.X-barW, 0, vg.Points(31), -vg.Points(8))
		bar.Draw(right)
	})
}

// scaleGrid is a 1×n grid running from lo to hi: a colour bar.
type scaleGrid struct {
	lo, hi float64
	n      int
}

func (g scaleGrid) Dims() (c, r int)   { return 1, g.n }
func (g scaleGrid) Z(c, r int) float64 { return g.Y(r) }
func (g scaleGrid) X(c int) float64    { return 0 }
func (g scaleGrid) Y(r int) float64    { return g.lo + (float64(r)+0.5)*(g.hi-g.lo)/float64(g.n) }
func (g scaleGrid) Min() float64       { return g.lo }
func (g scaleGrid) Max() float64       { return g.hi }

// sequentialPalette runs from pale yellow (low) through green-blue to dark
// blue (high), ColorBrewer's YlGnBu stops interpolated with a linear
// luminance ramp, so darker always means more.
func sequentialPalette() (palette.Palette, error) {
	stops := []color.Color{ // dark to light: NewLuminance wants rising luminance
		color.NRGBA{0x08, 0x1d, 0x58, 0xff}, color.NRGBA{0x22, 0x5e, 0xa8, 0xff}, color.NRGBA{0x41, 0xb6, 0xc4, 0xff},
		color.NRGBA{0xc7, 0xe9, 0xb4, 0xff}, color.NRGBA{0xff, 0xff, 0xd9, 0xff},
	}
	cm, err := moreland.NewLuminance(stops)
	if err != nil {
		return nil, err
	}
	cm.SetMin(0)
	cm.SetMax(1)
	cols := cm.Palette(256).Colors()
	slices.Reverse(cols)
	return reversed(cols), nil
}

type reversed []color.Color

func (r reversed) Colors() []color.Color { return r }

// colorBarTicks labels the colour bar in monetary units; with a log scale
// the bar's axis is log10(M), so the labels are 10^v.
type colorBarTicks struct{ log bool }

func (t colorBarTicks) Ticks(min, max float64) []plot.Tick {
	if !t.log {
		return compactTicks{}.Ticks(min, max)
	}
	var ticks []plot.Tick
	for _, tk := range (logTicks{}).Ticks(math.Pow(10, min), math.Pow(10, max)) {
		ticks = append(ticks, plot.Tick{Value: math.Log10(tk.Value), Label: tk.Label})
	}
	return ticks
}
