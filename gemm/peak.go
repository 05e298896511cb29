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
	a, b, out := randomValues(n*n), randomValues(n*n), make([]float32, n*n)
	return bestRate(reps, 2*float64(n)*float64(n)*float64(n), func() {
		c.Mul(false, false, n, n, n, 1, a, n, b, n, 0, out, n)
	})
}

// MeasureConvPeak returns the best rate in GFLOP/s of reps forwards of a large direct
// convolution with c's convolution provider (32 images of 32×32×64 to 64 channels, 5×5, stride
// 1: 6.7 GFLOP), or 0 when the provider leaves convolutions to im2col products, whose rate
// MeasurePeak bounds. oneDNN's convolution kernels get closer to the cores' peak than its sgemm
// does. Winograd's convolutions multiply less than the FLOPs they are credited with, so where c
// uses them, the one they wrap is measured.
func (c *Context) MeasureConvPeak(reps int) float64 {
	g := ConvGeom{N: 32, H: 32, W: 32, C: 64, OH: 32, OW: 32, O: 64, K: 5, Stride: 1, Pad: 2}
	p := c.convProvider()
	if w, ok := p.(interface{ Direct() ConvProvider }); ok {
		p = w.Direct()
	}
	cv, err := p.NewConv(g)
	if err != nil || cv == nil {
		return 0
	}
	x, w, y := randomValues(g.N*g.H*g.W*g.C), randomValues(g.O*g.K*g.K*g.C), make([]float32, g.N*g.OH*g.OW*g.O)
	return bestRate(reps, float64(g.FLOPs()), func() { cv.Forward(x, w, nil, y) })
}

// bestRate runs run once to warm up (page faults, thread start, the kernel's code), then reps
// times, and returns the best rate in GFLOP/s for flops per run.
func bestRate(reps int, flops float64, run func()) float64 {
	run()
	best := 0.0
	for range reps {
		start := time.Now()
		run()
		best = max(best, flops/time.Since(start).Seconds()/1e9)
	}
	return best
}

// randomValues returns n values uniform in [0, 1), the same ones every time.
func randomValues(n int) []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	v := make([]float32, n)
	for i := range v {
		v[i] = r.Float32()
	}
	return v
}
