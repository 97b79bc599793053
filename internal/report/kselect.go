// The k-selection charts: inertia (elbow) and silhouette over k.

package report

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

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
