package num

import (
	"math"
	"testing"
)

// Expected quantiles come from numpy 1.24.2 (Debian, /usr/bin/python3):
// float(np.quantile(np.array(x, dtype=float), p, method='linear')).
func TestQuantile7MatchesNumpy(t *testing.T) {
	cases := []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
		tol    float64
	}{
		{"five p0", []float64{1, 2, 3, 4, 5}, 0, 1.0, 0},
		{"five p0.2", []float64{1, 2, 3, 4, 5}, 0.2, 1.8, 1e-12},
		{"five p0.4", []float64{1, 2, 3, 4, 5}, 0.4, 2.6, 1e-12},
		{"five p0.6", []float64{1, 2, 3, 4, 5}, 0.6, 3.4, 1e-12},
		{"five p0.8", []float64{1, 2, 3, 4, 5}, 0.8, 4.2, 1e-12},
		{"five p1", []float64{1, 2, 3, 4, 5}, 1, 5.0, 0},
		{"five p0.33", []float64{1, 2, 3, 4, 5}, 0.33, 2.3200000000000003, 1e-12},
		{"ties p0.2", []float64{1, 1, 1, 2, 2, 3, 10}, 0.2, 1.0, 1e-12},
		{"ties p0.4", []float64{1, 1, 1, 2, 2, 3, 10}, 0.4, 1.4000000000000004, 1e-12},
		{"ties p0.6", []float64{1, 1, 1, 2, 2, 3, 10}, 0.6, 2.0, 1e-12},
		{"ties p0.8", []float64{1, 1, 1, 2, 2, 3, 10}, 0.8, 2.8000000000000007, 1e-12},
		{"ties p1", []float64{1, 1, 1, 2, 2, 3, 10}, 1, 10.0, 0},
		{"one value", []float64{7.5}, 0.6, 7.5, 0},
		{"two p0.2", []float64{0, 10}, 0.2, 2.0, 1e-12},
		{"two p0.33", []float64{0, 10}, 0.33, 3.3000000000000003, 1e-12},
		{"frac p0.4", []float64{0.5, 2.25, 3.125, 9.75, 11.0, 100.0}, 0.4, 3.125, 1e-12},
		{"frac p0.8", []float64{0.5, 2.25, 3.125, 9.75, 11.0, 100.0}, 0.8, 11.0, 1e-12},
		{"frac p0.33", []float64{0.5, 2.25, 3.125, 9.75, 11.0, 100.0}, 0.33, 2.81875, 1e-12},
	}
	for _, c := range cases {
		got := Quantile7(c.sorted, c.p)
		if math.Abs(got-c.want) > c.tol {
			t.Errorf("%s: Quantile7(%v, %v) = %v, want %v ± %g", c.name, c.sorted, c.p, got, c.want, c.tol)
		}
	}
}

func TestQuantile7Undefined(t *testing.T) {
	for _, c := range []struct {
		sorted []float64
		p      float64
	}{{nil, 0.5}, {[]float64{1, 2}, -0.1}, {[]float64{1, 2}, 1.1}, {[]float64{1, 2}, math.NaN()}} {
		if got := Quantile7(c.sorted, c.p); !math.IsNaN(got) {
			t.Errorf("Quantile7(%v, %v) = %v, want NaN", c.sorted, c.p, got)
		}
	}
}

func TestSqDist(t *testing.T) {
	cases := []struct {
		name string
		a, b []float64
		want float64
		tol  float64
	}{
		{"empty", nil, nil, 0, 0},
		{"same point", []float64{1.5, -2, 3}, []float64{1.5, -2, 3}, 0, 0},
		{"3-4-5", []float64{0, 0}, []float64{3, 4}, 25, 0},
		{"symmetric", []float64{3, 4}, []float64{0, 0}, 25, 0},
		{"one dimension", []float64{-1}, []float64{2}, 9, 0},
		{"b longer", []float64{1, 1}, []float64{0, 0, 100}, 2, 0},
		{"fractions", []float64{0.1, 0.2, 0.3}, []float64{0.4, 0.6, 0.8}, 0.5, 1e-15},
		{"large", []float64{1e150, 0}, []float64{0, 1e150}, 2e300, 1e286},
	}
	for _, c := range cases {
		if got := SqDist(c.a, c.b); math.Abs(got-c.want) > c.tol {
			t.Errorf("%s: SqDist(%v, %v) = %v, want %v ± %g", c.name, c.a, c.b, got, c.want, c.tol)
		}
	}
}

func TestFinite(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want bool
	}{
		{0, true}, {-0.0, true}, {1e308, true}, {-math.MaxFloat64, true}, {math.SmallestNonzeroFloat64, true},
		{math.NaN(), false}, {math.Inf(1), false}, {math.Inf(-1), false},
	} {
		if got := Finite(c.v); got != c.want {
			t.Errorf("Finite(%v) = %v, want %v", c.v, got, c.want)
		}
	}
}
