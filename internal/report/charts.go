package report

import (
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

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
// charts of about equal height side by side, the wide scatter last. It
// tells in.Progress of each chart, out of the charts and index.html.
func drawAll(dir string, in *Input) ([]chart, error) {
	type drawer func(dir string, in *Input) (chart, error)
	drawers := []drawer{drawElbow, drawKSilhouette, drawSizes, drawShares, drawSilhouette, drawHeatMap, drawScatter}
	total := int64(len(drawers) + 1)
	var out []chart
	for i, d := range drawers {
		if in.Progress != nil {
			in.Progress(int64(i), total)
		}
		c, err := d(dir, in)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", c.Title, err)
		}
		out = append(out, c)
	}
	if in.Progress != nil {
		in.Progress(int64(len(drawers)), total)
	}
	return out, nil
}
