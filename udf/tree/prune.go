package tree

import (
	"math"

	"github.com/custseg/custseg/udf/dataset"
	"gonum.org/v1/gonum/mathext"
)

// prune applies C4.5's pessimistic-error pruning (see Train) bottom-up and
// returns the subtree's estimated errors.
func prune(n *Node, cf float64) float64 {
	total := dataset.Sum(n.Counts)
	e := total - n.Counts[dataset.Argmax(n.Counts)]
	leaf := total * UpperCF(e, total, cf)
	if n.Split == nil {
		return leaf
	}
	sub := 0.0
	for _, c := range n.Children {
		sub += prune(c, cf)
	}
	if leaf <= sub+0.1 { // C4.5's margin
		n.Split, n.Children = nil, nil
		return leaf
	}
	return sub
}

// UpperCF returns U_CF(E, N): the p with P(X <= E | X ~ Binomial(N, p)) =
// cf, the upper limit of the one-sided confidence interval of an error rate
// E/N. P(X <= E) = I_{1−p}(N−E, E+1) decreases in p, so it is solved by
// bisection; U_CF(0, N) = 1 − cf^(1/N) in closed form, and U_CF = 1 when
// E >= N (or N = 0).
func UpperCF(e, n, cf float64) float64 {
	switch {
	case n <= 0 || e >= n:
		return 1
	case e <= 0:
		return 1 - math.Pow(cf, 1/n)
	}
	lo, hi := e/n, 1.0
	for range 100 {
		p := (lo + hi) / 2
		if mathext.RegIncBeta(n-e, e+1, 1-p) > cf {
			lo = p
		} else {
			hi = p
		}
	}
	return (lo + hi) / 2
}
