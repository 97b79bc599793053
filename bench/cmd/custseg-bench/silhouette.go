package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/custseg/custseg/udf/cluster"
)

// peerJSON is the line a Python peer prints.
type peerJSON struct {
	Seconds []float64 `json:"seconds"`
	Value   float64   `json:"value"`
	Inertia []float64 `json:"inertia"`
	NIter   []int     `json:"n_iter"`
	N       int       `json:"n"`
	Sklearn string    `json:"sklearn"`
}

// runPython runs bench/peers/SCRIPT with args and decodes its JSON line.
func (e *env) runPython(script string, args ...string) (peerJSON, error) {
	var p peerJSON
	r, err := timeProc(nil, e.python, append([]string{filepath.Join(e.root, "bench", "peers", script)}, args...)...)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		return p, fmt.Errorf("%s: %v in %q", script, err, r.stdout)
	}
	return p, nil
}

func toDurations(s []float64) []time.Duration {
	d := make([]time.Duration, len(s))
	for i, v := range s {
		d[i] = time.Duration(v * float64(time.Second))
	}
	return d
}

func runSilhouette(e *env, args []string) error {
	fs := flag.NewFlagSet("silhouette", flag.ContinueOnError)
	n := fs.Int("n", 200000, "number of 3-D points (4 Gaussian blobs, seed 42)")
	runs := fs.Int("runs", 3, "custseg runs (median reported)")
	peerRuns := fs.Int("peer-runs", 1, "scikit-learn runs (its 200k run takes ~5 min)")
	noPeer := fs.Bool("no-peer", false, "custseg alone (e.g. --n 1000000), with progress")
	tol := fs.Float64("tol", 1e-9, "largest accepted |custseg − sklearn|")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path, x, lab, err := e.pointsFile(fourBlobs, *n)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "silhouette: %d points in 4 blobs (%s); custseg: cluster.Silhouette on %d cores; timing excludes reading the data on both sides\n",
		*n, path, runtime.GOMAXPROCS(0))
	var got float64
	var times []time.Duration
	for r := 0; r < *runs; r++ {
		t0 := time.Now()
		var last time.Time
		progress := func(done, total int) {
			if *noPeer && (time.Since(last) > 5*time.Second || done == total) {
				last = time.Now()
				fmt.Fprintf(os.Stderr, "\r  custseg: %5.1f%% of %d row blocks, %s elapsed", 100*float64(done)/float64(total), total, time.Since(t0).Round(time.Second))
				if done == total {
					fmt.Fprintln(os.Stderr)
				}
			}
		}
		got, err = cluster.SilhouetteProgress(x, 3, lab, progress)
		if err != nil {
			return err
		}
		times = append(times, time.Since(t0))
	}
	cs := median(times)
	pairs := float64(*n) * float64(*n-1) / 2
	fmt.Fprintf(e.out, "custseg: silhouette %.15f; median %s over %d runs = %.3g distinct pairs/s (%.3g distances/s counting both directions)\n",
		got, secs(cs), len(times), pairs/cs.Seconds(), 2*pairs/cs.Seconds())
	if *noPeer {
		fmt.Fprintf(e.out, "load average after: %s\n", loadAvg())
		return nil
	}
	fmt.Fprintf(e.out, "running scikit-learn silhouette_score %d time(s) ...\n", *peerRuns)
	p, err := e.runPython("silhouette.py", path, strconv.Itoa(*peerRuns))
	if err != nil {
		return err
	}
	diff := math.Abs(p.Value - got)
	printTable(e.out, "sklearn "+p.Sklearn, []row{{
		target: fmt.Sprintf("silhouette n=%d", *n),
		peer:   median(toDurations(p.Seconds)), peerRuns: toDurations(p.Seconds),
		custseg: cs, custsegRuns: times,
		agree: fmt.Sprintf("sklearn %.15f, custseg %.15f, |diff| %.1e (tol %.0e)", p.Value, got, diff, *tol),
		ok:    diff <= *tol,
	}})
	return nil
}
