package kernels

import "math"

// The Go versions, always compiled so tests can compare them with the C ones.

// Expf is e^x in float32 (Cephes expf); inputs below −87.3 give the smallest normal result
// instead of a subnormal one, as the C version does.
func Expf(x float32) float32 {
	x = min(x, 88.72283905206835)
	x = max(x, -87.33654475055310898657)
	n := float32(math.Floor(float64(1.44269504088896341*x + 0.5)))
	r := x - n*0.693359375 - n*-2.12194440e-4
	p := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
	y := p*r*r + r + 1
	return y * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// Logf is the natural logarithm in float32 (Cephes logf) for normal x > 0.
func Logf(x float32) float32 {
	bits := math.Float32bits(x)
	e := float32(int32(bits>>23&0xff) - 126)
	m := math.Float32frombits(bits&0x807fffff | 0x3f000000) // x = m·2^e, m in [0.5, 1)
	var f float32
	if m < 0.70710678118654752440 {
		e--
		f = m + m - 1
	} else {
		f = m - 1
	}
	z := f * f
	y := ((((((((7.0376836292e-2*f-1.1514610310e-1)*f+1.1676998740e-1)*f-1.2420140846e-1)*f+
		1.4249322787e-1)*f-1.6668057665e-1)*f+2.0000714765e-1)*f-2.4999993993e-1)*f + 3.3333331174e-1) * f * z
	y += -2.12194440e-4 * e
	y += -0.5 * z
	return f + y + 0.693359375*e
}

func sigmoidGo(x, y []float32) {
	for i, v := range x {
		e := Expf(-abs(v))
		s := 1 / (1 + e)
		if v < 0 {
			s *= e
		}
		y[i] = s
	}
}

func abs(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// bceBlock is the number of terms summed in float32 before they are added to the float64 total.
const bceBlock = 256

func bceLogitsGo(z, y, t []float32, scale float32, dz []float32) float64 {
	var total float64
	var lanes [8]float32
	for lo := 0; lo < len(z); lo += bceBlock {
		hi := min(lo+bceBlock, len(z))
		lanes = [8]float32{}
		for i := lo; i < hi; i++ {
			zi, yi, ti := z[i], y[i], t[i]
			lanes[(i-lo)&7] += (max(zi, 0) - ti*zi) - Logf(max(yi, 1-yi))
			if dz != nil {
				dz[i] = scale * (yi - ti)
			}
		}
		for _, l := range lanes {
			total += float64(l)
		}
	}
	return total
}

func adamGo(w, g, m, v []float32, c AdamConsts) {
	for i := range w {
		gi := g[i]
		// Explicit float32 conversions keep Go from fusing a multiply and an add (the C
		// kernel does not fuse either), so both give the same bits.
		mi := float32(c.B1*m[i]) + float32(c.C1*gi)
		vi := float32(c.B2*v[i]) + float32(float32(c.C2*gi)*gi)
		m[i], v[i] = mi, vi
		w[i] -= float32(c.Step*mi) / (float32(math.Sqrt(float64(vi)))/c.Sq + c.Eps)
	}
}
