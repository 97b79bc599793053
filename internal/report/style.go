// The report's look, shared by every chart: figure size and resolution,
// colours, font, plot and legend style, axis ticks.

package report

import (
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
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
	pickColor = color.NRGBA{0xb3, 0x5c, 0x00, 0xff} // a k a method picked but not chosen
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
