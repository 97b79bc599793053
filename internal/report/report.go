// Package report writes a visual report of a customer segmentation: PNG
// charts drawn with gonum/plot and a self-contained index.html (inline CSS,
// no script, no network) that shows them with the segment profiles and the
// model's metadata.
//
// The package does not read the database: the CLI gathers an Input (plain
// data) and calls Write, so the drawing can be tested on synthetic data.
package report

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/custseg/custseg/udf/kmeans"
)

// Profile describes one segment.
type Profile struct {
	Segment      int
	Name         string
	Customers    int
	Share        float64 // of customers, 0..1
	RevenueShare float64 // of revenue, 0..1
	// Mean and Median of each feature (keyed by feature name), in the
	// original units.
	Mean   map[string]float64
	Median map[string]float64
}

// Point is one customer for the scatter plot.
type Point struct {
	Segment int
	Values  []float64 // in the order of Input.PointFeatures
}

// Input is everything a report shows. Every field is optional: a chart
// whose data is missing is replaced in index.html by a note saying why.
type Input struct {
	ModelRef string        // e.g. "segments@3"
	Model    *kmeans.Model // k, features, metrics, k-selection table
	Profiles []Profile
	// Points are customers for the scatter plot; PointFeatures names their
	// values (default Model.Features). ScatterX and ScatterY choose the two
	// features drawn (default "frequency" and "monetary" when present, else
	// the first two). More than MaxScatterPoints are thinned evenly.
	Points        []Point
	PointFeatures []string
	ScatterX      string
	ScatterY      string
	// Silhouettes are per-customer silhouette coefficients with the
	// segment of each in Labels (same length): the bars of the silhouette
	// chart. SilhouetteOf is the number of customers they were sampled
	// from (0 when they are every customer). The figure the chart and the
	// header print is the model's stored one (Model.SilhouetteText), not
	// the mean of these bars, so that a report says one silhouette.
	Silhouettes  []float64
	Labels       []int
	SilhouetteOf int
	// RFMGrid[r-1][f-1] is the mean monetary value of customers with
	// recency score r and frequency score f (5×5; NaN for an empty cell).
	// RFMCounts, optional, holds the number of customers per cell.
	RFMGrid   [][]float64
	RFMCounts [][]int
	// Meta are extra key/value lines for the metadata table (database,
	// generated at, ...).
	Meta map[string]string
	// Progress, if set, hears Write's steps done of their total: each
	// chart drawn, then index.html written.
	Progress func(done, total int64)
}

// MaxScatterPoints bounds the points drawn in the scatter plot: beyond a
// few thousand a scatter is a blot, and the PNG grows for nothing.
const MaxScatterPoints = 6000

// Chart file names, relative to the report directory.
const (
	ElbowFile       = "elbow.png"
	KSilhouetteFile = "k_silhouette.png"
	SilhouetteFile  = "silhouette.png"
	SizesFile       = "segment_sizes.png"
	SharesFile      = "segment_shares.png"
	ScatterFile     = "scatter.png"
	HeatMapFile     = "rfm_heatmap.png"
	IndexFile       = "index.html"
	// markerFile marks a directory as a custseg report, so that Write
	// replaces it but never a directory someone else filled.
	markerFile = ".custseg-report"
)

// chart is one figure of the report: a file, or a note why it is missing.
type chart struct {
	ID      string
	Title   string
	File    string // empty when skipped
	Caption string
	Note    string // why it was skipped
	Wide    bool
}

// Write draws every chart and index.html into outDir and returns the path
// of index.html. It builds the report in a temporary directory next to
// outDir and renames it into place, so a failed run leaves no half report
// and the previous report stays intact. An existing outDir is replaced
// only if it is empty or a previous report (it holds the marker file).
func Write(outDir string, in Input) (index string, err error) {
	if outDir == "" {
		return "", errors.New("report: no output directory")
	}
	abs, err := filepath.Abs(outDir)
	if err != nil {
		return "", fmt.Errorf("report: %v", err)
	}
	if err := checkReplaceable(abs); err != nil {
		return "", err
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("report: %v", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(abs)+".tmp-")
	if err != nil {
		return "", fmt.Errorf("report: %v", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	defer func() {
		// gonum/plot panics on some degenerate inputs; a report is not
		// worth crashing the CLI for.
		if r := recover(); r != nil {
			err = fmt.Errorf("report: internal error drawing charts: %v", r)
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("report: %v", err)
	}
	charts, err := drawAll(tmp, &in)
	if err != nil {
		return "", fmt.Errorf("report: %v", err)
	}
	var page bytes.Buffer
	if err := renderHTML(&page, &in, charts); err != nil {
		return "", fmt.Errorf("report: index.html: %v", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, IndexFile), page.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("report: %v", err)
	}
	if in.Progress != nil {
		in.Progress(int64(len(charts)+1), int64(len(charts)+1))
	}
	if err := os.WriteFile(filepath.Join(tmp, markerFile), []byte("custseg report\n"), 0o644); err != nil {
		return "", fmt.Errorf("report: %v", err)
	}
	if err := swapIn(tmp, abs); err != nil {
		return "", err
	}
	return filepath.Join(abs, IndexFile), nil
}

// checkReplaceable refuses an outDir that is a file, or a non-empty
// directory that is not a previous report.
func checkReplaceable(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("report: %v", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("report: %s exists and is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("report: %v", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, markerFile)); err != nil {
		return fmt.Errorf("report: %s is a non-empty directory that is not a custseg report; choose another output directory", dir)
	}
	return nil
}

// swapIn renames tmp to dir, moving a previous dir aside first and removing
// it once the new one is in place.
func swapIn(tmp, dir string) error {
	old := ""
	if _, err := os.Stat(dir); err == nil {
		var b [6]byte
		rand.Read(b[:])
		old = filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".old-"+hex.EncodeToString(b[:]))
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("report: moving the previous report aside: %v", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return fmt.Errorf("report: %v", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

// segmentCount is the number of segments: the model's k, or enough for
// every id seen in the input.
func (in *Input) segmentCount() int {
	k := 0
	if in.Model != nil {
		k = in.Model.K
	}
	for _, p := range in.Profiles {
		k = max(k, p.Segment+1)
	}
	for _, p := range in.Points {
		k = max(k, p.Segment+1)
	}
	for _, l := range in.Labels {
		k = max(k, l+1)
	}
	return k
}

// segmentName is the display name of segment id.
func (in *Input) segmentName(id int) string {
	for _, p := range in.Profiles {
		if p.Segment == id && p.Name != "" {
			return p.Name
		}
	}
	if in.Model != nil && id >= 0 && id < len(in.Model.SegmentNames) {
		return in.Model.SegmentNames[id]
	}
	return fmt.Sprintf("Segment %d", id+1)
}

// segmentCustomers is segment id's number of customers from the profile
// table, or -1 when no profile gives it.
func (in *Input) segmentCustomers(id int) int {
	for _, p := range in.Profiles {
		if p.Segment == id {
			return p.Customers
		}
	}
	return -1
}

// segmentLabel names segment id with the customers a chart shows of it:
// "Champions (6,517)" when they are all of them, "Champions (1,160 of
// 6,517 sampled)" when a chart shows part (how says which part: "sampled",
// "drawn"), so that a part is never read as the segment's size. total is
// the segment's customers, -1 when unknown.
func (in *Input) segmentLabel(id, shown, total int, how string) string {
	switch {
	case how == "" || shown == total:
		return fmt.Sprintf("%s (%s)", in.segmentName(id), chartCount(shown))
	case total < 0:
		return fmt.Sprintf("%s (%s %s)", in.segmentName(id), chartCount(shown), how)
	}
	return fmt.Sprintf("%s (%s of %s %s)", in.segmentName(id), chartCount(shown), chartCount(total), how)
}

// finite is the report's one test for a drawable value (udf's num.Finite
// is internal to udf).
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
