package knn

import (
	"container/heap"
	"math"

	"gonum.org/v1/gonum/spatial/kdtree"
)

// newSearcher indexes the standardised row-major points pts of nf features
// in gonum's k-d tree: BenchmarkSearch measured it against a tight scan
// (brute, in the tests) with 100,000 stored points and 3 and 8 features,
// and the tree was faster at both (docs/PERFORMANCE.md), so there is one
// search path.
func newSearcher(pts []float64, nf int) searcher {
	return newKDTree(pts, nf)
}

// kdPoint is a standardised training row for gonum's k-d tree.
type kdPoint struct {
	v []float64
	i int
}

func (p kdPoint) Compare(c kdtree.Comparable, d kdtree.Dim) float64 {
	return p.v[d] - c.(kdPoint).v[d]
}

func (p kdPoint) Dims() int { return len(p.v) }

// Distance is the squared Euclidean distance, summed in feature order as
// brute's, so that both searches see the same ties.
func (p kdPoint) Distance(c kdtree.Comparable) float64 {
	q := c.(kdPoint).v
	s := 0.0
	for j, v := range p.v {
		t := v - q[j]
		s += t * t
	}
	return s
}

type kdPoints []kdPoint

func (p kdPoints) Index(i int) kdtree.Comparable         { return p[i] }
func (p kdPoints) Len() int                              { return len(p) }
func (p kdPoints) Slice(start, end int) kdtree.Interface { return p[start:end] }
func (p kdPoints) Pivot(d kdtree.Dim) int {
	pl := kdPlane{p, d}
	return kdtree.Partition(pl, kdtree.MedianOfRandoms(pl, 100))
}

type kdPlane struct {
	kdPoints
	d kdtree.Dim
}

func (p kdPlane) Less(i, j int) bool { return p.kdPoints[i].v[p.d] < p.kdPoints[j].v[p.d] }
func (p kdPlane) Swap(i, j int)      { p.kdPoints[i], p.kdPoints[j] = p.kdPoints[j], p.kdPoints[i] }
func (p kdPlane) Slice(start, end int) kdtree.SortSlicer {
	p.kdPoints = p.kdPoints[start:end]
	return p
}

type kdTree struct{ t *kdtree.Tree }

func newKDTree(pts []float64, nf int) *kdTree {
	ps := make(kdPoints, len(pts)/nf)
	for i := range ps {
		ps[i] = kdPoint{pts[i*nf : (i+1)*nf : (i+1)*nf], i}
	}
	return &kdTree{kdtree.New(ps, false)}
}

// keeper keeps the k nearest points in gonum's max-heap, ordered by
// distance and then training row (the tree visits a branch whose plane is
// exactly as far as the k-th point, so no tied row is missed).
type keeper struct {
	h kdtree.Heap
	k int
}

func worse(a, b kdtree.ComparableDist) bool {
	if a.Comparable == nil || b.Comparable == nil { // the sentinel is the worst
		return a.Comparable == nil && b.Comparable != nil
	}
	return a.Dist > b.Dist || (a.Dist == b.Dist && a.Comparable.(kdPoint).i > b.Comparable.(kdPoint).i)
}

func (k *keeper) Keep(c kdtree.ComparableDist) {
	if k.h[0].Comparable == nil {
		// still filling: the sentinel (infinitely far) stays on top until
		// k points are kept
		heap.Push(k, c)
		if len(k.h) == k.k+1 {
			heap.Pop(k) // drop the sentinel
		}
		return
	}
	if worse(k.h[0], c) {
		k.h[0] = c
		heap.Fix(k, 0)
	}
}

func (k *keeper) Max() kdtree.ComparableDist { return k.h[0] }
func (k *keeper) Len() int                   { return len(k.h) }
func (k *keeper) Less(i, j int) bool         { return worse(k.h[i], k.h[j]) }
func (k *keeper) Swap(i, j int)              { k.h[i], k.h[j] = k.h[j], k.h[i] }
func (k *keeper) Push(x any)                 { k.h = append(k.h, x.(kdtree.ComparableDist)) }
func (k *keeper) Pop() any {
	x := k.h[len(k.h)-1]
	k.h = k.h[:len(k.h)-1]
	return x
}

func (t *kdTree) nearest(z []float64, k int, out []neighbour) []neighbour {
	kp := &keeper{h: kdtree.Heap{{Dist: math.Inf(1)}}, k: k}
	t.t.NearestSet(kp, kdPoint{v: z, i: -1})
	// NearestSet leaves the heap sorted nearest first
	for _, c := range kp.h {
		if c.Comparable != nil {
			out = append(out, neighbour{c.Dist, c.Comparable.(kdPoint).i})
		}
	}
	return out
}

// points returns the standardised points back in training order (for
// tests that search them by definition).
func (t *kdTree) points() []float64 {
	var pts []float64
	t.t.Do(func(c kdtree.Comparable, _ *kdtree.Bounding, _ int) bool {
		p := c.(kdPoint)
		if pts == nil {
			pts = make([]float64, t.t.Count*len(p.v))
		}
		copy(pts[p.i*len(p.v):], p.v)
		return false
	})
	return pts
}
