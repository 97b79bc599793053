package report

import (
	"bytes"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/cluster"
	"github.com/custseg/custseg/udf/kmeans"
	"github.com/custseg/custseg/udf/rfm"
)

var features = []string{"recency_days", "frequency", "monetary"}

// blobs makes n customers in three groups that are Gaussian blobs in
// log1p space (so recency, frequency and monetary are skewed as real
// ones are): recent frequent big spenders, occasional buyers, lapsed
// one-timers.
func blobs(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	centres := [][3]float64{
		{math.Log1p(10), math.Log1p(20), math.Log1p(5000)},
		{math.Log1p(60), math.Log1p(4), math.Log1p(800)},
		{math.Log1p(250), math.Log1p(1), math.Log1p(150)},
	}
	sd := [3]float64{0.35, 0.3, 0.35}
	rows := make([]float64, 0, 3*n)
	for i := 0; i < n; i++ {
		c := centres[i%3]
		for j := 0; j < 3; j++ {
			v := math.Expm1(c[j] + sd[j]*r.NormFloat64())
			if j == 1 {
				v = math.Max(1, math.Round(v)) // purchase counts are integers >= 1
			}
			rows = append(rows, v)
		}
	}
	return rows
}

// syntheticInput trains a model on blobs (k chosen from 2..6, or fixed)
// and fills an Input as the CLI would from the database.
func syntheticInput(t testing.TB, n int, autoK bool) Input {
	t.Helper()
	rows := blobs(n, 42)
	var m *kmeans.Model
	var err error
	if autoK {
		m, _, _, err = kmeans.AutoK(rows, n, features, 2, 6, kmeans.TrainOptions{Seed: 1})
	} else {
		m, err = kmeans.Train(rows, n, features, kmeans.TrainOptions{K: 3, Seed: 1})
	}
	if err != nil {
		t.Fatalf("training the synthetic model: %v", err)
	}
	in := buildInput(t, rows, n, m)
	in.ModelRef = "segments@2"
	in.Meta = map[string]string{"database": "synthetic.duckdb", "generated": "2026-11-24 06:00 UTC"}
	return in
}

// buildInput computes what the CLI reads from the database for a report:
// rows are n customers × (recency_days, frequency, monetary).
func buildInput(t testing.TB, rows []float64, n int, m *kmeans.Model) Input {
	t.Helper()
	var err error
	labels := make([]int, n)
	z := make([]float64, 0, 3*n)
	for i := 0; i < n; i++ {
		x := rows[3*i : 3*i+3]
		if labels[i], _, err = m.Assign(x); err != nil {
			t.Fatal(err)
		}
		for j, v := range x {
			if m.Transform == "log1p" {
				v = math.Log1p(v)
			}
			z = append(z, (v-m.Scaler.Center[j])/m.Scaler.Scale[j])
		}
	}
	sil, err := cluster.SilhouetteSamples(z, 3, labels)
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Model: m, Silhouettes: sil, Labels: labels}
	var revenue float64
	for i := 0; i < n; i++ {
		revenue += rows[3*i+2]
		in.Points = append(in.Points, Point{Segment: labels[i], Values: slices.Clone(rows[3*i : 3*i+3])})
	}
	for s := 0; s < m.K; s++ {
		p := Profile{Segment: s, Name: m.SegmentNames[s], Mean: map[string]float64{}, Median: map[string]float64{}}
		var rev float64
		cols := make([][]float64, 3)
		for i := 0; i < n; i++ {
			if labels[i] != s {
				continue
			}
			p.Customers++
			rev += rows[3*i+2]
			for j := range cols {
				cols[j] = append(cols[j], rows[3*i+j])
			}
		}
		p.Share, p.RevenueShare = float64(p.Customers)/float64(n), rev/revenue
		for j, f := range features {
			if len(cols[j]) == 0 {
				continue
			}
			sort.Float64s(cols[j])
			var sum float64
			for _, v := range cols[j] {
				sum += v
			}
			p.Mean[f], p.Median[f] = sum/float64(len(cols[j])), cols[j][len(cols[j])/2]
		}
		in.Profiles = append(in.Profiles, p)
	}
	// R and F quintile scores from an RFM model (as rfm_score gives them),
	// mean M per cell.
	var rec, freq, mon []float64
	for i := 0; i < n; i++ {
		rec, freq, mon = append(rec, rows[3*i]), append(freq, rows[3*i+1]), append(mon, rows[3*i+2])
	}
	rm, err := rfm.Fit(rec, freq, mon)
	if err != nil {
		t.Fatal(err)
	}
	sum := make([][]float64, 5)
	in.RFMCounts = make([][]int, 5)
	for r := range sum {
		sum[r], in.RFMCounts[r] = make([]float64, 5), make([]int, 5)
	}
	for i := 0; i < n; i++ {
		rs, fs, _ := rm.Score(rec[i], freq[i], mon[i])
		sum[rs-1][fs-1] += mon[i]
		in.RFMCounts[rs-1][fs-1]++
	}
	in.RFMGrid = make([][]float64, 5)
	for r := range sum {
		in.RFMGrid[r] = make([]float64, 5)
		for f := range sum[r] {
			in.RFMGrid[r][f] = math.NaN()
			if c := in.RFMCounts[r][f]; c > 0 {
				in.RFMGrid[r][f] = sum[r][f] / float64(c)
			}
		}
	}
	return in
}

var refRE = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*"([^"]*)"`)

// checkReport verifies that every chart in want exists as a decodable,
// non-trivial PNG and that every src/href of index.html names a file of
// the report.
func checkReport(t *testing.T, index string, want []string) string {
	t.Helper()
	dir := filepath.Dir(index)
	for _, name := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("chart %s: %v", name, err)
			continue
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Errorf("chart %s is not a PNG: %v", name, err)
			continue
		}
		if r := img.Bounds(); r.Dx() < 400 || r.Dy() < 200 {
			t.Errorf("chart %s is only %dx%d pixels", name, r.Dx(), r.Dy())
		}
	}
	html, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	refs := refRE.FindAllStringSubmatch(string(html), -1)
	for _, m := range refs {
		ref := m[1]
		if strings.Contains(ref, "://") || strings.HasPrefix(ref, "//") {
			t.Errorf("index.html refers to %q: the page must work offline", ref)
			continue
		}
		if strings.HasPrefix(ref, "#") {
			continue
		}
		if st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(ref))); err != nil || st.Size() == 0 {
			t.Errorf("index.html refers to %q, which is missing or empty", ref)
		}
	}
	for _, name := range want {
		if !strings.Contains(string(html), `src="`+name+`"`) {
			t.Errorf("index.html does not show %s", name)
		}
	}
	return string(html)
}

var allCharts = []string{ElbowFile, KSilhouetteFile, SizesFile, SharesFile, SilhouetteFile, HeatMapFile, ScatterFile}

func TestWriteSyntheticReport(t *testing.T) {
	in := syntheticInput(t, 900, true)
	if len(in.Model.KSelection) != 5 {
		t.Fatalf("AutoK gave %d k-selection rows, want 5 (k = 2..6)", len(in.Model.KSelection))
	}
	out := filepath.Join(t.TempDir(), "report")
	if keep := os.Getenv("CUSTSEG_REPORT_KEEP"); keep != "" {
		out = keep // to look at the charts
	}
	index, err := Write(out, in)
	if err != nil {
		t.Fatal(err)
	}
	html := checkReport(t, index, allCharts)
	for _, want := range []string{
		"segments@2", in.Model.Fingerprint, "log1p", "standard (mean, population standard deviation)",
		"recency_days, frequency, monetary", "synthetic.duckdb", in.Model.SegmentNames[0], "metric: silhouette",
		"Revenue share",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if strings.Contains(html, "<script") || strings.Contains(html, "not drawn") {
		t.Errorf("index.html has a script or a skipped chart")
	}
	t.Logf("report in %s (model k=%d, silhouette %.3f)", out, in.Model.K, in.Model.Metrics["silhouette"])
}

// A model trained with a fixed k has no k-selection table: the two k charts
// are replaced by a note, and the page refers to no missing file.
func TestWriteFixedK(t *testing.T) {
	in := syntheticInput(t, 300, false)
	index, err := Write(filepath.Join(t.TempDir(), "r"), in)
	if err != nil {
		t.Fatal(err)
	}
	html := checkReport(t, index, []string{SilhouetteFile, SizesFile, SharesFile, ScatterFile, HeatMapFile})
	if !strings.Contains(html, "trained with a fixed k = 3") {
		t.Error("no note for the missing k-selection charts")
	}
	for _, f := range []string{ElbowFile, KSilhouetteFile} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(index), f)); err == nil {
			t.Errorf("%s drawn for a fixed-k model", f)
		}
	}
}

// Only a model reference: every chart is a note, the page still renders.
func TestWriteMinimalInput(t *testing.T) {
	index, err := Write(filepath.Join(t.TempDir(), "r"), Input{ModelRef: "rfm"})
	if err != nil {
		t.Fatal(err)
	}
	html := checkReport(t, index, nil)
	if n := strings.Count(html, "not drawn"); n != len(allCharts) {
		t.Errorf("%d notes, want %d", n, len(allCharts))
	}
}

func TestWriteReplacesPreviousReport(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "report")
	in := syntheticInput(t, 300, false)
	if _, err := Write(out, in); err != nil {
		t.Fatal(err)
	}
	// Second run without points: the old scatter must not survive.
	in.Points = nil
	index, err := Write(out, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, ScatterFile)); err == nil {
		t.Error("scatter.png of the previous report survived")
	}
	checkReport(t, index, []string{SilhouetteFile})
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("parent holds %v, want only the report (no temp or old dirs)", names)
	}
}

// A failing run (inconsistent input) leaves neither a half report nor
// temporary files, and the previous report stays as it was.
func TestWriteFailureLeavesPreviousReport(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "report")
	in := syntheticInput(t, 300, false)
	if _, err := Write(out, in); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(out, IndexFile))
	bad := in
	bad.Labels = bad.Labels[:10]
	if _, err := Write(out, bad); err == nil || !strings.Contains(err.Error(), "silhouette values but 10 labels") {
		t.Fatalf("error %v, want the label count mismatch", err)
	}
	after, _ := os.ReadFile(filepath.Join(out, IndexFile))
	if !bytes.Equal(before, after) {
		t.Error("the previous index.html changed")
	}
	if _, err := os.Stat(filepath.Join(out, ScatterFile)); err != nil {
		t.Errorf("the previous report lost its scatter: %v", err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("parent holds %d entries after a failed run, want 1", len(entries))
	}
	// Into a fresh directory: nothing at all is left.
	fresh := filepath.Join(parent, "fresh")
	if _, err := Write(fresh, bad); err == nil {
		t.Fatal("no error")
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Error("a failed run created the output directory")
	}
}

func TestWriteRefusesForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Write(dir, Input{ModelRef: "rfm"})
	if err == nil || !strings.Contains(err.Error(), "not a custseg report") {
		t.Fatalf("error %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(keep); string(b) != "mine" {
		t.Error("the foreign file was touched")
	}
	file := filepath.Join(dir, "notes.txt")
	if _, err := Write(file, Input{}); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("writing over a file: %v", err)
	}
	if _, err := Write("", Input{}); err == nil {
		t.Error("empty output directory accepted")
	}
}

func TestCompactAndFormat(t *testing.T) {
	cases := []struct {
		v    float64
		want string
	}{{0, "0"}, {1, "1"}, {2.5, "2.5"}, {12.34, "12.3"}, {150, "150"}, {1500, "1.5k"}, {20000, "20k"}, {1234567, "1.23M"}, {0.05, "0.05"}}
	for _, c := range cases {
		if got := compact(c.v); got != c.want {
			t.Errorf("compact(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	fcases := []struct {
		v    float64
		want string
	}{{8911407.9, "8\u202f911\u202f408"}, {4338, "4\u202f338"}, {123.45, "123.5"}, {0.43294, "0.4329"}, {12.345, "12.35"}, {3, "3"}, {math.NaN(), "–"}, {-2500, "−2\u202f500"}}
	for _, c := range fcases {
		if got := fmtFloat(c.v); got != c.want {
			t.Errorf("fmtFloat(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestLogTicks(t *testing.T) {
	var labels []string
	for _, tk := range (logTicks{}).Ticks(1, 300) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "1 2 5 10 20 50 100 200" {
		t.Errorf("labels over 1..300: %s", got)
	}
	labels = nil
	for _, tk := range (logTicks{}).Ticks(3, 200000) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "10 100 1k 10k 100k" {
		t.Errorf("labels over 3..200000: %s", got)
	}
}

// Degenerate but legal inputs draw without panicking: one segment, equal
// values everywhere, NaN cells and silhouettes, labels beyond the model's k.
func TestWriteDegenerateInputs(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name  string
		in    Input
		drawn []string
	}{
		{"one segment, constant values", Input{
			ModelRef: "one",
			Profiles: []Profile{{Segment: 0, Name: "Everyone", Customers: 5, Share: 1, RevenueShare: 1,
				Mean: map[string]float64{"frequency": 1}, Median: map[string]float64{"frequency": 1}}},
			Points:        []Point{{0, []float64{1, 10}}, {0, []float64{1, 10}}, {0, []float64{1, 10}}},
			PointFeatures: []string{"frequency", "monetary"},
			Silhouettes:   []float64{0, 0, 0},
			Labels:        []int{0, 0, 0},
			RFMGrid:       [][]float64{{7, 7}, {7, 7}},
		}, []string{SizesFile, SharesFile, ScatterFile, SilhouetteFile, HeatMapFile}},
		{"NaNs and negatives", Input{
			ModelRef:      "odd",
			Points:        []Point{{0, []float64{-5, 0}}, {1, []float64{nan, 3}}, {4, []float64{2, -1}}},
			PointFeatures: []string{"a", "b"},
			ScatterX:      "b",
			ScatterY:      "a",
			Silhouettes:   []float64{nan, -0.5, 0.9, -1},
			Labels:        []int{0, 1, 1, 6},
			RFMGrid:       [][]float64{{nan, -20}, {0, 40}},
		}, []string{ScatterFile, SilhouetteFile, HeatMapFile}},
	}
	for _, c := range cases {
		index, err := Write(filepath.Join(t.TempDir(), "r"), c.in)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		checkReport(t, index, c.drawn)
	}
	// An empty grid and a scatter feature that does not exist are notes, not errors.
	index, err := Write(filepath.Join(t.TempDir(), "r"), Input{
		RFMGrid: [][]float64{{nan}}, Points: []Point{{0, []float64{1, 2}}}, PointFeatures: []string{"x", "y"}, ScatterX: "z"})
	if err != nil {
		t.Fatal(err)
	}
	html := checkReport(t, index, nil)
	for _, want := range []string{"The R×F grid has no customers.", `Scatter feature &#34;z&#34; is not among the point features`} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks the note %q", want)
		}
	}
}
