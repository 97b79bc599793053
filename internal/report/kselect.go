// The k-selection charts: inertia (elbow) and silhouette over k.

package report

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/custseg/custseg/udf/kmeans"
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
		rows = append(rows, kRow{K: r.K, Inertia: r.Inertia, Silhouette: r.Silhouette, Picks: r.Picks})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].K < rows[j].K })
	return rows, ""
}

type kRow struct {
	K                   int
	Inertia, Silhouette float64
	Picks               []string // the methods that picked this k (kmeans.KByElbow, KBySilhouette)
}

// pickedBy returns the k that method picked (0 when none did: a model
// stored before the table held picks, or inertia without a knee).
func pickedBy(rows []kRow, method string) int {
	for _, r := range rows {
		if slices.Contains(r.Picks, method) {
			return r.K
		}
	}
	return 0
}

// kLine draws y over k and rings two ks: the model's chosen k (red,
// labelled above) and the k that this chart's method picked (labelled
// below when it is another k), named pick (e.g. "elbow").
func kLine(path string, rows []kRow, chosen, picked int, pick string, y func(kRow) float64, title, yLabel string, format func(float64) string) error {
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
	chosenAt, pickedAt := -1, -1
	for i, xy := range xys {
		switch int(xy.X) {
		case chosen:
			chosenAt = i
		case picked:
			pickedAt = i
		}
	}
	for _, m := range []struct {
		at, other int
		col       color.NRGBA
		label     string
	}{
		{chosenAt, pickedAt, red, "chosen k = %d (%s)"},
		{pickedAt, chosenAt, pickColor, pick + " at k = %d (%s)"},
	} {
		if m.at < 0 {
			continue
		}
		xy := xys[m.at]
		label := fmt.Sprintf(m.label, int(xy.X), format(xy.Y))
		if m.at == chosenAt && chosen == picked {
			label = fmt.Sprintf("chosen k = %d, the %s (%s)", chosen, pick, format(xy.Y))
		}
		mark, _ := plotter.NewScatter(plotter.XYs{xy})
		mark.Shape = draw.RingGlyph{}
		mark.Radius = vg.Points(7)
		mark.Color = m.col
		lbl, _ := newLabels(plotter.XYs{xy}, []string{label}, 9.5, m.col)
		right, above := labelSide(xys, m.at, m.other)
		lbl.Offset = vg.Point{X: vg.Points(9), Y: vg.Points(6)}
		if !right {
			lbl.TextStyle[0].XAlign = text.XRight
			lbl.Offset.X = -vg.Points(9)
		}
		if !above {
			lbl.TextStyle[0].YAlign = text.YTop
			lbl.Offset.Y = -vg.Points(6)
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
	p.Y.Min, p.Y.Max = lo-pad, hi+pad // room for the labels
	return savePlot(path, p, figW, figH*0.9)
}

// labelSide places the label of point i of a line so that it crosses
// neither the line nor the label of point other (-1 for none): on the side
// away from other when there is room (a label spans about two steps of
// k), else towards the middle of the chart; above the point when the
// line's next point on that side is lower (or there is none), below when
// it is higher.
func labelSide(xys plotter.XYs, i, other int) (right, above bool) {
	last := len(xys) - 1
	roomRight, roomLeft := last-i >= 2, i >= 2
	switch {
	case other >= 0 && other < i && roomRight, other > i && !roomLeft && roomRight:
		right = true
	case other > i && roomLeft, other >= 0 && other < i && !roomRight && roomLeft:
		right = false
	default:
		right = 2*i < last
	}
	j := i - 1
	if right {
		j = i + 1
	}
	above = j < 0 || j > last || xys[j].Y <= xys[i].Y
	return right, above
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
		"It always falls as k grows; the elbow is the bend after which extra segments buy little"
	title := "Elbow: inertia over k"
	if e := pickedBy(rows, kmeans.KByElbow); e > 0 {
		c.Caption += fmt.Sprintf(", here k = %d (kneedle: the k whose inertia lies farthest below the straight line from k = 1 to the largest k tried)", e)
		title += fmt.Sprintf(", elbow at k = %d", e)
	} else if in.Model.KSelectionMethod != "" {
		c.Caption += "; here inertia has no elbow (kneedle found no knee)"
		title += ", no elbow"
	}
	c.Caption += ". " + decidedBy(in.Model)
	err := kLine(filepath.Join(dir, c.File), rows, in.Model.K, pickedBy(rows, kmeans.KByElbow), "elbow",
		func(r kRow) float64 { return r.Inertia }, title, "inertia", func(v float64) string { return compact(v) })
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
	c.Caption = "Mean silhouette coefficient for each k tried (−1..1; higher means tighter, better separated segments)"
	title := "Silhouette over k"
	if s := pickedBy(rows, kmeans.KBySilhouette); s > 0 {
		c.Caption += fmt.Sprintf(", highest at k = %d", s)
		title += fmt.Sprintf(", highest at k = %d", s)
	}
	c.Caption += ". " + decidedBy(in.Model)
	err := kLine(filepath.Join(dir, c.File), rows, in.Model.K, pickedBy(rows, kmeans.KBySilhouette), "highest",
		func(r kRow) float64 { return r.Silhouette }, title, "mean silhouette", func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) })
	return c, err
}

// decidedBy says which k was chosen and why: the model's reason, which
// names the deciding method (Model.KSelectionReason), or without one the
// method alone, for both k-selection captions.
func decidedBy(m *kmeans.Model) string {
	switch {
	case m.KSelectionReason != "":
		return "Chosen: " + m.KSelectionReason + "."
	case m.KSelectionMethod != "":
		return fmt.Sprintf("Chosen k = %d by the %s.", m.K, strings.ReplaceAll(m.KSelectionMethod, "+", " and the "))
	}
	return ""
}
