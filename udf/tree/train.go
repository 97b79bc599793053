package tree

import (
	"fmt"
	"math"
	"slices"

	"github.com/custseg/custseg/udf/dataset"
	"github.com/custseg/custseg/udf/internal/num"
)

// Defaults of Params (a zero field takes them).
const (
	DefaultCriterion       = "gini"
	DefaultMinSamplesSplit = 2
	DefaultConfidence      = 0.25 // Quinlan's CF
	DefaultBins            = 4
	defaultMinLeafCART     = 1 // as scikit-learn
	defaultMinLeafC45      = 2 // Quinlan's MINOBJS
)

// resolve fills the defaults of p for algo and validates it.
func (p Params) resolve(algo Algorithm) (Params, error) {
	if p.MinSamplesLeaf == 0 {
		p.MinSamplesLeaf = defaultMinLeafCART
		if algo == C45 {
			p.MinSamplesLeaf = defaultMinLeafC45
		}
	}
	if p.MinSamplesSplit == 0 {
		p.MinSamplesSplit = DefaultMinSamplesSplit
	}
	switch algo {
	case CART:
		if p.Criterion == "" {
			p.Criterion = DefaultCriterion
		}
	case C45:
		if p.Confidence == 0 {
			p.Confidence = DefaultConfidence
		}
	case ID3:
		if p.Bins == 0 {
			p.Bins = DefaultBins
		}
	}
	return p, p.check(algo)
}

// check validates resolved parameters (also those of a parsed model).
func (p Params) check(algo Algorithm) error {
	switch {
	case p.MaxDepth < 0:
		return fmt.Errorf("tree: max_depth %d is negative (0 = unlimited)", p.MaxDepth)
	case p.MinSamplesLeaf < 1:
		return fmt.Errorf("tree: min_samples_leaf %d, want at least 1", p.MinSamplesLeaf)
	case p.MinSamplesSplit < 2:
		return fmt.Errorf("tree: min_samples_split %d, want at least 2", p.MinSamplesSplit)
	case algo == CART && p.Criterion != "gini" && p.Criterion != "entropy":
		return fmt.Errorf("tree: criterion %q, want gini or entropy", p.Criterion)
	case algo != CART && p.Criterion != "":
		return fmt.Errorf("tree: criterion %q applies to cart only", p.Criterion)
	case algo == C45 && !(p.Confidence > 0 && p.Confidence < 1):
		return fmt.Errorf("tree: confidence %v, want 0 < CF < 1", p.Confidence)
	case algo != C45 && p.Confidence != 0:
		return fmt.Errorf("tree: confidence applies to c45 only")
	case algo == ID3 && p.Bins < 2:
		return fmt.Errorf("tree: bins %d, want at least 2", p.Bins)
	case algo != ID3 && p.Bins != 0:
		return fmt.Errorf("tree: bins apply to id3 only")
	}
	return nil
}

// Train grows a tree of the given algorithm on d.
//
// CART (Breiman et al. 1984, as scikit-learn's DecisionTreeClassifier):
// binary splits minimising the children's weighted impurity, Gini
// 1 − Σ p_k² or entropy −Σ p_k log2 p_k. Numeric features split at the
// midpoint a/2 + b/2 of consecutive distinct sorted values (values within
// 1e-7 count as equal, as scikit-learn's FEATURE_THRESHOLD); categorical
// features split one-vs-rest (x = c against the rest, which is also where
// an unseen category goes). A node is a leaf when it is pure, at
// max_depth, has fewer than min_samples_split or 2·min_samples_leaf rows,
// or no split leaves min_samples_leaf rows on both sides; otherwise the
// best split is taken even if it gains nothing, as scikit-learn does.
// Ties between equally good splits: the lowest feature index, then the
// lowest threshold (category order for one-vs-rest). scikit-learn breaks
// them by a seeded random feature order instead, the one source of
// different trees on the same rows.
//
// C4.5 (Quinlan 1993, with the threshold correction of Quinlan 1996):
// among the features whose information gain is positive and at least the
// average of those gains, the one with the largest gain ratio
//
//	GainRatio = Gain / SplitInfo,  SplitInfo = −Σ_i (|D_i|/|D|) log2(|D_i|/|D|)
//
// (the rows missing the feature form one more D_i). Categorical features
// split multiway, one child per category present at the node; a numeric
// feature splits at the cut of largest gain, its threshold the largest
// value of the whole training set at or below the midpoint of the cut (as
// C4.5 does, so the threshold is a value of the data), and its gain is
// reduced by log2(t)/|D| for its t candidate thresholds. A split needs at
// least two children with min_samples_leaf rows (Quinlan's MINOBJS, 2 by
// default). The grown tree is pruned bottom-up by pessimistic error:
// a subtree becomes a leaf when
//
//	N·U_CF(E, N) <= Σ_children (estimated errors) + 0.1
//
// where the leaf would misclassify E of its N rows and U_CF(E, N) is the
// upper limit of the one-sided confidence interval of the binomial: the p
// with P(X <= E | N, p) = CF, P(X <= E) = I_{1−p}(N−E, E+1) (the regularised
// incomplete beta; U_CF(0, N) = 1 − CF^(1/N)), CF = 0.25 by default. U_CF is
// solved exactly where C4.5's source approximates it; subtree raising is
// not done.
//
// ID3 (Quinlan 1986): multiway splits of largest information gain,
//
//	Gain = H(D) − Σ_i (|D_i|/|D|) H(D_i)
//
// over categorical features and numeric ones binned into `bins`
// equal-frequency bins (cut points at the type-7 quantiles k/bins of the
// training values, duplicates dropped, stored in Model.Bins); each feature
// is tested once per path; a node is a leaf when pure, when no feature
// gains, or by the stopping parameters (every child needs
// min_samples_leaf rows).
//
// For C4.5 and ID3 ties go to the lowest feature index. Every leaf stores
// its training class counts: Predict returns their fractions. Missing
// values follow MissingMajorityChild.
func Train(d *dataset.Dataset, algo Algorithm, p Params) (*Model, error) {
	if algo != CART && algo != C45 && algo != ID3 {
		return nil, fmt.Errorf("tree: algorithm %q, want cart, c45 or id3", algo)
	}
	p, err := p.resolve(algo)
	if err != nil {
		return nil, err
	}
	e, err := d.Encode()
	if err != nil {
		return nil, fmt.Errorf("tree: %w", err)
	}
	b := &builder{e: e, p: p, algo: algo, vals: make([][]float64, len(e.Features))}
	m := &Model{Kind: Kind, Algorithm: algo, Params: p, Missing: MissingMajorityChild, Features: e.Features, Classes: e.Classes}
	if algo == ID3 {
		b.binAll()
		m.Bins = b.bins
	}
	idx := make([]int, len(e.Y))
	for i := range idx {
		idx[i] = i
	}
	m.Tree = b.grow(idx, 0, make([]bool, len(e.Features)))
	if algo == C45 {
		prune(m.Tree, p.Confidence)
	}
	return m, m.Validate()
}

type builder struct {
	e    *dataset.Encoded
	p    Params
	algo Algorithm
	bins [][]float64 // ID3 cut points per numeric feature
	code [][]int     // ID3: per feature, the category or bin of each row (-1 = missing)
	vals [][]float64 // C4.5: per numeric feature, its distinct known training values, ascending
}

// c45Threshold returns, as C4.5 does, the largest value of feature j in the
// whole training set at or below the midpoint mid (lo, the node's own value
// below the cut, is a lower bound), so that the printed threshold is a value
// the data has.
func (b *builder) c45Threshold(j int, mid, lo float64) float64 {
	if b.vals[j] == nil {
		for _, v := range b.e.Num[j] {
			if !math.IsNaN(v) {
				b.vals[j] = append(b.vals[j], v)
			}
		}
		slices.Sort(b.vals[j])
		b.vals[j] = slices.Compact(b.vals[j])
	}
	k, found := slices.BinarySearch(b.vals[j], mid)
	if !found {
		k--
	}
	return max(b.vals[j][k], lo)
}

// candidate is a chosen split with its known rows per child and the rows
// missing its feature.
type candidate struct {
	split   *Split
	parts   [][]int
	missing []int
}

func (b *builder) grow(idx []int, depth int, used []bool) *Node {
	n := &Node{Counts: b.e.ClassCounts(idx)}
	nonzero := 0
	for _, c := range n.Counts {
		if c > 0 {
			nonzero++
		}
	}
	if nonzero <= 1 || (b.p.MaxDepth > 0 && depth >= b.p.MaxDepth) || len(idx) < b.p.MinSamplesSplit ||
		(b.algo == CART && len(idx) < 2*b.p.MinSamplesLeaf) {
		return n
	}
	var c *candidate
	switch b.algo {
	case CART:
		c = b.bestCART(idx)
	case C45:
		c = b.bestC45(idx)
	default:
		c = b.bestID3(idx, used)
	}
	if c == nil {
		return n
	}
	s := c.split
	for i, part := range c.parts {
		if len(part) > len(c.parts[s.Default]) {
			s.Default = i
		}
	}
	c.parts[s.Default] = append(c.parts[s.Default], c.missing...)
	slices.Sort(c.parts[s.Default])
	n.Split = s
	used = slices.Clone(used)
	used[s.Feature] = true
	for _, part := range c.parts {
		n.Children = append(n.Children, b.grow(part, depth+1, used))
	}
	return n
}

// known splits idx into the rows whose feature j is known, sorted by value
// for a numeric feature (by row on equal values), and those missing it.
func (b *builder) known(idx []int, j int) (known, missing []int) {
	for _, i := range idx {
		if b.isMissing(i, j) {
			missing = append(missing, i)
		} else {
			known = append(known, i)
		}
	}
	if col := b.e.Num[j]; col != nil {
		dataset.SortByValue(known, col)
	}
	return known, missing
}

func (b *builder) isMissing(i, j int) bool {
	if col := b.e.Num[j]; col != nil {
		return math.IsNaN(col[i])
	}
	return b.e.Cat[j][i] < 0
}

// featureThreshold: numeric values closer than this are one value, as
// scikit-learn's FEATURE_THRESHOLD.
const featureThreshold = 1e-7

// sweep calls f for every cut of the known rows (sorted by feature j)
// between distinct values, with the class counts left and right of it.
func (b *builder) sweep(known []int, j int, f func(p int, left, right []float64)) {
	col := b.e.Num[j]
	left := make([]float64, len(b.e.Classes))
	right := b.e.ClassCounts(known)
	for p := 1; p < len(known); p++ {
		y := b.e.Y[known[p-1]]
		left[y]++
		right[y]--
		if col[known[p]] > col[known[p-1]]+featureThreshold {
			f(p, left, right)
		}
	}
}

func (b *builder) impurity(counts []float64) float64 {
	if b.p.Criterion == "entropy" {
		return dataset.Entropy(counts)
	}
	return dataset.Gini(counts)
}

func (b *builder) bestCART(idx []int) *candidate {
	var best *candidate
	bestGain := math.Inf(-1)
	n := float64(len(idx))
	minLeaf := b.p.MinSamplesLeaf
	for j, f := range b.e.Features {
		known, missing := b.known(idx, j)
		nk := float64(len(known))
		base := nk / n * b.impurity(b.e.ClassCounts(known))
		gain := func(left, right []float64, nl float64) float64 {
			return base - (nl*b.impurity(left)+(nk-nl)*b.impurity(right))/n
		}
		if f.Type == dataset.Numeric {
			col := b.e.Num[j]
			bp := -1
			b.sweep(known, j, func(p int, left, right []float64) {
				if p < minLeaf || len(known)-p < minLeaf {
					return
				}
				if g := gain(left, right, float64(p)); g > bestGain {
					bestGain, bp = g, p
				}
			})
			if bp >= 0 {
				lo, hi := col[known[bp-1]], col[known[bp]]
				t := lo/2 + hi/2
				if t == hi || math.IsInf(t, 0) { // rounding, as scikit-learn
					t = lo
				}
				best = &candidate{&Split{Feature: j, Op: OpLE, Threshold: t},
					[][]int{slices.Clone(known[:bp]), slices.Clone(known[bp:])}, missing}
			}
			continue
		}
		col := b.e.Cat[j]
		all := b.e.ClassCounts(known)
		for k := range f.Categories {
			left := make([]float64, len(all))
			nl := 0
			for _, i := range known {
				if col[i] == k {
					left[b.e.Y[i]]++
					nl++
				}
			}
			if nl < minLeaf || len(known)-nl < minLeaf {
				continue
			}
			right := make([]float64, len(all))
			for c := range all {
				right[c] = all[c] - left[c]
			}
			if g := gain(left, right, float64(nl)); g > bestGain {
				bestGain = g
				var in, out []int
				for _, i := range known {
					if col[i] == k {
						in = append(in, i)
					} else {
						out = append(out, i)
					}
				}
				best = &candidate{&Split{Feature: j, Op: OpEq, Values: []string{f.Categories[k]}}, [][]int{in, out}, missing}
			}
		}
	}
	return best
}

// infoGain returns frac·(H(known) − Σ |D_i|/|known| H(D_i)) for the class
// counts of the parts of the known rows, frac = |known|/n.
func infoGain(all []float64, parts [][]float64, n float64) float64 {
	nk := dataset.Sum(all)
	h := dataset.Entropy(all)
	for _, p := range parts {
		h -= dataset.Sum(p) / nk * dataset.Entropy(p)
	}
	return nk / n * h
}

// splitInfo returns −Σ (s_i/n) log2(s_i/n) over the part sizes.
func splitInfo(sizes []float64) float64 { return dataset.Entropy(sizes) }

func (b *builder) bestC45(idx []int) *candidate {
	type option struct {
		c           *candidate
		gain, ratio float64
	}
	var opts []option
	n := float64(len(idx))
	minLeaf := b.p.MinSamplesLeaf
	for j, f := range b.e.Features {
		known, missing := b.known(idx, j)
		all := b.e.ClassCounts(known)
		if f.Type == dataset.Numeric {
			col := b.e.Num[j]
			bp, bg, tries := -1, math.Inf(-1), 0
			b.sweep(known, j, func(p int, left, right []float64) {
				if p < minLeaf || len(known)-p < minLeaf {
					return
				}
				tries++
				if g := infoGain(all, [][]float64{left, right}, n); g > bg {
					bp, bg = p, g
				}
			})
			if bp < 0 {
				continue
			}
			g := bg - math.Log2(float64(tries))/n
			sizes := []float64{float64(bp), float64(len(known) - bp), float64(len(missing))}
			lo, hi := col[known[bp-1]], col[known[bp]]
			opts = append(opts, option{&candidate{&Split{Feature: j, Op: OpLE, Threshold: b.c45Threshold(j, lo/2+hi/2, lo)},
				[][]int{slices.Clone(known[:bp]), slices.Clone(known[bp:])}, missing}, g, g / splitInfo(sizes)})
			continue
		}
		c, counts := b.multiway(known, missing, j, b.e.Cat[j], f.Categories)
		big := 0
		sizes := []float64{float64(len(missing))}
		for _, p := range c.parts {
			if len(p) >= minLeaf {
				big++
			}
			sizes = append(sizes, float64(len(p)))
		}
		if big < 2 {
			continue
		}
		g := infoGain(all, counts, n)
		opts = append(opts, option{c, g, g / splitInfo(sizes)})
	}
	avg, k := 0.0, 0
	for _, o := range opts {
		if o.gain > gainEpsilon {
			avg += o.gain
			k++
		}
	}
	if k == 0 {
		return nil
	}
	avg /= float64(k)
	var best *option
	for i, o := range opts {
		if o.gain > gainEpsilon && o.gain >= avg-gainEpsilon && (best == nil || o.ratio > best.ratio) {
			best = &opts[i]
		}
	}
	return best.c
}

// gainEpsilon absorbs rounding in gain comparisons (a gain this small is
// no gain).
const gainEpsilon = 1e-12

// multiway partitions the known rows by code (category or bin), one part
// per code present, in code order; names labels the split (categories) or
// nil for bins. It returns the candidate and the class counts per part.
func (b *builder) multiway(known, missing []int, j int, code []int, names []string) (*candidate, [][]float64) {
	byCode := map[int][]int{}
	for _, i := range known {
		byCode[code[i]] = append(byCode[code[i]], i)
	}
	keys := make([]int, 0, len(byCode))
	for k := range byCode {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	s := &Split{Feature: j}
	if names != nil {
		s.Op = OpIn
	} else {
		s.Op = OpBin
	}
	c := &candidate{split: s, missing: missing}
	var counts [][]float64
	for _, k := range keys {
		if names != nil {
			s.Values = append(s.Values, names[k])
		} else {
			s.Bins = append(s.Bins, k)
		}
		c.parts = append(c.parts, byCode[k])
		counts = append(counts, b.e.ClassCounts(byCode[k]))
	}
	return c, counts
}

// binAll computes ID3's equal-frequency cut points of every numeric
// feature and the codes of every feature.
func (b *builder) binAll() {
	e := b.e
	b.bins = make([][]float64, len(e.Features))
	b.code = make([][]int, len(e.Features))
	for j := range e.Features {
		if e.Num[j] == nil {
			b.code[j] = e.Cat[j]
			continue
		}
		var vals []float64
		for _, v := range e.Num[j] {
			if !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		slices.Sort(vals)
		var cuts []float64
		for k := 1; k < b.p.Bins && len(vals) > 0; k++ {
			c := num.Quantile7(vals, float64(k)/float64(b.p.Bins))
			if c < vals[len(vals)-1] && (len(cuts) == 0 || c > cuts[len(cuts)-1]) {
				cuts = append(cuts, c)
			}
		}
		b.bins[j] = cuts
		code := make([]int, len(e.Y))
		for i, v := range e.Num[j] {
			code[i] = -1
			if !math.IsNaN(v) {
				code[i] = binOf(cuts, v)
			}
		}
		b.code[j] = code
	}
}

func (b *builder) bestID3(idx []int, used []bool) *candidate {
	var best *candidate
	bestGain := gainEpsilon
	n := float64(len(idx))
	for j, f := range b.e.Features {
		if used[j] {
			continue
		}
		var known, missing []int
		for _, i := range idx {
			if b.code[j][i] < 0 {
				missing = append(missing, i)
			} else {
				known = append(known, i)
			}
		}
		var names []string
		if f.Type == dataset.Categorical {
			names = f.Categories
		}
		c, counts := b.multiway(known, missing, j, b.code[j], names)
		if len(c.parts) < 2 || slices.ContainsFunc(c.parts, func(p []int) bool { return len(p) < b.p.MinSamplesLeaf }) {
			continue
		}
		if g := infoGain(b.e.ClassCounts(known), counts, n); g > bestGain {
			best, bestGain = c, g
		}
	}
	return best
}
