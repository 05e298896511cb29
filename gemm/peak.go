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
