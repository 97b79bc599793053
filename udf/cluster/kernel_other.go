//go:build !amd64 || purego

package cluster

const (
	useAVX2   = false
	useAVX512 = false
)

func run3(x0, x1, x2 float64, c0, c1, c2, acc []float64) float64 {
	return run3Go(x0, x1, x2, c0, c1, c2, acc)
}

func run2(x0, x1 float64, c0, c1, acc []float64) float64 { return run2Go(x0, x1, c0, c1, acc) }

func sqrtAcc(t, acc []float64) float64 { return sqrtAccGo(t, acc) }

func runN(xi, cols []float64, n, lo, hi int, acc []float64) (float64, int) { return 0, 0 }
