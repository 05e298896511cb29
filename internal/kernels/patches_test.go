package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// patchCases cover the project's convolutions (5×5, stride 1 and 2, padding 2), a window
// larger than the padded image's edge and padding wider than the kernel.
var patchCases = []Patches{
	{H: 32, W: 32, C: 3, K: 5, Stride: 1, Pad: 2, OH: 32, OW: 32},
	{H: 32, W: 32, C: 3, K: 5, Stride: 2, Pad: 2, OH: 16, OW: 16},
	{H: 16, W: 16, C: 16, K: 5, Stride: 2, Pad: 2, OH: 8, OW: 8},
	{H: 7, W: 5, C: 2, K: 3, Stride: 2, Pad: 0, OH: 3, OW: 2},
	{H: 4, W: 3, C: 1, K: 2, Stride: 1, Pad: 4, OH: 11, OW: 10},
}

// The compiled versions gather and scatter exactly what the Go versions do, bit for bit.
func TestPatchesMatchGo(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, g := range patchCases {
		n0, n1 := 1, 3
		x := randSlice(r, n1*g.ImageLen(), -1, 1)
		rows := (n1 - n0) * g.GridLen() * g.PatchLen()
		c1, c2 := randSlice(r, rows, 5, 6), randSlice(r, rows, 5, 6) // garbage: every value must be written
		Im2Col(g, x, n0, n1, c1)
		im2colGo(g, x, n0, n1, c2)
		for i := range c1 {
			if math.Float32bits(c1[i]) != math.Float32bits(c2[i]) {
				t.Fatalf("%+v: im2col value %d: %v, Go %v", g, i, c1[i], c2[i])
			}
		}
		cols := randSlice(r, rows, -1, 1)
		x1 := randSlice(r, n1*g.ImageLen(), -1, 1)
		x2 := append([]float32(nil), x1...)
		Col2Im(g, cols, n0, n1, x1)
		col2imGo(g, cols, n0, n1, x2)
		for i := range x1 {
			if math.Float32bits(x1[i]) != math.Float32bits(x2[i]) {
				t.Fatalf("%+v: col2im value %d: %v, Go %v", g, i, x1[i], x2[i])
			}
		}
		for i := range n0 * g.ImageLen() { // images before n0 are left alone
			if x1[i] != x2[i] {
				t.Fatalf("%+v: col2im wrote image value %d outside [n0, n1)", g, i)
			}
		}
	}
}

// Col2Im is the adjoint of Im2Col: ⟨Im2Col(x), c⟩ = ⟨x, Col2Im(c)⟩.
func TestCol2ImIsAdjoint(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, g := range patchCases {
		x := randSlice(r, 2*g.ImageLen(), -1, 1)
		c := randSlice(r, 2*g.GridLen()*g.PatchLen(), -1, 1)
		px := make([]float32, len(c))
		Im2Col(g, x, 0, 2, px)
		cx := make([]float32, len(x))
		Col2Im(g, c, 0, 2, cx)
		var a, b, scale float64
		for i := range c {
			a += float64(px[i]) * float64(c[i])
			scale += math.Abs(float64(px[i]) * float64(c[i]))
		}
		for i := range x {
			b += float64(x[i]) * float64(cx[i])
		}
		// col2im sums up to K² terms per value in float32: relative error ~K²·2⁻²⁴ of the scale.
		if math.Abs(a-b) > 1e-5*scale {
			t.Fatalf("%+v: ⟨im2col x, c⟩ = %v, ⟨x, col2im c⟩ = %v", g, a, b)
		}
	}
}

func benchPatches(b *testing.B, scatter bool, f func(Patches, []float32, int, int, []float32)) {
	g := Patches{H: 16, W: 16, C: 16, K: 5, Stride: 2, Pad: 2, OH: 8, OW: 8}
	x := make([]float32, 32*g.ImageLen())
	cols := make([]float32, 32*g.GridLen()*g.PatchLen())
	b.SetBytes(int64(4 * len(cols)))
	for b.Loop() {
		if scatter {
			f(g, cols, 0, 32, x)
		} else {
			f(g, x, 0, 32, cols)
		}
	}
}

func BenchmarkIm2Col(b *testing.B)   { benchPatches(b, false, Im2Col) }
func BenchmarkIm2ColGo(b *testing.B) { benchPatches(b, false, im2colGo) }
func BenchmarkCol2Im(b *testing.B)   { benchPatches(b, true, Col2Im) }
func BenchmarkCol2ImGo(b *testing.B) { benchPatches(b, true, col2imGo) }
