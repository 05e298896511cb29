//go:build cgo && !noonednn

package gemm

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// winogradCases: the classifier's C2 at a small batch; geometries with partial tiles at the
// bottom and right (odd grids), every padding, images smaller than the kernel, the most input
// channels winogradFits takes, more images than the weight gradient's groups; on both widths (64
// output channels for the AVX-512 products, 32 input channels for the AVX-512 weight gradient)
// and on AVX2 alone (other counts).
var winogradCases = []ConvGeom{
	{N: 4, H: 16, W: 16, C: 64, OH: 16, OW: 16, O: 64, K: 5, Stride: 1, Pad: 2, Bias: true},
	{N: 3, H: 7, W: 9, C: 16, OH: 3, OW: 5, O: 32, K: 5, Stride: 1, Pad: 0, Bias: true},
	{N: 2, H: 5, W: 6, C: 32, OH: 9, OW: 10, O: 16, K: 5, Stride: 1, Pad: 4},
	{N: 2, H: 11, W: 8, C: 16, OH: 9, OW: 6, O: 48, K: 5, Stride: 1, Pad: 1, Bias: true},
	{N: 2, H: 9, W: 7, C: 64, OH: 9, OW: 7, O: 64, K: 5, Stride: 1, Pad: 2, Bias: true},
	{N: 3, H: 7, W: 10, C: 64, OH: 11, OW: 14, O: 64, K: 5, Stride: 1, Pad: 4},
	{N: 2, H: 1, W: 1, C: 64, OH: 3, OW: 3, O: 64, K: 5, Stride: 1, Pad: 3, Bias: true},
	{N: 2, H: 6, W: 5, C: 32, OH: 8, OW: 7, O: 64, K: 5, Stride: 1, Pad: 3},
	{N: 1, H: 8, W: 8, C: 256, OH: 8, OW: 8, O: 64, K: 5, Stride: 1, Pad: 2, Bias: true},
	{N: 1, H: 6, W: 6, C: 64, OH: 6, OW: 6, O: 256, K: 5, Stride: 1, Pad: 2},
	// More images than the weight gradient's groups: groups of one and two images, blocks of
	// tiles that span images.
	{N: 11, H: 5, W: 7, C: 32, OH: 5, OW: 7, O: 64, K: 5, Stride: 1, Pad: 2, Bias: true},
	// A batch of 128 16×16 images, as the classifier's, with few channels to keep the float64
	// reference cheap: 29 blocks of tiles in each group's sum.
	{N: 128, H: 16, W: 16, C: 16, OH: 16, OW: 16, O: 16, K: 5, Stride: 1, Pad: 2, Bias: true},
}

// directConv is the convolution and its three gradients in float64, from their definitions.
func directConv(g ConvGeom, x, w, b, dy []float32) (y, dx, dw, db []float64) {
	y, dx = make([]float64, g.N*g.OH*g.OW*g.O), make([]float64, g.N*g.H*g.W*g.C)
	dw, db = make([]float64, len(w)), make([]float64, g.O)
	for n := range g.N {
		for oh := range g.OH {
			for ow := range g.OW {
				for o := range g.O {
					at := ((n*g.OH+oh)*g.OW+ow)*g.O + o
					s := 0.0
					if g.Bias {
						s = float64(b[o])
					}
					db[o] += float64(dy[at])
					for kh := range g.K {
						for kw := range g.K {
							ih, iw := oh-g.Pad+kh, ow-g.Pad+kw
							if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
								continue
							}
							for c := range g.C {
								wi := ((o*g.K+kh)*g.K+kw)*g.C + c
								xi := ((n*g.H+ih)*g.W+iw)*g.C + c
								s += float64(x[xi]) * float64(w[wi])
								dx[xi] += float64(dy[at]) * float64(w[wi])
								dw[wi] += float64(dy[at]) * float64(x[xi])
							}
						}
					}
					y[at] = s
				}
			}
		}
	}
	return y, dx, dw, db
}

// winogradResults runs cv's three products; the weight gradient is added to dw0 and db0.
func winogradResults(g ConvGeom, cv Conv, x, w, b, dy, dw0, db0 []float32) [4][]float32 {
	y, dx := make([]float32, g.N*g.OH*g.OW*g.O), make([]float32, g.N*g.H*g.W*g.C)
	dw, db := slices.Clone(dw0), slices.Clone(db0)
	cv.Forward(x, w, b, y)
	cv.BackwardData(dy, w, dx)
	cv.BackwardWeights(x, dy, dw, db)
	return [4][]float32{y, dx, dw, db}
}

// relError is the largest difference between got and want over the largest |want|.
func relError(got []float32, want []float64) float64 {
	diff, scale := 0.0, 0.0
	for i, v := range want {
		diff = max(diff, math.Abs(float64(got[i])-v))
		scale = max(scale, math.Abs(v))
		if math.IsNaN(float64(got[i])) {
			return math.Inf(1)
		}
	}
	return diff / scale
}

func winogradInputs(g ConvGeom, seed uint64) (x, w, b, dy []float32) {
	r := rand.New(rand.NewPCG(seed, 3))
	bound := 1 / math.Sqrt(float64(g.K*g.K*g.C)) // PyTorch's default initialisation
	uniform := func(n int, s float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32((2*r.Float64() - 1) * s)
		}
		return v
	}
	return uniform(g.N*g.H*g.W*g.C, 1), uniform(g.O*g.K*g.K*g.C, bound), uniform(g.O, bound), uniform(g.N*g.OH*g.OW*g.O, 1)
}

// Winograd's F(2×2, 5×5) rounds differently from a direct convolution: its transforms multiply
// by up to 5 and its filters' by fractions, so its error is larger than a direct float32 sum's.
// Against the exact (float64) convolution, on PyTorch-initialised weights and inputs in
// [−1, 1], the output and the three gradients are within 2e-5 of the tensor's largest magnitude
// (measured here at most 7.0e-6, for 256 input channels; a sweep of 155 geometries with other
// inputs found up to 1.2e-5, on a 1×1 image padded by 3; 4.9e-6, 3.4e-6 and 4.1e-6 for C2's
// output, input and weight gradients, where oneDNN's direct
// convolution has 1.5e-6, 1.4e-6 and 2.8e-7; at C2's batch of 128, 4.5e-6, 6.1e-6 and
// 6.4e-6). The layer tests (nn.TestConvProvidersAgree) hold C2 to 1e-5 against im2col.
func TestWinogradError(t *testing.T) {
	if winogradISA == 0 {
		t.Skip("skipped: this CPU has no AVX2 with FMA (or FGRELU_KERNEL_ISA=scalar): no Winograd convolutions")
	}
	for i, g := range winogradCases {
		if !winogradFits(g) {
			t.Fatalf("case %d (%+v) is not a geometry winograd.h takes", i, g)
		}
		x, w, b, dy := winogradInputs(g, uint64(i))
		wantY, wantDX, wantDW, wantDB := directConv(g, x, w, b, dy)
		// The weight gradient is added to what dw and db held: start from values of its scale.
		dw0, db0 := make([]float32, len(w)), make([]float32, g.O)
		for j := range dw0 {
			dw0[j] = float32(wantDW[j] * 0.25)
			wantDW[j] += float64(dw0[j])
		}
		for j := range db0 {
			db0[j] = float32(wantDB[j] * -0.5)
			if g.Bias {
				wantDB[j] += float64(db0[j])
			}
		}
		cv, err := winogradConvs.NewConv(g)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := cv.(*winogradConv); !ok {
			t.Fatalf("case %d: the provider made no Winograd convolution", i)
		}
		want := [4][]float64{wantY, wantDX, wantDW, wantDB}
		got := winogradResults(g, cv, x, w, b, dy, dw0, db0)
		var errs, direct [4]float64
		if d, _ := nativeConv.NewConv(g); d != nil {
			res := winogradResults(g, d, x, w, b, dy, dw0, db0)
			for k := range res {
				if k < 3 || g.Bias {
					direct[k] = relError(res[k], want[k])
				}
			}
		}
		for k := range got {
			if k == 3 && !g.Bias {
				continue
			}
			errs[k] = relError(got[k], want[k])
			if errs[k] > 2e-5 {
				t.Errorf("case %d, %s: relative error %.3g, want ≤ 2e-5", i, winogradNames[k], errs[k])
			}
		}
		t.Logf("%+v: relative errors of y, dx, dw, db %.2g (oneDNN's direct convolution %.2g)", g, errs, direct)
	}
}

var winogradNames = [4]string{"output", "input gradient", "weight gradient", "bias gradient"}

// The AVX2 and the AVX-512 versions give the same bits (the same operations on every value, in
// the same order), in every case where some part runs at AVX-512 width.
func TestWinogradWidthsAgree(t *testing.T) {
	if winogradISA < 2 {
		t.Skip("skipped: this CPU (or FGRELU_KERNEL_ISA) runs no AVX-512 version to compare with AVX2")
	}
	defer func(old int) { winogradISA = old }(winogradISA)
	compared := 0
	for i, g := range winogradCases {
		winogradISA = 2
		if !wideProducts(g.O) && !wideProducts(g.C) && !wideWeights(g.C) {
			continue // AVX2 only: nothing to compare
		}
		compared++
		x, w, b, dy := winogradInputs(g, uint64(i))
		run := func(isa int) [4][]float32 {
			winogradISA = isa
			cv, err := winogradConvs.NewConv(g)
			if err != nil {
				t.Fatal(err)
			}
			return winogradResults(g, cv, x, w, b, dy, make([]float32, len(w)), make([]float32, g.O))
		}
		wide, narrow := run(2), run(1)
		for k := range wide {
			for j := range wide[k] {
				if math.Float32bits(wide[k][j]) != math.Float32bits(narrow[k][j]) {
					t.Fatalf("case %d, %s, value %d: AVX-512 %v, AVX2 %v", i, winogradNames[k], j, wide[k][j], narrow[k][j])
				}
			}
		}
	}
	if compared < 6 {
		t.Fatalf("only %d cases ran at AVX-512 width", compared)
	}
}

// A convolution whose weights change in place between calls uses the new ones (its transformed
// filters are cached), at both widths.
func TestWinogradNewWeights(t *testing.T) {
	if winogradISA == 0 {
		t.Skip("skipped: no Winograd convolutions on this CPU")
	}
	for _, i := range []int{1, 4} {
		g := winogradCases[i]
		x, w, b, dy := winogradInputs(g, 7)
		cv, err := winogradConvs.NewConv(g)
		if _, ok := cv.(*winogradConv); err != nil || !ok {
			t.Fatalf("case %d: no Winograd convolution (%v)", i, err)
		}
		winogradResults(g, cv, x, w, b, dy, make([]float32, len(w)), make([]float32, g.O))
		for i := range w {
			w[i] *= -0.5
		}
		got := winogradResults(g, cv, x, w, b, dy, make([]float32, len(w)), make([]float32, g.O))
		wantY, wantDX, _, _ := directConv(g, x, w, b, dy)
		if ey, edx := relError(got[0], wantY), relError(got[1], wantDX); ey > 2e-5 || edx > 2e-5 {
			t.Fatalf("case %d after the weights changed: relative errors %g, %g", i, ey, edx)
		}
	}
}

// Geometries beyond what the tests above bound are left to the provider Winograd wraps.
func TestWinogradDeclines(t *testing.T) {
	for _, g := range []ConvGeom{
		{N: 1, H: 8, W: 8, C: 512, OH: 8, OW: 8, O: 64, K: 5, Stride: 1, Pad: 2}, // too many channels
		{N: 1, H: 8, W: 8, C: 64, OH: 4, OW: 4, O: 64, K: 5, Stride: 2, Pad: 2},  // stride 2
		{N: 1, H: 8, W: 8, C: 64, OH: 8, OW: 8, O: 64, K: 3, Stride: 1, Pad: 1},  // 3×3
		{N: 1, H: 8, W: 8, C: 24, OH: 8, OW: 8, O: 64, K: 5, Stride: 1, Pad: 2},  // 24 channels
		{N: 1, H: 8, W: 8, C: 64, OH: 9, OW: 9, O: 64, K: 5, Stride: 1, Pad: 2},  // not the grid of its padding
	} {
		if winogradFits(g) {
			t.Errorf("%+v: winogradFits", g)
		}
		if cv, _ := winogradConvs.NewConv(g); cv != nil {
			if _, ok := cv.(*winogradConv); ok {
				t.Errorf("%+v: a Winograd convolution", g)
			}
		}
	}
}

// The same bits whatever GOMAXPROCS is, with more images than the weight gradient's groups.
func TestWinogradDeterministicAcrossGOMAXPROCS(t *testing.T) {
	if winogradISA == 0 {
		t.Skip("skipped: no Winograd convolutions on this CPU")
	}
	g := winogradCases[len(winogradCases)-1]
	x, w, b, dy := winogradInputs(g, 5)
	var first [4][]float32
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		cv, _ := winogradConvs.NewConv(g)
		got := winogradResults(g, cv, x, w, b, dy, make([]float32, len(w)), make([]float32, g.O))
		runtime.GOMAXPROCS(old)
		if procs == 1 {
			first = got
			continue
		}
		for k := range got {
			for j := range got[k] {
				if math.Float32bits(got[k][j]) != math.Float32bits(first[k][j]) {
					t.Fatalf("GOMAXPROCS=%d: %s value %d differs", procs, winogradNames[k], j)
				}
			}
		}
	}
}
