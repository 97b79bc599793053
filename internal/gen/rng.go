package gen

import "math/bits"

// rng is wyrand: a 64-bit generator with one word of state, fast enough to
// spend a few calls per CSV field. The project owns the algorithm so that the
// bytes of a generated file never change with the Go release.
type rng struct{ s uint64 }

func newRNG(seed uint64) rng { return rng{s: mix(seed)} }

func (r *rng) uint64() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// intn returns a uniform integer in [0, n) by Lemire's multiply-high
// reduction (bias below n/2⁶⁴, negligible here).
func (r *rng) intn(n int) int {
	if n <= 1 {
		return 0
	}
	hi, _ := bits.Mul64(r.uint64(), uint64(n))
	return int(hi)
}

// between returns a uniform integer in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// float64 returns a uniform float in [0, 1) from the top 53 bits.
func (r *rng) float64() float64 { return float64(r.uint64()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float64() < p }

// mix is the splitmix64 finaliser: a bijection on uint64, so distinct inputs
// give distinct per-invoice seeds.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// pickWeighted returns i with probability w[i]/sum(w), cum being the running
// sums of w.
func (r *rng) pickWeighted(cum []float64) int {
	u := r.float64() * cum[len(cum)-1]
	for i, c := range cum {
		if u < c {
			return i
		}
	}
	return len(cum) - 1
}

func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		c[i] = s
	}
	return c
}
