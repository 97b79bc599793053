package report

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// maxSilhouetteVertices bounds the vertices drawn per segment in the
// silhouette plot; the sorted values are thinned evenly beyond it, which
// keeps the shape (it is a quantile curve).
const maxSilhouetteVertices = 1500

// drawSilhouette draws the classic silhouette plot: per segment, the
// customers' coefficients sorted descending as a filled area, segments
// stacked with a gap, and a dashed red line at the model's silhouette.
// The bars may be a sample (Input.SilhouetteOf); the line, the title and
// the caption print the model's stored figure with its method, the one
// the header, train and models show print, never the bars' own mean.
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
	sampled := in.SilhouetteOf > len(in.Silhouettes)
	bars := "bars: all " + chartCount(n) + " customers"
	if sampled {
		bars = fmt.Sprintf("bars: a sample of %s of %s customers", chartCount(n), chartCount(in.SilhouetteOf))
	}
	// The line: the model's stored silhouette, or without one the mean of
	// the bars, said as such.
	line, lineLabel := sum/float64(n), fmt.Sprintf("mean of the bars %.3f", sum/float64(n))
	figure := fmt.Sprintf("mean of the bars %.4f\n%s", line, bars)
	what := fmt.Sprintf("the mean of these bars, %.4f", line)
	if v, ok := modelSilhouette(in); ok {
		line, lineLabel = v, "model "+strconv.FormatFloat(v, 'f', 4, 64)
		figure = "model's silhouette " + in.Model.SilhouetteText() + "\n" + bars
		what = "the model's silhouette, " + in.Model.SilhouetteText() + ", as the header prints it"
	}
	c.File = SilhouetteFile
	c.Caption = "Each horizontal line is a customer: how much closer it is to its own segment than to the next one " +
		"(1 = well inside, 0 = on the border, negative = probably in the wrong segment). Dashed red line: " + what + "."
	if sampled {
		c.Caption += fmt.Sprintf(" The bars are a sample of %s of %s customers; each segment's label counts its sampled customers of all its customers.",
			chartCount(n), chartCount(in.SilhouetteOf))
	}
	p := newPlot("Silhouette per customer, by segment\n"+figure, "silhouette coefficient", "")
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
		label := in.segmentLabel(seg, len(vals), len(vals), "")
		if sampled {
			label = in.segmentLabel(seg, len(vals), in.segmentCustomers(seg), "sampled")
		}
		ticks = append(ticks, plot.Tick{Value: (y + top) / 2, Label: label})
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
	meanLine, _ := plotter.NewLine(plotter.XYs{{X: line, Y: p.Y.Min}, {X: line, Y: p.Y.Max}})
	meanLine.Color = red
	meanLine.Width = vg.Points(1.5)
	meanLine.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	zero, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: p.Y.Min}, {X: 0, Y: p.Y.Max}})
	zero.Color = gray
	zero.Width = vg.Points(0.7)
	p.Add(zero, meanLine)
	meanLbl, _ := newLabels(plotter.XYs{{X: line, Y: p.Y.Max}}, []string{lineLabel}, 9.5, red)
	meanLbl.TextStyle[0].YAlign = text.YTop
	meanLbl.Offset = vg.Point{X: vg.Points(4), Y: -vg.Points(3)}
	p.Add(meanLbl)
	h := figH // two more title lines than the other charts
	if k > 6 {
		h = figH * 1.3
	}
	return c, savePlot(filepath.Join(dir, c.File), p, figW, h)
}

// modelSilhouette is the model's stored silhouette, if it has one.
func modelSilhouette(in *Input) (float64, bool) {
	if in.Model == nil {
		return 0, false
	}
	v, ok := in.Model.Metrics["silhouette"]
	return v, ok && finite(v)
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
