// Package kmeans fits k-means clusterings (greedy k-means++ seeding, Lloyd
// iterations accelerated with Hamerly's bounds, several restarts) and holds
// the stored segment model that assign_segment applies row by row.
//
// The algorithm follows scikit-learn 1.2's KMeans(algorithm="lloyd"): the
// same seeding, convergence test (labels unchanged, or total squared centre
// shift <= tol · mean feature variance) and empty-cluster relocation. Its
// random numbers differ, so labels and centres match scikit-learn only up to
// the quality of the optimum found, not bit for bit.
package kmeans

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/custseg/custseg/udf/internal/num"
)

// Options tune Fit. Zero values select the defaults.
type Options struct {
	NInit   int     // restarts, best inertia wins (default DefaultNInit)
	Seed    int64   // random seed; equal seeds give identical results
	MaxIter int     // Lloyd iterations per restart (default DefaultMaxIter)
	Tol     float64 // relative tolerance (default DefaultTol); negative means 0
}

// Result is a fitted clustering.
type Result struct {
	Centroids []float64 // k×d, row-major
	Labels    []int     // cluster of each point, 0..k-1
	Inertia   float64   // Σ_i ||x_i − c_label(i)||²; +Inf when it exceeds the float64 range
	Iter      int       // Lloyd iterations of the winning restart
	K, D      int
}

// Fit clusters the n points of x (row-major, n×d) into k clusters.
//
// Each restart seeds with greedy k-means++ (2+⌊ln k⌋ candidates per centre,
// the one lowering the potential most wins), then iterates Lloyd steps until
// the labels stop changing or Σ_c ||c_new − c_old||² <= tol·mean_j var(x_j).
// An empty cluster takes the point farthest from its own centre. After the
// last step the centres are moved to their members' means and the points
// reassigned until no label changes (see finish), so Labels are each
// point's nearest centre (ties → lowest index) and Centroids are the means
// of their members: the stored inertia is the one the inertia aggregate
// measures from the labels. Restarts run on all
// GOMAXPROCS cores; each has its own random stream derived from (Seed,
// restart), so the result does not depend on the number of cores.
//
// Any finite input is accepted: when coordinates are so large that squared
// distances would overflow (beyond num.SafeMagnitude), Fit works on x times
// a power of two (exact) and scales the centroids back, so labels and
// centroids are those of the unscaled problem; only Inertia may then be
// +Inf, when the true value exceeds the float64 range.
func Fit(x []float64, n, d, k int, opts Options) (*Result, error) {
	s := num.PowerScale(num.MaxAbs(x))
	if s != 1 {
		xs := make([]float64, len(x))
		for i, v := range x {
			xs[i] = v * s
		}
		x = xs
	}
	if err := validate(x, n, d, k); err != nil {
		return nil, err
	}
	if opts.NInit <= 0 {
		opts.NInit = DefaultNInit
	}
	if opts.MaxIter <= 0 {
		opts.MaxIter = DefaultMaxIter
	}
	switch {
	case opts.Tol == 0:
		opts.Tol = DefaultTol
	case opts.Tol < 0:
		opts.Tol = 0
	}
	tol := opts.Tol * meanVariance(x, n, d)

	results := make([]*Result, opts.NInit)
	workers := min(runtime.GOMAXPROCS(0), opts.NInit)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := newWorkspace(n, d, k)
			for {
				r := int(next.Add(1) - 1)
				if r >= opts.NInit {
					return
				}
				rng := rand.New(rand.NewPCG(uint64(opts.Seed), uint64(r)))
				results[r] = ws.run(x, rng, opts.MaxIter, tol)
			}
		}()
	}
	wg.Wait()
	best := results[0]
	for _, r := range results[1:] {
		if r.Inertia < best.Inertia {
			best = r
		}
	}
	if s != 1 {
		for i := range best.Centroids {
			best.Centroids[i] /= s
		}
		best.Inertia /= s * s
	}
	return best, nil
}

func validate(x []float64, n, d, k int) error {
	switch {
	case n < 1:
		return fmt.Errorf("kmeans: no rows to cluster")
	case d < 1:
		return fmt.Errorf("kmeans: no features (d = %d)", d)
	case len(x) != n*d:
		return fmt.Errorf("kmeans: %d values do not make %d rows of %d features", len(x), n, d)
	case k < 1:
		return fmt.Errorf("kmeans: k must be at least 1, got %d", k)
	case k > n:
		return fmt.Errorf("kmeans: k = %d is more than the %d rows", k, n)
	}
	for i, v := range x {
		if !num.Finite(v) {
			return fmt.Errorf("kmeans: row %d feature %d is not a finite number (%v)", i/d, i%d, v)
		}
	}
	if distinct := countDistinct(x, n, d, k); distinct < k {
		return fmt.Errorf("kmeans: k = %d but the data has only %d distinct rows", k, distinct)
	}
	return nil
}

// countDistinct counts distinct rows, stopping once it reaches limit.
func countDistinct(x []float64, n, d, limit int) int {
	seen := make(map[string]struct{}, limit)
	key := make([]byte, 8*d)
	for i := 0; i < n && len(seen) < limit; i++ {
		for j := 0; j < d; j++ {
			b := math.Float64bits(x[i*d+j] + 0) // +0 folds −0 into 0
			for t := 0; t < 8; t++ {
				key[8*j+t] = byte(b >> (8 * t))
			}
		}
		if _, ok := seen[string(key)]; !ok {
			seen[string(key)] = struct{}{}
		}
	}
	return len(seen)
}

// meanVariance is mean_j var(x_j) with population variances, as
// scikit-learn's _tolerance.
func meanVariance(x []float64, n, d int) float64 {
	total := 0.0
	for j := 0; j < d; j++ {
		mean := 0.0
		for i := 0; i < n; i++ {
			mean += x[i*d+j]
		}
		mean /= float64(n)
		v := 0.0
		for i := 0; i < n; i++ {
			t := x[i*d+j] - mean
			v += t * t
		}
		total += v / float64(n)
	}
	return total / float64(d)
}

// workspace holds every buffer of one restart, reused across restarts so
// iterations do not allocate.
type workspace struct {
	n, d, k  int
	centers  []float64 // k×d
	sums     []float64 // k×d, new centres before division
	counts   []int
	shift    []float64 // distance each centre moved
	half     []float64 // half the distance to the nearest other centre
	labels   []int
	upper    []float64 // upper bound on the distance to the own centre
	lower    []float64 // lower bound on the distance to any other centre
	closest  []float64 // k-means++: squared distance to the nearest chosen centre
	cand     []float64 // k-means++: same, with a candidate added
	bestCand []float64
	cum      []float64
	far      []int
}

func newWorkspace(n, d, k int) *workspace {
	return &workspace{n: n, d: d, k: k,
		centers: make([]float64, k*d), sums: make([]float64, k*d), counts: make([]int, k),
		shift: make([]float64, k), half: make([]float64, k),
		labels: make([]int, n),
		upper:  make([]float64, n), lower: make([]float64, n),
		closest: make([]float64, n), cand: make([]float64, n), bestCand: make([]float64, n),
		cum: make([]float64, n), far: make([]int, 0, k),
	}
}

func (w *workspace) run(x []float64, rng *rand.Rand, maxIter int, tol float64) *Result {
	w.seed(x, rng)
	iter := w.lloyd(x, maxIter, tol)
	inertia := w.finish(x, maxIter)
	return &Result{
		Centroids: append([]float64(nil), w.centers...),
		Labels:    append([]int(nil), w.labels...),
		Inertia:   inertia, Iter: iter, K: w.k, D: w.d,
	}
}

// seed is greedy k-means++ (scikit-learn's _kmeans_plusplus): the first
// centre is a uniformly drawn point; each next one is the best, by resulting
// potential Σ_i min_c ||x_i − c||², of 2+⌊ln k⌋ points drawn with
// probability proportional to their squared distance to the chosen centres.
func (w *workspace) seed(x []float64, rng *rand.Rand) {
	n, d, k := w.n, w.d, w.k
	trials := 2 + int(math.Log(float64(k)))
	first := rng.IntN(n)
	copy(w.centers[:d], x[first*d:first*d+d])
	for i := 0; i < n; i++ {
		w.closest[i] = num.SqDist(x[i*d:i*d+d], w.centers[:d])
	}
	for c := 1; c < k; c++ {
		s := 0.0
		for i, v := range w.closest {
			s += v
			w.cum[i] = s
		}
		bestPot, bestID := math.Inf(1), -1
		for t := 0; t < trials; t++ {
			rv := rng.Float64() * s
			if rv <= 0 {
				rv = math.SmallestNonzeroFloat64
			}
			id := searchLeft(w.cum, rv)
			cp := candidatePotential(x, d, x[id*d:id*d+d], w.closest, w.cand)
			// The first candidate is taken even when its potential is not
			// below +Inf or is NaN, so a centre is always chosen (Fit keeps
			// magnitudes where this cannot happen; this keeps seed total).
			if cp < bestPot || bestID < 0 {
				bestPot, bestID = cp, id
				w.cand, w.bestCand = w.bestCand, w.cand
			}
		}
		copy(w.centers[c*d:c*d+d], x[bestID*d:bestID*d+d])
		w.closest, w.bestCand = w.bestCand, w.closest
	}
}

// candidatePotential sets cand[i] = min(closest[i], ‖x_i − row‖²) for every
// point and returns Σ cand[i], the potential if row became a centre: the
// inner loop of greedy k-means++, run k·(2+ln k) times per restart over all
// n points. d = 2 and 3 get straight-line loops (no per-point slicing); the
// arithmetic is num.SqDist's, in the same order, so the result is bit-identical.
func candidatePotential(x []float64, d int, row, closest, cand []float64) float64 {
	n := len(closest)
	cand = cand[:n]
	cp := 0.0
	switch d {
	case 3:
		x = x[:3*n]
		r0, r1, r2 := row[0], row[1], row[2]
		for i, old := range closest {
			a, b, c := x[3*i]-r0, x[3*i+1]-r1, x[3*i+2]-r2
			v := a*a + b*b + c*c
			if old < v {
				v = old
			}
			cand[i] = v
			cp += v
		}
	case 2:
		x = x[:2*n]
		r0, r1 := row[0], row[1]
		for i, old := range closest {
			a, b := x[2*i]-r0, x[2*i+1]-r1
			v := a*a + b*b
			if old < v {
				v = old
			}
			cand[i] = v
			cp += v
		}
	default:
		for i, old := range closest {
			v := num.SqDist(x[i*d:i*d+d], row)
			if old < v {
				v = old
			}
			cand[i] = v
			cp += v
		}
	}
	return cp
}

// searchLeft returns the first index i with cum[i] >= v, clipped to len−1
// (numpy.searchsorted side="left" then clip, as scikit-learn).
func searchLeft(cum []float64, v float64) int {
	lo, hi := 0, len(cum)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cum[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo >= len(cum) {
		lo = len(cum) - 1
	}
	return lo
}

// nearest2 returns the nearest centre of row (lowest index on ties), its
// distance and the distance to the second nearest (+Inf when k = 1).
func (w *workspace) nearest2(row []float64) (int, float64, float64) {
	d := w.d
	best, b1, b2 := 0, math.Inf(1), math.Inf(1)
	if d == 3 {
		// The common RFM case, without per-centre slicing; same
		// arithmetic as num.SqDist.
		r0, r1, r2 := row[0], row[1], row[2]
		cs := w.centers[:3*w.k]
		for c := 0; c < w.k; c++ {
			a, b, e := r0-cs[3*c], r1-cs[3*c+1], r2-cs[3*c+2]
			v := a*a + b*b + e*e
			if v < b1 {
				b2 = b1
				b1, best = v, c
			} else if v < b2 {
				b2 = v
			}
		}
		return best, math.Sqrt(b1), math.Sqrt(b2)
	}
	for c := 0; c < w.k; c++ {
		v := num.SqDist(row, w.centers[c*d:c*d+d])
		if v < b1 {
			b2 = b1
			b1, best = v, c
		} else if v < b2 {
			b2 = v
		}
	}
	return best, math.Sqrt(b1), math.Sqrt(b2)
}

// lloyd runs Lloyd iterations with Hamerly's bounds: a point whose upper
// bound on the distance to its centre is below both its lower bound on the
// distance to any other centre and half the distance from its centre to the
// nearest other one cannot change cluster, so it is skipped. The bounds
// make the steps exact, not approximate. It returns the iterations run.
func (w *workspace) lloyd(x []float64, maxIter int, tol float64) int {
	n, d, k := w.n, w.d, w.k
	for i := 0; i < n; i++ {
		w.labels[i], w.upper[i], w.lower[i] = w.nearest2(x[i*d : i*d+d])
	}
	iter := 0
	for iter < maxIter {
		iter++
		// M-step: new centres from the current labels.
		for i := range w.sums {
			w.sums[i] = 0
		}
		for c := range w.counts {
			w.counts[c] = 0
		}
		if d == 3 {
			xs, sums := x[:3*n], w.sums[:3*k]
			for i, l := range w.labels {
				sums[3*l] += xs[3*i]
				sums[3*l+1] += xs[3*i+1]
				sums[3*l+2] += xs[3*i+2]
				w.counts[l]++
			}
		} else {
			for i, l := range w.labels {
				row := x[i*d : i*d+d]
				s := w.sums[l*d : l*d+d]
				for j, v := range row {
					s[j] += v
				}
				w.counts[l]++
			}
		}
		relocated := w.relocateEmpty(x)
		shiftTot, maxShift, maxShift2, maxC := 0.0, 0.0, 0.0, -1
		for c := 0; c < k; c++ {
			inv := 1 / float64(w.counts[c])
			cc := w.centers[c*d : c*d+d]
			s := w.sums[c*d : c*d+d]
			sh := 0.0
			for j := range cc {
				nv := s[j] * inv
				t := nv - cc[j]
				sh += t * t
				cc[j] = nv
			}
			shiftTot += sh
			w.shift[c] = math.Sqrt(sh)
			if w.shift[c] > maxShift {
				maxShift2 = maxShift
				maxShift, maxC = w.shift[c], c
			} else if w.shift[c] > maxShift2 {
				maxShift2 = w.shift[c]
			}
		}
		// Half distances to the nearest other centre.
		for c := 0; c < k; c++ {
			m := math.Inf(1)
			for o := 0; o < k; o++ {
				if o != c {
					m = math.Min(m, num.SqDist(w.centers[c*d:c*d+d], w.centers[o*d:o*d+d]))
				}
			}
			w.half[c] = 0.5 * math.Sqrt(m)
		}
		// E-step with bounds.
		changed := relocated
		for i := 0; i < n; i++ {
			l := w.labels[i]
			w.upper[i] += w.shift[l]
			if l == maxC {
				w.lower[i] -= maxShift2
			} else {
				w.lower[i] -= maxShift
			}
			// max(half, lower) by hand: math.Max's NaN and ±0 handling is
			// not inlined, and bounds are never NaN.
			m := w.half[l]
			if lo := w.lower[i]; lo > m {
				m = lo
			}
			if w.upper[i] <= m {
				continue
			}
			row := x[i*d : i*d+d]
			w.upper[i] = math.Sqrt(num.SqDist(row, w.centers[l*d:l*d+d]))
			if w.upper[i] <= m {
				continue
			}
			nl, u, lo := w.nearest2(row)
			w.labels[i], w.upper[i], w.lower[i] = nl, u, lo
			if nl != l {
				changed = true
			}
		}
		if !changed || shiftTot <= tol {
			break
		}
	}
	return iter
}

// relocateEmpty gives each empty cluster the point farthest from its current
// centre (scikit-learn's _relocate_empty_clusters_dense), taking it out of
// its old cluster's sum.
func (w *workspace) relocateEmpty(x []float64) bool {
	d := w.d
	empty := 0
	for _, c := range w.counts {
		if c == 0 {
			empty++
		}
	}
	if empty == 0 {
		return false
	}
	// The `empty` farthest points, farthest first (ties → lowest index).
	w.far = w.far[:0]
	for t := 0; t < empty; t++ {
		best, bestD := -1, -1.0
		for i, l := range w.labels {
			if w.counts[l] <= 1 || slices.Contains(w.far, i) {
				continue
			}
			if v := num.SqDist(x[i*d:i*d+d], w.centers[l*d:l*d+d]); v > bestD {
				best, bestD = i, v
			}
		}
		if best < 0 {
			break
		}
		w.far = append(w.far, best)
	}
	t := 0
	for c, cnt := range w.counts {
		if cnt != 0 || t >= len(w.far) {
			continue
		}
		i := w.far[t]
		t++
		old := w.labels[i]
		row := x[i*d : i*d+d]
		for j, v := range row {
			w.sums[old*d+j] -= v
			w.sums[c*d+j] = v
		}
		w.counts[old]--
		w.counts[c] = 1
		w.labels[i] = c
		w.upper[i] = 0
		w.lower[i] = 0 // unknown: forces a full check next time
	}
	return true
}

// finish makes the centres the means of their members and the labels the
// nearest centres at once: starting from the last Lloyd step (whose
// tolerance may stop it while the centres still move a little), it assigns
// every point exactly, moves each non-empty cluster's centre to its
// members' mean and repeats until no label changes (at most maxIter times;
// each round lowers the inertia, so it ends). It returns the inertia of the
// final centres, so the stored inertia equals Σ ||x − member mean||², what
// the inertia aggregate computes from the labels.
func (w *workspace) finish(x []float64, maxIter int) float64 {
	d := w.d
	prev := make([]int, w.n)
	inertia := w.assignExact(x)
	for round := 0; round < maxIter; round++ {
		for i := range w.sums {
			w.sums[i] = 0
		}
		for c := range w.counts {
			w.counts[c] = 0
		}
		for i, l := range w.labels {
			s := w.sums[l*d : l*d+d]
			for j, v := range x[i*d : i*d+d] {
				s[j] += v
			}
			w.counts[l]++
		}
		for c, cnt := range w.counts {
			if cnt == 0 {
				continue // an empty cluster keeps its centre
			}
			inv := 1 / float64(cnt)
			for j := 0; j < d; j++ {
				w.centers[c*d+j] = w.sums[c*d+j] * inv
			}
		}
		copy(prev, w.labels)
		inertia = w.assignExact(x)
		if slices.Equal(prev, w.labels) {
			break
		}
	}
	return inertia
}

// assignExact assigns every point to its nearest centre (ties → lowest
// index) and returns the inertia.
func (w *workspace) assignExact(x []float64) float64 {
	d := w.d
	inertia := 0.0
	if d == 3 {
		// Same arithmetic as num.SqDist, without per-point slicing.
		xs, cs := x[:3*w.n], w.centers[:3*w.k]
		for i := 0; i < w.n; i++ {
			r0, r1, r2 := xs[3*i], xs[3*i+1], xs[3*i+2]
			best, bv := 0, math.Inf(1)
			for c := 0; c < w.k; c++ {
				a, b, e := r0-cs[3*c], r1-cs[3*c+1], r2-cs[3*c+2]
				if v := a*a + b*b + e*e; v < bv {
					best, bv = c, v
				}
			}
			w.labels[i] = best
			inertia += bv
		}
		return inertia
	}
	for i := 0; i < w.n; i++ {
		row := x[i*d : i*d+d]
		best, bv := 0, math.Inf(1)
		for c := 0; c < w.k; c++ {
			if v := num.SqDist(row, w.centers[c*d:c*d+d]); v < bv {
				best, bv = c, v
			}
		}
		w.labels[i] = best
		inertia += bv
	}
	return inertia
}
