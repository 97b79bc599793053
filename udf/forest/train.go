package forest

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/custseg/custseg/udf/dataset"
	"github.com/custseg/custseg/udf/tree"
)

// Train grows a forest on d, the trees in parallel on GOMAXPROCS cores.
//
// Tree t draws from its own random stream, PCG(Seed, t): first a bootstrap
// sample of n rows drawn with replacement from the n training rows (a row
// drawn c times weighs c, as scikit-learn's sample weights), then, at each
// node, the features in a random order. It tries at least MaxFeatures of
// them, and more while all it tried were constant at the node, and takes
// the cut of least weighted Gini impurity among them, i.e. the largest
//
//	Σ_k L_k²/W_L + Σ_k R_k²/W_R − Σ_k K_k²/W_K
//
// for the weighted class counts L, R of the two children and K of the rows
// that know the feature (rows missing it are left out of the score). Cuts
// are those of tree.Train's CART: numeric features at the midpoint of
// consecutive distinct values (tree.Midpoint), categorical ones one
// category against the rest. min_samples_leaf and min_samples_split count
// distinct rows, as in scikit-learn; a node is a leaf when pure, at
// max_depth, or when no cut leaves min_samples_leaf rows on both sides;
// trees grow fully by default. Rows missing the split's feature follow the
// child of larger training weight (tree.MissingMajorityChild).
//
// The model stores the out-of-bag accuracy: each training row predicted by
// the mean leaf fractions of the trees whose bootstrap did not draw it.
func Train(d *dataset.Dataset, p Params) (*Model, error) {
	p = p.resolve()
	if err := p.check(len(d.Features)); err != nil {
		return nil, err
	}
	mtry, _ := p.tries(len(d.Features))
	e, err := d.Encode()
	if err != nil {
		return nil, fmt.Errorf("forest: %w", err)
	}
	n := len(e.Y)
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("forest: %d training rows, at most %d", n, math.MaxInt32)
	}
	m := &Model{Kind: tree.Kind, Algorithm: Algorithm, Criterion: tree.DefaultCriterion, Params: p,
		Missing: tree.MissingMajorityChild, Features: e.Features, Classes: e.Classes, Trees: make([]*tree.Node, p.NTrees)}
	inBag := make([][]bool, p.NTrees)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), p.NTrees) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := newGrower(e, p, mtry)
			for t := int(next.Add(1) - 1); t < p.NTrees; t = int(next.Add(1) - 1) {
				m.Trees[t], inBag[t] = g.tree(uint64(t))
			}
		}()
	}
	wg.Wait()
	m.OOBAccuracy = oob(m, d, inBag)
	return m, m.Validate()
}

// oob returns the out-of-bag accuracy, nil when every row is in every
// bootstrap. Each row sums its trees in tree order, so the result does
// not depend on the scheduling.
func oob(m *Model, d *dataset.Dataset, inBag [][]bool) *float64 {
	n := len(d.Rows)
	hits := make([]int8, n) // 1 hit, 0 miss, -1 in every bootstrap
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := make([]float64, len(m.Classes))
			for i := w; i < n; i += workers {
				clear(p)
				seen := false
				for t, root := range m.Trees {
					if !inBag[t][i] {
						addLeaf(p, leaf(root, m.Features, d.Rows[i]))
						seen = true
					}
				}
				switch {
				case !seen:
					hits[i] = -1
				case m.Classes[dataset.Argmax(p)] == d.Labels[i]:
					hits[i] = 1
				}
			}
		}()
	}
	wg.Wait()
	hit, total := 0, 0
	for _, h := range hits {
		if h >= 0 {
			total++
			hit += int(h)
		}
	}
	if total == 0 {
		return nil
	}
	acc := float64(hit) / float64(total)
	return &acc
}

// grower grows trees on one core; its buffers are reused from tree to
// tree.
type grower struct {
	e     *dataset.Encoded
	p     Params
	mtry  int
	nc    int
	rng   *rand.Rand
	w     []float64 // bootstrap weight of each training row
	feats []int     // the features in this node's random order
	pairs []pair    // the node's known values of one feature, sorted
	tmp   []int32   // partition scratch
	known []float64 // class counts of the rows knowing the feature
	left  []float64
	right []float64
	catW  []float64 // categorical: class counts per category
	catN  []int     // categorical: rows per category
}

type pair struct {
	v float64
	i int32
}

func newGrower(e *dataset.Encoded, p Params, mtry int) *grower {
	n, nc := len(e.Y), len(e.Classes)
	g := &grower{e: e, p: p, mtry: mtry, nc: nc, w: make([]float64, n), feats: make([]int, len(e.Features)),
		pairs: make([]pair, 0, n), tmp: make([]int32, 0, n),
		known: make([]float64, nc), left: make([]float64, nc), right: make([]float64, nc)}
	return g
}

// tree grows tree t and returns it with its bootstrap's membership.
func (g *grower) tree(t uint64) (*tree.Node, []bool) {
	g.rng = rand.New(rand.NewPCG(g.p.Seed, t))
	n := len(g.w)
	clear(g.w)
	for range n {
		g.w[g.rng.IntN(n)]++
	}
	in := make([]bool, n)
	rows := make([]int32, 0, n)
	for i, w := range g.w {
		if w > 0 {
			in[i] = true
			rows = append(rows, int32(i))
		}
	}
	return g.grow(rows, 0), in
}

// split is the best cut found at a node.
type split struct {
	feature   int
	score     float64
	threshold float64 // numeric
	category  int     // categorical
}

func (g *grower) counts(rows []int32) []float64 {
	c := make([]float64, g.nc)
	for _, i := range rows {
		c[g.e.Y[i]] += g.w[i]
	}
	return c
}

func (g *grower) grow(rows []int32, depth int) *tree.Node {
	n := &tree.Node{Counts: g.counts(rows)}
	nonzero := 0
	for _, c := range n.Counts {
		if c > 0 {
			nonzero++
		}
	}
	if nonzero <= 1 || (g.p.MaxDepth > 0 && depth >= g.p.MaxDepth) || len(rows) < g.p.MinSamplesSplit ||
		len(rows) < 2*g.p.MinSamplesLeaf {
		return n
	}
	best := split{feature: -1, score: math.Inf(-1)}
	for j := range g.feats {
		g.feats[j] = j
	}
	tried, varied := 0, false
	for k := range g.feats {
		if tried >= g.mtry && varied {
			break
		}
		r := k + g.rng.IntN(len(g.feats)-k)
		g.feats[k], g.feats[r] = g.feats[r], g.feats[k]
		j := g.feats[k]
		tried++
		var ok bool
		if g.e.Num[j] != nil {
			ok = g.numeric(rows, j, &best)
		} else {
			ok = g.categorical(rows, j, &best)
		}
		varied = varied || ok
	}
	if best.feature < 0 {
		return n
	}
	j := best.feature
	f := g.e.Features[j]
	s := &tree.Split{Feature: j}
	goLeft := func(i int32) bool { return g.e.Cat[j][i] == best.category }
	missing := func(i int32) bool { return g.e.Cat[j][i] < 0 }
	if f.Type == dataset.Numeric {
		s.Op, s.Threshold = tree.OpLE, best.threshold
		col := g.e.Num[j]
		goLeft = func(i int32) bool { return col[i] <= best.threshold }
		missing = func(i int32) bool { return math.IsNaN(col[i]) }
	} else {
		s.Op, s.Values = tree.OpEq, []string{f.Categories[best.category]}
	}
	// Known rows to their side, then the missing ones to the heavier side.
	var wl, wr float64
	for _, i := range rows {
		switch {
		case missing(i):
		case goLeft(i):
			wl += g.w[i]
		default:
			wr += g.w[i]
		}
	}
	if wr > wl {
		s.Default = 1
	}
	side := func(i int32) bool { // true = left
		if missing(i) {
			return s.Default == 0
		}
		return goLeft(i)
	}
	tmp := g.tmp[:0]
	nl := 0
	for _, i := range rows {
		if side(i) {
			rows[nl] = i
			nl++
		} else {
			tmp = append(tmp, i)
		}
	}
	copy(rows[nl:], tmp)
	n.Split = s
	n.Children = []*tree.Node{g.grow(rows[:nl], depth+1), g.grow(rows[nl:], depth+1)}
	return n
}

// sumSq returns Σ_k c_k²/w (0 when w is 0).
func sumSq(c []float64, w float64) float64 {
	if w == 0 {
		return 0
	}
	s := 0.0
	for _, v := range c {
		s += v * v
	}
	return s / w
}

// numeric scores the cuts of numeric feature j at the node, updating best;
// it reports whether the feature varies there.
func (g *grower) numeric(rows []int32, j int, best *split) bool {
	col := g.e.Num[j]
	ps := g.pairs[:0]
	for _, i := range rows {
		if v := col[i]; !math.IsNaN(v) {
			ps = append(ps, pair{v, i})
		}
	}
	if len(ps) < 2 {
		return false
	}
	slices.SortFunc(ps, func(a, b pair) int { return cmp.Compare(a.v, b.v) })
	if ps[len(ps)-1].v <= ps[0].v+tree.FeatureThreshold {
		return false
	}
	clear(g.known)
	wk := 0.0
	for _, q := range ps {
		g.known[g.e.Y[q.i]] += g.w[q.i]
		wk += g.w[q.i]
	}
	base := sumSq(g.known, wk)
	left, right := g.left, g.right
	clear(left)
	copy(right, g.known)
	wl := 0.0
	minLeaf := g.p.MinSamplesLeaf
	for p := 1; p < len(ps); p++ {
		prev := ps[p-1]
		w := g.w[prev.i]
		y := g.e.Y[prev.i]
		left[y] += w
		right[y] -= w
		wl += w
		if ps[p].v <= prev.v+tree.FeatureThreshold || p < minLeaf || len(ps)-p < minLeaf {
			continue
		}
		if sc := sumSq(left, wl) + sumSq(right, wk-wl) - base; sc > best.score {
			*best = split{feature: j, score: sc, threshold: tree.Midpoint(prev.v, ps[p].v)}
		}
	}
	return true
}

// categorical scores the one-vs-rest cuts of categorical feature j at the
// node, updating best; it reports whether the feature varies there.
func (g *grower) categorical(rows []int32, j int, best *split) bool {
	col := g.e.Cat[j]
	nk := len(g.e.Features[j].Categories)
	g.catW = slices.Grow(g.catW[:0], nk*g.nc)[:nk*g.nc]
	g.catN = slices.Grow(g.catN[:0], nk)[:nk]
	clear(g.catW)
	clear(g.catN)
	clear(g.known)
	wk, known := 0.0, 0
	for _, i := range rows {
		if c := col[i]; c >= 0 {
			g.catW[c*g.nc+g.e.Y[i]] += g.w[i]
			g.catN[c]++
			g.known[g.e.Y[i]] += g.w[i]
			wk += g.w[i]
			known++
		}
	}
	present := 0
	for _, c := range g.catN {
		if c > 0 {
			present++
		}
	}
	if present < 2 {
		return false
	}
	base := sumSq(g.known, wk)
	minLeaf := g.p.MinSamplesLeaf
	for c, nr := range g.catN {
		if nr < minLeaf || known-nr < minLeaf {
			continue
		}
		left := g.catW[c*g.nc : (c+1)*g.nc]
		wl := dataset.Sum(left)
		for k := range g.right {
			g.right[k] = g.known[k] - left[k]
		}
		if sc := sumSq(left, wl) + sumSq(g.right, wk-wl) - base; sc > best.score {
			*best = split{feature: j, score: sc, category: c}
		}
	}
	return true
}
