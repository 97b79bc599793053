package report

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

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
