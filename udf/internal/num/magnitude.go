package num

import "math"

// SafeMagnitude is the largest absolute coordinate the distance code takes
// as it is: below it, a squared distance summed over any realistic number
// of rows and features (n·d < 2⁶⁰) stays finite. Above it, callers rescale
// (see PowerScale) or compare with ScaledSqDist.
const SafeMagnitude = 0x1p480

// MaxAbs returns the largest |v| of x (0 when x is empty).
func MaxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		if a := math.Abs(v); a > m {
			m = a
		}
	}
	return m
}

// PowerScale returns the power of two s by which values of magnitude up to
// maxAbs are multiplied so that squared distances cannot overflow: 1 when
// maxAbs <= SafeMagnitude (the data is used as it is, bit for bit),
// otherwise 2^−e with maxAbs·s in [0.5, 1). Multiplying by a power of two
// is exact (barring underflow of values ~2⁻⁵⁴⁰ times the largest, which
// the sums could not resolve anyway), so comparisons and scale-free ratios
// are unchanged.
func PowerScale(maxAbs float64) float64 {
	if !(maxAbs > SafeMagnitude) {
		return 1
	}
	_, e := math.Frexp(maxAbs)
	return math.Ldexp(1, -e)
}

// ScaledSqDist returns SqDist(a·s, b·s) for the power of two s (a's length
// of b is used). With s from PowerScale(max(|a|, |b|)) it is finite for any
// finite a and b, and orders pairs exactly as the true squared distances.
func ScaledSqDist(a, b []float64, s float64) float64 {
	b = b[:len(a)]
	sum := 0.0
	for j, v := range a {
		t := v*s - b[j]*s
		sum += t * t
	}
	return sum
}
