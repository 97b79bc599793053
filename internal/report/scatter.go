package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

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
	// Thinned, a segment's legend counts its drawn customers of all its
	// customers given.
	totals := make([]int, k)
	for _, pt := range in.Points {
		if pt.Segment >= 0 {
			totals[pt.Segment]++
		}
	}
	how := ""
	if step > 1 {
		how = "drawn"
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
		leg.Add(in.segmentLabel(seg, len(pts), totals[seg], how), thumb)
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
