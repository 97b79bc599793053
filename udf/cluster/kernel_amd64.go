//go:build !purego

package cluster

// The AVX2 kernels compute the same per-pair arithmetic as the portable Go
// loops (subtract, square, add in coordinate order, square root; no fused
// multiply-add), four pairs per instruction; only the order in which a run's
// distances are summed differs.

func hasAVX2() bool

//go:noescape
func run3AVX2(x0, x1, x2 float64, c0, c1, c2, acc *float64, n int) float64

//go:noescape
func run2AVX2(x0, x1 float64, c0, c1, acc *float64, n int) float64

//go:noescape
func sqrtAccAVX2(t, acc *float64, n int) float64

func hasAVX512() bool

// The AVX-512 kernels replace the square root by an approximate reciprocal
// square root refined by two Newton steps and use fused multiply-adds: each
// distance is within a few ulps of the correctly rounded one, twice as fast.

//go:noescape
func run3AVX512(x0, x1, x2 float64, c0, c1, c2, acc *float64, n int) float64

//go:noescape
func run2AVX512(x0, x1 float64, c0, c1, acc *float64, n int) float64

var (
	useAVX2   = hasAVX2()
	useAVX512 = hasAVX512()
)

func run3(x0, x1, x2 float64, c0, c1, c2, acc []float64) float64 {
	m := len(c0) &^ 3
	if !useAVX2 || m == 0 {
		return run3Go(x0, x1, x2, c0, c1, c2, acc)
	}
	c1, c2, acc = c1[:len(c0)], c2[:len(c0)], acc[:len(c0)]
	if m8 := len(c0) &^ 7; useAVX512 && m8 > 0 {
		s := run3AVX512(x0, x1, x2, &c0[0], &c1[0], &c2[0], &acc[0], m8)
		if m8 < len(c0) {
			s += run3(x0, x1, x2, c0[m8:], c1[m8:], c2[m8:], acc[m8:])
		}
		return s
	}
	s := run3AVX2(x0, x1, x2, &c0[0], &c1[0], &c2[0], &acc[0], m)
	if m < len(c0) {
		s += run3Go(x0, x1, x2, c0[m:], c1[m:], c2[m:], acc[m:])
	}
	return s
}

func run2(x0, x1 float64, c0, c1, acc []float64) float64 {
	m := len(c0) &^ 3
	if !useAVX2 || m == 0 {
		return run2Go(x0, x1, c0, c1, acc)
	}
	c1, acc = c1[:len(c0)], acc[:len(c0)]
	if m8 := len(c0) &^ 7; useAVX512 && m8 > 0 {
		s := run2AVX512(x0, x1, &c0[0], &c1[0], &acc[0], m8)
		if m8 < len(c0) {
			s += run2(x0, x1, c0[m8:], c1[m8:], acc[m8:])
		}
		return s
	}
	s := run2AVX2(x0, x1, &c0[0], &c1[0], &acc[0], m)
	if m < len(c0) {
		s += run2Go(x0, x1, c0[m:], c1[m:], acc[m:])
	}
	return s
}

func sqrtAcc(t, acc []float64) float64 {
	m := len(t) &^ 3
	if !useAVX2 || m == 0 {
		return sqrtAccGo(t, acc)
	}
	acc = acc[:len(t)]
	s := sqrtAccAVX2(&t[0], &acc[0], m)
	if m < len(t) {
		s += sqrtAccGo(t[m:], acc[m:])
	}
	return s
}

//go:noescape
func runNAVX512(xi, col0 *float64, stride, d int, acc *float64, m int) float64

// runN handles the leading multiple of 8 of the columns [lo, hi) of the
// column-major cols (n points) for point xi with the AVX-512 kernel,
// returning the sum and how many columns it did (0 without AVX-512).
func runN(xi, cols []float64, n, lo, hi int, acc []float64) (float64, int) {
	m := (hi - lo) &^ 7
	if !useAVX512 || m == 0 {
		return 0, 0
	}
	d := len(xi)
	_ = cols[(d-1)*n+lo+m-1] // every coordinate read is inside cols
	acc = acc[:m]
	return runNAVX512(&xi[0], &cols[lo], n, d, &acc[0], m), m
}
