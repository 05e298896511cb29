package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The compiled gate agrees with the Go version bit for bit: dense (one position per channel)
// and filter-wise (many), channel counts not a multiple of eight, α zero and not, values at
// and around zero, NaN, and dx written over dy.
func TestGateMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct {
		n, per, ch int
		alpha      float32
	}{{5, 392, 392, 0}, {3, 16 * 16 * 64, 64, 0}, {2, 9 * 13, 13, 0.3}, {4, 10, 10, -1.5}} {
		nc := tc.n * tc.ch
		g := Gate{N: tc.n, Per: tc.per, Ch: tc.ch, Alpha: tc.alpha,
			Gain: randSlice(r, nc, 1, 20), DGain: randSlice(r, nc, 0, 5), MuD: randSlice(r, nc, -3, 3)}
		x := randSlice(r, tc.n*tc.per, -1, 1)
		x[0], x[1], x[2] = 0, float32(math.Copysign(0, -1)), float32(math.NaN())
		y1, y2 := make([]float32, len(x)), make([]float32, len(x))
		GateForward(g, x, y1)
		gateForwardGo(g, x, y2)
		same(t, "forward", y1, y2)
		dy := randSlice(r, len(x), -1, 1)
		dx2, dm1, dm2 := make([]float32, len(x)), make([]float32, nc), make([]float32, nc)
		gateBackwardGo(g, x, dy, dx2, dm2)
		GateBackward(g, x, dy, dy, dm1) // in place
		same(t, "dx", dy, dx2)
		same(t, "dμ_D", dm1, dm2)
	}
}

func same(t *testing.T, what string, a, b []float32) {
	t.Helper()
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("%s %d: %v, Go %v", what, i, a[i], b[i])
		}
	}
}

func benchGate(b *testing.B, fwd func(Gate, []float32, []float32), bwd func(Gate, []float32, []float32, []float32, []float32)) {
	r := rand.New(rand.NewPCG(1, 1))
	n, per, ch := 16, 32*32*64, 64
	g := Gate{N: n, Per: per, Ch: ch, Gain: randSlice(r, n*ch, 1, 2), DGain: randSlice(r, n*ch, 0, 1), MuD: randSlice(r, n*ch, -1, 1)}
	x, y, dm := randSlice(r, n*per, -1, 1), make([]float32, n*per), make([]float32, n*ch)
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		fwd(g, x, y)
		bwd(g, x, y, y, dm)
	}
}

func BenchmarkGate(b *testing.B)   { benchGate(b, GateForward, GateBackward) }
func BenchmarkGateGo(b *testing.B) { benchGate(b, gateForwardGo, gateBackwardGo) }

// The compiled rectifier agrees with the Go version bit for bit, NaN and signed zeros included.
func TestReLUMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, c := range []float32{1, 10, 0.5} {
		x := randSlice(r, 1037, -1, 1)
		x[0], x[1], x[2] = 0, float32(math.Copysign(0, -1)), float32(math.NaN())
		y1, y2 := make([]float32, len(x)), make([]float32, len(x))
		ReLUForward(x, y1, c)
		reluForwardGo(x, y2, c)
		same(t, "relu forward", y1, y2)
		dy := randSlice(r, len(x), -1, 1)
		dy[3] = float32(math.Copysign(0, -1))
		dx2 := make([]float32, len(x))
		reluBackwardGo(x, dy, dx2, c)
		ReLUBackward(x, dy, dy, c) // in place
		same(t, "relu backward", dy, dx2)
	}
}
