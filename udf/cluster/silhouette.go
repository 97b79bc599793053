// Package cluster computes clustering quality metrics on points stored
// row-major in a flat []float64 (n rows of d coordinates) with one integer
// label per row. Labels may be any integers: they are encoded to 0..k-1 in
// increasing order, as scikit-learn's LabelEncoder does.
//
// The definitions follow scikit-learn 1.2 (silhouette_score,
// davies_bouldin_score, calinski_harabasz_score) and MADlib
// (simple_silhouette); every distance is Euclidean.
package cluster

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/custseg/custseg/udf/internal/num"
)

// encoded is a validated input: labels mapped to 0..k-1 and cluster sizes.
type encoded struct {
	n, d, k int
	lab     []int // encoded labels, len n
	size    []int // points per cluster, len k
	// x is the points the metrics measure: the input itself, or the input
	// times scale (a power of two, exact) when its coordinates are so large
	// that squared distances or sums of distances would overflow
	// (num.SafeMagnitude). Silhouettes, Davies-Bouldin and
	// Calinski-Harabasz are ratios of distances, unchanged by the factor;
	// inertia is divided by scale² again.
	x     []float64
	scale float64
}

// encode validates x, d and labels and maps labels to 0..k-1.
func encode(x []float64, d int, labels []int) (*encoded, error) {
	if d < 1 {
		return nil, fmt.Errorf("cluster: dimension must be at least 1, got %d", d)
	}
	if len(x)%d != 0 {
		return nil, fmt.Errorf("cluster: %d coordinates do not form rows of %d", len(x), d)
	}
	n := len(x) / d
	if len(labels) != n {
		return nil, fmt.Errorf("cluster: %d labels for %d points", len(labels), n)
	}
	if n == 0 {
		return nil, errors.New("cluster: no points")
	}
	for i, v := range x {
		if !num.Finite(v) {
			return nil, fmt.Errorf("cluster: point %d coordinate %d is not finite (%v)", i/d, i%d, v)
		}
	}
	uniq := append([]int(nil), labels...)
	sort.Ints(uniq)
	k := 0
	for i, v := range uniq {
		if i == 0 || v != uniq[k-1] {
			uniq[k] = v
			k++
		}
	}
	uniq = uniq[:k]
	e := &encoded{n: n, d: d, k: k, lab: make([]int, n), size: make([]int, k), x: x, scale: 1}
	if s := num.PowerScale(num.MaxAbs(x)); s != 1 {
		e.x, e.scale = make([]float64, len(x)), s
		for i, v := range x {
			e.x[i] = v * s
		}
	}
	for i, v := range labels {
		c := sort.SearchInts(uniq, v)
		e.lab[i] = c
		e.size[c]++
	}
	return e, nil
}

// checkLabelCount is scikit-learn's check_number_of_labels: 2 <= k <= n-1.
func checkLabelCount(k, n int) error {
	if k < 2 || k > n-1 {
		return fmt.Errorf("cluster: %w: number of labels is %d; valid values are 2 to n_samples - 1 (inclusive), n_samples = %d", ErrLabelCount, k, n)
	}
	return nil
}

// Silhouette returns the mean silhouette coefficient over all points, as
// scikit-learn's silhouette_score with the Euclidean metric:
//
//	a(i) = mean distance from i to the other points of its cluster
//	b(i) = min over other clusters C of the mean distance from i to C
//	s(i) = (b(i) - a(i)) / max(a(i), b(i)),  0 when i is alone in its cluster
//
// It needs 2 <= k <= n-1 distinct labels. The cost is n(n-1)/2 distances,
// each computed once, in cache-sized tiles on all GOMAXPROCS cores (AVX2 or
// AVX-512 kernels on amd64; build tag purego for plain Go); memory is
// O(n·(d+k)) per core, never n×n. When workers·k·n sums would pass 512 MB
// (many clusters) a row mode computes each distance twice but keeps only a
// few rows' sums. docs/PERFORMANCE.md has the measured timings.
func Silhouette(x []float64, d int, labels []int) (float64, error) {
	return SilhouetteWith(x, d, labels, SilhouetteOptions{})
}

// SilhouetteProgress is Silhouette with a progress callback (see
// SilhouetteOptions.Progress).
func SilhouetteProgress(x []float64, d int, labels []int, progress func(done, total int)) (float64, error) {
	return SilhouetteWith(x, d, labels, SilhouetteOptions{Progress: progress})
}

// SilhouetteOptions tune SilhouetteWith.
type SilhouetteOptions struct {
	// Progress, if set, is called (never concurrently, from the workers)
	// after each block of rows with the work done out of total, in units
	// proportional to pairs: tiles of tile×tile pairs, nb(nb+1)/2 of them
	// reported in nb calls for nb = ⌈n/tile⌉ (row blocks in row mode).
	Progress func(done, total int)
	// Cancel, if set, is polled by every worker before each block of rows
	// (at most tile rows against all n, a small fraction of a second); once
	// it returns true the workers stop and SilhouetteWith returns an error
	// wrapping ErrCanceled. It is called concurrently from several
	// goroutines, so it must be safe for that (an atomic flag, or
	// func() bool { return ctx.Err() != nil }).
	Cancel func() bool
}

// SilhouetteWith is Silhouette with options. Its result is bit-identical
// from run to run (for the same GOMAXPROCS): each worker handles a fixed
// set of row blocks in a fixed order and the workers' partial sums are
// combined in worker order, never in completion order.
func SilhouetteWith(x []float64, d int, labels []int, opts SilhouetteOptions) (float64, error) {
	s, err := silhouetteSamples(x, d, labels, opts)
	if err != nil {
		return 0, err
	}
	sum := 0.0
	for _, v := range s {
		sum += v
	}
	return sum / float64(len(s)), nil
}

// SilhouetteSamples returns s(i) for every point (see Silhouette), in input order.
func SilhouetteSamples(x []float64, d int, labels []int) ([]float64, error) {
	return silhouetteSamples(x, d, labels, SilhouetteOptions{})
}

// tile is the side of the square blocks of the pair matrix a worker handles
// at once: a column block of tile points (d·tile·8 bytes plus its
// accumulators) stays in L1/L2 while a row block sweeps it.
const tile = 256

func silhouetteSamples(x []float64, d int, labels []int, opts SilhouetteOptions) ([]float64, error) {
	e, err := encode(x, d, labels)
	if err != nil {
		return nil, err
	}
	if err := checkLabelCount(e.k, e.n); err != nil {
		return nil, err
	}
	n, k := e.n, e.k
	x = e.x

	// Sort points by label (counting sort) and store them column-major, so
	// every cluster is a contiguous run and the inner loop walks d
	// contiguous arrays.
	start := make([]int, k+1)
	for c := 0; c < k; c++ {
		start[c+1] = start[c] + e.size[c]
	}
	perm := make([]int, n) // perm[p] = original index of sorted position p
	pos := append([]int(nil), start[:k]...)
	for i, c := range e.lab {
		perm[pos[c]] = i
		pos[c]++
	}
	cols := make([]float64, d*n)
	slab := make([]int, n) // label of sorted position p
	for p, i := range perm {
		for j := 0; j < d; j++ {
			cols[j*n+p] = x[i*d+j]
		}
		slab[p] = e.lab[i]
	}

	nb := (n + tile - 1) / tile
	workers := min(runtime.GOMAXPROCS(0), nb)
	out := make([]float64, n)
	// sil sets s(p) from the sums of distances from sorted point p to each
	// cluster c, found at sums[c*stride].
	sil := func(p int, sums []float64, stride int) {
		own := slab[p]
		if e.size[own] == 1 {
			out[perm[p]] = 0 // alone in its cluster
			return
		}
		a := sums[own*stride] / float64(e.size[own]-1)
		b := math.Inf(1)
		for c := 0; c < k; c++ {
			if c == own {
				continue
			}
			if v := sums[c*stride] / float64(e.size[c]); v < b {
				b = v
			}
		}
		s := 0.0
		if m := math.Max(a, b); m > 0 {
			s = (b - a) / m
		}
		out[perm[p]] = s
	}

	var next atomic.Int64
	var mu sync.Mutex
	done := 0
	report := func(units, total int) {
		if opts.Progress != nil {
			mu.Lock()
			done += units
			opts.Progress(done, total)
			mu.Unlock()
		}
	}
	var canceled atomic.Bool
	stop := func() bool {
		if canceled.Load() {
			return true
		}
		if opts.Cancel != nil && opts.Cancel() {
			canceled.Store(true)
			return true
		}
		return false
	}
	errCanceled := fmt.Errorf("cluster: silhouette of %d points: %w", n, ErrCanceled)
	var wg sync.WaitGroup

	if float64(workers)*float64(k)*float64(n)*8 > symmetricBudget {
		// Row mode, for many clusters: each worker owns blocks of rows and
		// sums every pair of them itself (each distance is computed twice),
		// holding only rows×k sums, so memory stays O(n·d + rows·k).
		rows := max(1, min(tile, rowModeBudget/(8*k)))
		nr := (n + rows - 1) / rows
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ker := newKernel(cols, n, d, slab, start, nil)
				scratch := make([]float64, tile)
				sums := make([]float64, rows*k)
				for {
					ri := int(next.Add(1) - 1)
					if ri >= nr || stop() {
						return
					}
					i0, i1 := ri*rows, min(ri*rows+rows, n)
					ker.rowSums(i0, i1, sums, k, scratch)
					for p := i0; p < i1; p++ {
						sil(p, sums[(p-i0)*k:(p-i0)*k+k], 1)
					}
					report(1, nr)
				}
			}()
		}
		wg.Wait()
		if canceled.Load() {
			return nil, errCanceled
		}
		return out, nil
	}

	// Symmetric mode: each pair once, in tiles (bi, bj ≥ bi); sums[w][c*n+p]
	// is worker w's share of the summed distance from sorted point p to
	// cluster c. Which worker adds which tile is fixed (blockOwner), so
	// every sum is added in the same order on every run: floating-point
	// addition is not associative, and handing blocks to whichever worker
	// is free made the last bits vary.
	sums := make([][]float64, workers)
	totalTiles := nb * (nb + 1) / 2
	for w := 0; w < workers; w++ {
		sums[w] = make([]float64, k*n)
		wg.Add(1)
		go func(w int, acc []float64) {
			defer wg.Done()
			ker := newKernel(cols, n, d, slab, start, acc)
			for bi := 0; bi < nb; bi++ {
				if blockOwner(bi, workers) != w {
					continue
				}
				if stop() {
					return
				}
				ker.rowBlock(bi)
				report(nb-bi, totalTiles) // row block bi covers tiles (bi, bi..nb-1)
			}
		}(w, sums[w])
	}
	wg.Wait()
	if canceled.Load() {
		return nil, errCanceled
	}
	acc := sums[0]
	for w := 1; w < workers; w++ {
		for i, v := range sums[w] {
			acc[i] += v
		}
	}
	for p := 0; p < n; p++ {
		sil(p, acc[p:], n)
	}
	return out, nil
}

// blockOwner is the worker that handles row block bi: blocks are dealt to
// the workers in rounds, alternately forwards and backwards, because row
// block bi holds nb − bi tiles (earlier blocks are heavier) and a snake
// order gives every worker about the same number of tiles.
func blockOwner(bi, workers int) int {
	round, pos := bi/workers, bi%workers
	if round%2 == 1 {
		return workers - 1 - pos
	}
	return pos
}

// symmetricBudget bounds the per-worker k×n sums of the symmetric mode
// (bytes, all workers together); above it the row mode is used.
// rowModeBudget bounds a row-mode worker's rows×k sums. Variables so tests
// can force the row mode.
var (
	symmetricBudget float64 = 512 << 20
	rowModeBudget           = 16 << 20
)

// kernel accumulates, for one worker, the distance sums of the pairs in
// the upper triangle of the (sorted) pair matrix.
type kernel struct {
	cols  []float64 // d×n, column-major
	n, d  int
	slab  []int
	start []int     // cluster c occupies sorted positions start[c]..start[c+1]
	acc   []float64 // k×n
	xi    []float64 // coordinates of the current row point (generic d)
	tmp   []float64 // squared distances of one row against a column run
}

func newKernel(cols []float64, n, d int, slab, start []int, acc []float64) *kernel {
	return &kernel{cols: cols, n: n, d: d, slab: slab, start: start, acc: acc,
		xi: make([]float64, d), tmp: make([]float64, tile)}
}

// rowBlock handles every tile (bi, bj) with bj >= bi: for each row point i
// of block bi and column point j > i, dist(i,j) is added to i's sum for
// label(j) and to j's sum for label(i).
func (kr *kernel) rowBlock(bi int) {
	n := kr.n
	i0 := bi * tile
	i1 := min(i0+tile, n)
	for j0 := i0; j0 < n; j0 += tile {
		j1 := min(j0+tile, n)
		for i := i0; i < i1; i++ {
			lo := j0
			if lo <= i {
				lo = i + 1
			}
			li := kr.slab[i]
			colAcc := kr.acc[li*n : li*n+n]
			// Split [lo, j1) into runs of one label (clusters are contiguous).
			for lo < j1 {
				lj := kr.slab[lo]
				hi := min(j1, kr.start[lj+1])
				kr.acc[lj*n+i] += kr.run(i, lo, hi, colAcc[lo:hi])
				lo = hi
			}
		}
	}
}

// rowSums sets sums[(i−i0)·k + c] to the summed distance from sorted point
// i to cluster c, for i in [i0, i1), visiting the columns tile by tile so a
// column block stays in cache across the rows. dist(i, i) = 0 adds nothing.
func (kr *kernel) rowSums(i0, i1 int, sums []float64, k int, scratch []float64) {
	sums = sums[:(i1-i0)*k]
	for t := range sums {
		sums[t] = 0
	}
	for j0 := 0; j0 < kr.n; j0 += tile {
		j1 := min(j0+tile, kr.n)
		for i := i0; i < i1; i++ {
			row := sums[(i-i0)*k : (i-i0)*k+k]
			for lo := j0; lo < j1; {
				lj := kr.slab[lo]
				hi := min(j1, kr.start[lj+1])
				// scratch only absorbs the per-column additions.
				row[lj] += kr.run(i, lo, hi, scratch[:hi-lo])
				lo = hi
			}
		}
	}
}

// run adds dist(i, j) to colAcc[j−lo] for j in [lo, hi) (colAcc holds
// hi−lo entries) and returns their sum.
func (kr *kernel) run(i, lo, hi int, colAcc []float64) float64 {
	n := kr.n
	c := kr.cols
	switch kr.d {
	case 1:
		return run1(c[i], c[lo:hi], colAcc)
	case 2:
		return run2(c[i], c[n+i], c[lo:hi], c[n+lo:n+hi], colAcc)
	case 3:
		return run3(c[i], c[n+i], c[2*n+i], c[lo:hi], c[n+lo:n+hi], c[2*n+lo:2*n+hi], colAcc)
	}
	for dim := 0; dim < kr.d; dim++ {
		kr.xi[dim] = c[dim*n+i]
	}
	sum, done := runN(kr.xi, c, n, lo, hi, colAcc)
	if done == hi-lo {
		return sum
	}
	colAcc = colAcc[done:]
	lo += done
	m := hi - lo
	t := kr.tmp[:m]
	for j := range t {
		t[j] = 0
	}
	for dim := 0; dim < kr.d; dim++ {
		v := kr.xi[dim]
		col := c[dim*n+lo : dim*n+hi]
		col = col[:len(t)]
		for j, cv := range col {
			diff := cv - v
			t[j] += diff * diff
		}
	}
	return sum + sqrtAcc(t, colAcc)
}

func sqrtAccGo(t, acc []float64) float64 {
	acc = acc[:len(t)]
	s0, s1 := 0.0, 0.0
	j := 0
	for ; j+1 < len(t); j += 2 {
		d0 := math.Sqrt(t[j])
		d1 := math.Sqrt(t[j+1])
		acc[j] += d0
		acc[j+1] += d1
		s0 += d0
		s1 += d1
	}
	if j < len(t) {
		d0 := math.Sqrt(t[j])
		acc[j] += d0
		s0 += d0
	}
	return s0 + s1
}

func run1(x0 float64, c0, acc []float64) float64 {
	acc = acc[:len(c0)]
	s := 0.0
	for j, v := range c0 {
		dd := math.Abs(v - x0)
		acc[j] += dd
		s += dd
	}
	return s
}

func run2Go(x0, x1 float64, c0, c1, acc []float64) float64 {
	c1 = c1[:len(c0)]
	acc = acc[:len(c0)]
	s0, s1 := 0.0, 0.0
	j := 0
	for ; j+1 < len(c0); j += 2 {
		a0, b0 := c0[j]-x0, c1[j]-x1
		a1, b1 := c0[j+1]-x0, c1[j+1]-x1
		d0 := math.Sqrt(a0*a0 + b0*b0)
		d1 := math.Sqrt(a1*a1 + b1*b1)
		acc[j] += d0
		acc[j+1] += d1
		s0 += d0
		s1 += d1
	}
	if j < len(c0) {
		a0, b0 := c0[j]-x0, c1[j]-x1
		d0 := math.Sqrt(a0*a0 + b0*b0)
		acc[j] += d0
		s0 += d0
	}
	return s0 + s1
}

func run3Go(x0, x1, x2 float64, c0, c1, c2, acc []float64) float64 {
	c1 = c1[:len(c0)]
	c2 = c2[:len(c0)]
	acc = acc[:len(c0)]
	s0, s1 := 0.0, 0.0
	j := 0
	for ; j+1 < len(c0); j += 2 {
		a0, b0, e0 := c0[j]-x0, c1[j]-x1, c2[j]-x2
		a1, b1, e1 := c0[j+1]-x0, c1[j+1]-x1, c2[j+1]-x2
		d0 := math.Sqrt(a0*a0 + b0*b0 + e0*e0)
		d1 := math.Sqrt(a1*a1 + b1*b1 + e1*e1)
		acc[j] += d0
		acc[j+1] += d1
		s0 += d0
		s1 += d1
	}
	if j < len(c0) {
		a0, b0, e0 := c0[j]-x0, c1[j]-x1, c2[j]-x2
		d0 := math.Sqrt(a0*a0 + b0*b0 + e0*e0)
		acc[j] += d0
		s0 += d0
	}
	return s0 + s1
}
