package knn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// BenchmarkSearch measures both searchers on 100,000 stored standardised
// points of 3 and 8 features, 10,000 queries per iteration, k = 5 (the
// figures that chose newSearcher's switch; see docs/PERFORMANCE.md).
// Building the k-d tree is outside the timing: a model builds it once.
func BenchmarkSearch(b *testing.B) {
	const n, queries, k = 100_000, 10_000, 5
	for _, nf := range []int{3, 8} {
		r := rand.New(rand.NewPCG(uint64(nf), 7))
		pts := randomPoints(r, n, nf, false)
		qs := randomPoints(r, queries, nf, false)
		for _, s := range []struct {
			name string
			s    searcher
		}{{"brute", &brute{pts, nf}}, {"kdtree", newKDTree(slices.Clone(pts), nf)}} {
			b.Run(fmt.Sprintf("%s/d=%d", s.name, nf), func(b *testing.B) {
				out := make([]neighbour, 0, k+1)
				for b.Loop() {
					for q := 0; q < len(qs); q += nf {
						out = s.s.nearest(qs[q:q+nf], k, out[:0])
					}
				}
			})
		}
	}
}

// brute, the alternative BenchmarkSearch measures, scans every stored
// point, row-major, abandoning a point as soon as its partial squared
// distance reaches the k-th nearest so far.
type brute struct {
	pts []float64
	nf  int
}

func (b *brute) nearest(z []float64, k int, out []neighbour) []neighbour {
	nf := b.nf
	worst := math.Inf(1)
	for i, off := 0, 0; off < len(b.pts); i, off = i+1, off+nf {
		p := b.pts[off : off+nf : off+nf]
		s := 0.0
		for j, v := range z[:nf] {
			t := v - p[j]
			s += t * t
			if s > worst {
				break
			}
		}
		// rows are scanned in training order, so a later row at the same
		// distance as the k-th never displaces it
		if s < worst || len(out) < k {
			out = insert(out, neighbour{s, i}, k)
			if len(out) == k {
				worst = out[k-1].d2
			}
		}
	}
	return out
}
