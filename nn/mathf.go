package nn

import "math"

// expf is e^x in float32, accurate to about one unit in the last place, and several times
// faster than math.Exp. Algorithm and coefficients: Cephes Math Library, S. L. Moshier,
// expf.c: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6 polynomial, then scaled by 2^n.
func expf(x float32) float32 {
	const (
		maxArg = 88.72283905206835 // ln(MaxFloat32)
		minArg = -103.27892990343185
		log2e  = 1.44269504088896341
		c1     = 0.693359375 // ln2 split in two so n·c1 is exact
		c2     = -2.12194440e-4
	)
	if x > maxArg {
		return float32(math.Inf(1))
	}
	if x < minArg {
		return 0
	}
	n := float32(math.Floor(float64(log2e*x + 0.5)))
	r := x - n*c1 - n*c2
	p := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
	y := p*r*r + r + 1
	// Scale by 2^n in two steps so that n down to −149 (subnormal results) stays representable.
	ni := int32(n)
	if ni < -126 {
		y *= math.Float32frombits(uint32(ni+126+127) << 23)
		ni = -126
	}
	return y * math.Float32frombits(uint32(ni+127)<<23)
}

// logf is the natural logarithm in float32 for x > 0, after Cephes logf.c (S. L. Moshier):
// x = m·2^e with m in [√½, √2), log(m) by a degree-9 polynomial in m − 1.
func logf(x float32) float32 {
	if x <= 0 || math.IsNaN(float64(x)) {
		if x == 0 {
			return float32(math.Inf(-1))
		}
		return float32(math.NaN())
	}
	if math.IsInf(float64(x), 1) {
		return x
	}
	m, e := math.Frexp(float64(x)) // m in [0.5, 1)
	f, ef := float32(m), float32(e)
	if f < 0.70710678118654752440 {
		ef--
		f = f + f - 1
	} else {
		f--
	}
	z := f * f
	y := ((((((((7.0376836292e-2*f-1.1514610310e-1)*f+1.1676998740e-1)*f-1.2420140846e-1)*f+
		1.4249322787e-1)*f-1.6668057665e-1)*f+2.0000714765e-1)*f-2.4999993993e-1)*f + 3.3333331174e-1) * f * z
	y += -2.12194440e-4 * ef
	y += -0.5 * z
	return f + y + 0.693359375*ef
}
