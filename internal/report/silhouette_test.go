package report

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/kmeans"
	"gonum.org/v1/plot/plotter"
)

// The silhouette chart draws a sample but prints the model's stored
// silhouette with its method, as the header does, and labels each
// segment's sampled customers of all its customers (issue #11 §1).
// CUSTSEG_REPORT_KEEP=dir keeps the report in dir + "-sampled".
func TestSilhouetteChartSampled(t *testing.T) {
	in := syntheticInput(t, 900, true)
	// A sample of three customers in four (the blobs take turns), from the
	// 900 the profiles count.
	var sil []float64
	var labels []int
	for i := range in.Silhouettes {
		if i%4 != 0 {
			sil, labels = append(sil, in.Silhouettes[i]), append(labels, in.Labels[i])
		}
	}
	in.Silhouettes, in.Labels, in.SilhouetteOf = sil, labels, 900
	// As a model trained on more rows than the exact budget stores it.
	in.Model.SilhouetteMethod, in.Model.SilhouetteSampleSize = kmeans.SilhouetteSampled, 600
	in.Model.Metrics["silhouette_se"] = 0.0042
	text := in.Model.SilhouetteText()
	if !strings.Contains(text, "sampled, n = 600, ± 0.0042") {
		t.Fatalf("SilhouetteText %q", text)
	}
	out := filepath.Join(t.TempDir(), "report")
	if keep := os.Getenv("CUSTSEG_REPORT_KEEP"); keep != "" {
		out = keep + "-sampled"
	}
	index, err := Write(out, in)
	if err != nil {
		t.Fatal(err)
	}
	html := checkReport(t, index, allCharts)
	c, err := drawSilhouette(t.TempDir(), &in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{text, "a sample of 675 of 900 customers", "sampled customers of all its customers"} {
		if !strings.Contains(c.Caption, want) {
			t.Errorf("silhouette caption lacks %q: %s", want, c.Caption)
		}
	}
	// The header card: the figure, then how it was computed.
	v, how, _ := strings.Cut(text, " ")
	if card := `<div class="v">` + v + ` <small>` + how + `</small></div><div class="k">silhouette</div>`; !strings.Contains(html, card) {
		t.Errorf("index.html lacks the silhouette card %q", card)
	}
	if !strings.Contains(html, "<th>metric: silhouette</th><td>"+text+"</td>") {
		t.Errorf("the metadata table does not print the silhouette as %q", text)
	}
}

func TestSegmentLabel(t *testing.T) {
	in := Input{Profiles: []Profile{{Segment: 0, Name: "Champions", Customers: 6517}}}
	for _, c := range []struct {
		shown, total int
		how, want    string
	}{
		{6517, 6517, "", "Champions (6,517)"},
		{1160, 6517, "sampled", "Champions (1,160 of 6,517 sampled)"},
		{1160, 1160, "sampled", "Champions (1,160)"},
		{1160, -1, "drawn", "Champions (1,160 drawn)"},
	} {
		if got := in.segmentLabel(0, c.shown, c.total, c.how); got != c.want {
			t.Errorf("segmentLabel(%d, %d, %q) = %q, want %q", c.shown, c.total, c.how, got, c.want)
		}
	}
	if got := in.segmentCustomers(0); got != 6517 {
		t.Errorf("segmentCustomers(0) = %d, want 6517", got)
	}
	if got := in.segmentCustomers(1); got != -1 {
		t.Errorf("segmentCustomers(1) = %d, want -1", got)
	}
}

// The k-selection captions say which k each method picked and which
// decided; labels sit clear of the line.
func TestKSelectionPicks(t *testing.T) {
	in := syntheticInput(t, 900, true)
	m := in.Model
	elbow, sil := 0, 0
	for _, r := range m.KSelection {
		for _, p := range r.Picks {
			switch p {
			case kmeans.KByElbow:
				elbow = r.K
			case kmeans.KBySilhouette:
				sil = r.K
			}
		}
	}
	if sil == 0 || m.KSelectionMethod == "" {
		t.Fatalf("the synthetic model has no picks (%+v) or method %q", m.KSelection, m.KSelectionMethod)
	}
	dir := t.TempDir()
	ce, err := drawElbow(dir, &in)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := drawKSilhouette(dir, &in)
	if err != nil {
		t.Fatal(err)
	}
	if elbow > 0 && !strings.Contains(ce.Caption, "here k = "+strconv.Itoa(elbow)+" (kneedle") {
		t.Errorf("elbow caption does not name the elbow's k = %d: %s", elbow, ce.Caption)
	}
	if !strings.Contains(cs.Caption, "highest at k = "+strconv.Itoa(sil)) {
		t.Errorf("silhouette caption does not name the highest k = %d: %s", sil, cs.Caption)
	}
	for _, c := range []chart{ce, cs} {
		if !strings.Contains(c.Caption, "Chosen: "+m.KSelectionReason) || !strings.HasPrefix(m.KSelectionReason, "k="+strconv.Itoa(m.K)) {
			t.Errorf("caption lacks the decision (k = %d, %s): %s", m.K, m.KSelectionReason, c.Caption)
		}
	}
	// A model stored without a reason still says which method decided.
	bare := kmeans.Model{K: 3, KSelectionMethod: kmeans.KByElbow + "+" + kmeans.KBySilhouette}
	if got, want := decidedBy(&bare), "Chosen k = 3 by the elbow and the silhouette."; got != want {
		t.Errorf("decidedBy = %q, want %q", got, want)
	}
	// Labels: away from the other marked k when there is room, above a
	// point whose neighbour on that side is lower.
	pts := plotter.XYs{{X: 2, Y: 10}, {X: 3, Y: 6}, {X: 4, Y: 4}, {X: 5, Y: 3.5}, {X: 6, Y: 3.2}}
	for _, c := range []struct {
		i, other     int
		right, above bool
	}{
		{0, 1, true, true},   // no room on the left: right, the line falls
		{1, 0, true, true},   // away from k = 2, above the falling line
		{2, 3, false, false}, // away from k = 5: left, where the line is higher
		{4, -1, false, false},
	} {
		r, a := labelSide(pts, c.i, c.other)
		if r != c.right || a != c.above {
			t.Errorf("labelSide(%d, %d) = right %v above %v, want %v %v", c.i, c.other, r, a, c.right, c.above)
		}
	}
}
