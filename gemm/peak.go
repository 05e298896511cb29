package gemm

import (
	"math/rand/v2"
	"time"
)

// MeasurePeak returns the best rate in GFLOP/s of reps square products of size n with c.Mul,
// that is with c's provider split over all the goroutines Mul uses. A 2048³ product
// (17.2 GFLOP) is what the project quotes efficiencies against: large enough that packing and
// thread wake-up are negligible, so it is as close to the machine's fp32 peak as this provider
// gets. It takes about a second on two cores.
func (c *Context) MeasurePeak(n, reps int) float64 {
	a, b, out := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range a {
		a[i], b[i] = r.Float32(), r.Float32()
	}
	c.Mul(false, false, n, n, n, 1, a, n, b, n, 0, out, n) // warm-up: page faults, thread start
	best := 0.0
	for range reps {
		start := time.Now()
		c.Mul(false, false, n, n, n, 1, a, n, b, n, 0, out, n)
		if g := 2 * float64(n) * float64(n) * float64(n) / time.Since(start).Seconds() / 1e9; g > best {
			best = g
		}
	}
	return best
}

// MeasureConvPeak returns the best rate in GFLOP/s of reps forwards of a large convolution with
// c's convolution provider (32 images of 32×32×64 to 64 channels, 5×5, stride 1: 6.7 GFLOP), or
// 0 when the provider leaves convolutions to im2col products, whose rate MeasurePeak bounds.
// oneDNN's convolution kernels get closer to the cores' peak than its sgemm does.
func (c *Context) MeasureConvPeak(reps int) float64 {
	g := ConvGeom{N: 32, H: 32, W: 32, C: 64, OH: 32, OW: 32, O: 64, K: 5, Stride: 1, Pad: 2}
	cv, err := c.NewConv(g)
	if err != nil || cv == nil {
		return 0
	}
	x, w, y := make([]float32, g.N*g.H*g.W*g.C), make([]float32, g.O*g.K*g.K*g.C), make([]float32, g.N*g.OH*g.OW*g.O)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range x {
		x[i] = r.Float32()
	}
	for i := range w {
		w[i] = r.Float32()
	}
	cv.Forward(x, w, nil, y) // warm-up: the kernel's code, page faults, thread start
	best := 0.0
	for range reps {
		start := time.Now()
		cv.Forward(x, w, nil, y)
		if gf := float64(g.FLOPs()) / time.Since(start).Seconds() / 1e9; gf > best {
			best = gf
		}
	}
	return best
}
