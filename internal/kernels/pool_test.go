package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The compiled max pooling agrees with the Go version bit for bit: ties (values drawn from a
// few integers, so the first of equal values must win), NaN, negative zero gradients, channel
// counts that are not a multiple of eight, and rows and columns no window covers.
func TestMaxPoolMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, p := range []Pool{
		{N: 3, H: 32, W: 32, C: 64, S: 2},
		{N: 2, H: 7, W: 9, C: 11, S: 3},
		{N: 1, H: 4, W: 4, C: 5, S: 2},
		{N: 2, H: 16, W: 16, C: 8, S: 16},
	} {
		x := make([]float32, p.N*p.H*p.W*p.C)
		for i := range x {
			x[i] = float32(r.IntN(4))
		}
		x[1] = float32(math.NaN())
		y1, y2 := make([]float32, p.outLen()), make([]float32, p.outLen())
		a1, a2 := make([]uint8, p.outLen()), make([]uint8, p.outLen())
		for i := range a1 {
			a1[i], a2[i] = 99, 98 // garbage: every position must be written
		}
		MaxPoolForward(p, x, y1, a1)
		maxPoolForwardGo(p, x, y2, a2)
		for i := range y1 {
			if math.Float32bits(y1[i]) != math.Float32bits(y2[i]) || a1[i] != a2[i] {
				t.Fatalf("%+v output %d: %v at %d, Go %v at %d", p, i, y1[i], a1[i], y2[i], a2[i])
			}
		}
		dy := randSlice(r, p.outLen(), -1, 1)
		dy[0] = float32(math.Copysign(0, -1))
		dx1, dx2 := randSlice(r, len(x), 5, 6), randSlice(r, len(x), 5, 6)
		MaxPoolBackward(p, dy, a1, dx1)
		maxPoolBackwardGo(p, dy, a2, dx2)
		for i := range dx1 {
			if math.Float32bits(dx1[i]) != math.Float32bits(dx2[i]) {
				t.Fatalf("%+v input gradient %d: %v, Go %v", p, i, dx1[i], dx2[i])
			}
		}
	}
}

func benchPool(b *testing.B, fwd func(Pool, []float32, []float32, []uint8), bwd func(Pool, []float32, []uint8, []float32)) {
	p := Pool{N: 16, H: 32, W: 32, C: 64, S: 2}
	r := rand.New(rand.NewPCG(1, 1))
	x := randSlice(r, p.N*p.H*p.W*p.C, -1, 1)
	y, arg := make([]float32, p.outLen()), make([]uint8, p.outLen())
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		fwd(p, x, y, arg)
		bwd(p, y, arg, x)
	}
}

func BenchmarkMaxPool(b *testing.B)   { benchPool(b, MaxPoolForward, MaxPoolBackward) }
func BenchmarkMaxPoolGo(b *testing.B) { benchPool(b, maxPoolForwardGo, maxPoolBackwardGo) }
