package main

import (
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSilhouetteToySize runs the silhouette side-by-side on 600 points
// (well under a second), custseg alone; with CUSTSEG_BENCH_PEER=1 the
// scikit-learn peer runs too (a few seconds: importing sklearn). The real figures come from
// `go run ./bench/cmd/custseg-bench ...` (docs/PERFORMANCE.md), never from
// go test.
func TestSilhouetteToySize(t *testing.T) {
	// --custseg names any existing file: silhouette never runs the binary, and
	// naming one skips the go build.
	args := []string{"--work", t.TempDir(), "--custseg", os.Args[0], "silhouette", "--n", "600", "--runs", "1"}
	if os.Getenv("CUSTSEG_BENCH_PEER") != "1" {
		args = append(args, "--no-peer")
	} else if err := exec.Command("/usr/bin/python3", "-c", "import sklearn").Run(); err != nil {
		t.Fatalf("CUSTSEG_BENCH_PEER=1 but /usr/bin/python3 has no scikit-learn: %v", err)
	}
	var out strings.Builder
	if err := mainErr(args, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "custseg: silhouette 0.") {
		t.Errorf("no custseg silhouette in the output:\n%s", out.String())
	}
	if !strings.Contains(args[len(args)-1], "no-peer") && !strings.Contains(out.String(), "yes: sklearn") {
		t.Errorf("custseg and scikit-learn disagree (tolerance 1e-9):\n%s", out.String())
	}
}

// TestBlobsAreFixed guards the data every published figure was measured
// on: the same seed must keep giving the same points.
func TestBlobsAreFixed(t *testing.T) {
	x, lab := fourBlobs.points(5, 42)
	if len(x) != 15 || lab[4] != 0 || lab[3] != 3 {
		t.Fatalf("layout changed: %v %v", x, lab)
	}
	y, _ := fourBlobs.points(5, 42)
	for i := range x {
		if x[i] != y[i] || math.IsNaN(x[i]) {
			t.Fatalf("points are not a pure function of the seed: %v vs %v", x, y)
		}
	}
}
