package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fgrelu/fgrelu/tensor"
)

// The oracle for every backward pass here is the central finite difference of the scalar
// L = Σ r·y (r fixed random weights), evaluated with float64 sums. Linear layers are checked
// with a large step (their difference quotient is exact up to rounding); nonlinear ones with
// a small step away from their kinks.

func randTensor(r *rand.Rand, scale float64, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data {
		t.Data[i] = float32((2*r.Float64() - 1) * scale)
	}
	return t
}

func dot(a, b *tensor.Tensor) float64 {
	var s float64
	for i := range a.Data {
		s += float64(a.Data[i]) * float64(b.Data[i])
	}
	return s
}

type gradCase struct {
	name  string
	layer Layer
	x     *tensor.Tensor
	train bool
	h     float64 // finite-difference step
	tol   float64 // relative tolerance
}

// sampleIdx picks up to k indices of [0, n), always including the first and the last.
func sampleIdx(r *rand.Rand, n, k int) []int {
	if n <= k {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := []int{0, n - 1}
	for len(idx) < k {
		idx = append(idx, r.IntN(n))
	}
	return idx
}

func close(a, n, tol float64) bool {
	return math.Abs(a-n) <= tol*max(1, math.Abs(a), math.Abs(n))
}

func checkGradients(t *testing.T, tc gradCase) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 8))
	st := &State{Train: tc.train, First: true, Rand: rand.New(rand.NewPCG(1, 1))}
	y := tc.layer.Forward(st, tc.x)
	proj := randTensor(r, 1, y.Shape...)
	loss := func() float64 {
		s := &State{Train: tc.train, Rand: rand.New(rand.NewPCG(1, 1))}
		return dot(proj, tc.layer.Forward(s, tc.x))
	}
	ZeroGrads(tc.layer.Params())
	dx := tc.layer.Backward(st, proj, true)
	check := func(what string, vals []float32, analytic []float32) {
		for _, i := range sampleIdx(r, len(vals), 40) {
			old := vals[i]
			vals[i] = old + float32(tc.h)
			up := loss()
			vals[i] = old - float32(tc.h)
			down := loss()
			vals[i] = old
			num := (up - down) / (2 * tc.h)
			if a := float64(analytic[i]); !close(a, num, tc.tol) {
				t.Errorf("%s: ∂L/∂%s[%d] analytic %.6g, numeric %.6g", tc.name, what, i, a, num)
			}
		}
	}
	check("x", tc.x.Data, dx.Data)
	for _, p := range tc.layer.Params() {
		check(p.Name, p.Value.Data, p.Grad.Data)
	}
}

func TestLayerGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dense := NewDense("fc", 7, 5, true)
	InitWeights(Torch, dense.Weight, dense.Bias, r)
	conv := NewConv2D("conv", 3, 4, 3, 2, 1, true)
	InitWeights(Torch, conv.Weight, conv.Bias, r)
	conv5 := NewConv2D("conv5", 2, 3, 5, 1, 2, true)
	InitWeights(Torch, conv5.Weight, conv5.Bias, r)
	convT := NewConvTranspose2D("convT", 3, 2, 5, 2, 2, 1, true)
	InitWeights(Torch, convT.Weight, convT.Bias, r)
	convT1 := NewConvTranspose2D("convT1", 2, 3, 3, 1, 1, 0, false)
	InitWeights(Torch, convT1.Weight, nil, r)
	bn := NewBatchNorm("bn", 3)
	for i := range bn.C {
		bn.Gamma.Value.Data[i] = 0.5 + float32(i)*0.4
		bn.Beta.Value.Data[i] = float32(i) * 0.1
	}
	cases := []gradCase{
		{name: "dense", layer: dense, x: randTensor(r, 1, 4, 7), h: 0.5, tol: 1e-4},
		{name: "dense-image-input", layer: NewDenseInit(r, 12, 3), x: randTensor(r, 1, 2, 2, 2, 3), h: 0.5, tol: 1e-4},
		{name: "conv-stride2-pad1", layer: conv, x: randTensor(r, 1, 2, 7, 6, 3), h: 0.5, tol: 1e-4},
		{name: "conv-5x5-same", layer: conv5, x: randTensor(r, 1, 3, 6, 6, 2), h: 0.5, tol: 1e-4},
		{name: "convT-stride2-outpad1", layer: convT, x: randTensor(r, 1, 2, 4, 3, 3), h: 0.5, tol: 1e-4},
		{name: "convT-stride1-nobias", layer: convT1, x: randTensor(r, 1, 2, 4, 4, 2), h: 0.5, tol: 1e-4},
		{name: "relu", layer: &Activation{Kind: ReLU}, x: awayFromZero(randTensor(r, 1, 5, 6), 0.05), h: 1e-2, tol: 1e-4},
		{name: "leaky-relu", layer: &Activation{Kind: ReLU, Slope: 0.1}, x: awayFromZero(randTensor(r, 1, 5, 6), 0.05), h: 1e-2, tol: 1e-4},
		{name: "sigmoid", layer: &Activation{Kind: Sigmoid}, x: randTensor(r, 3, 5, 6), h: 1e-2, tol: 1e-3},
		{name: "maxpool", layer: &MaxPool2D{Size: 2}, x: randTensor(r, 1, 2, 5, 4, 3), h: 1e-3, tol: 1e-3},
		{name: "batchnorm-train", layer: bn, x: randTensor(r, 2, 4, 3, 2, 3), train: true, h: 1e-2, tol: 2e-3},
		{name: "batchnorm-eval", layer: NewBatchNorm("bne", 3), x: randTensor(r, 2, 4, 3), h: 0.5, tol: 1e-4},
		{name: "dropout-train", layer: &Dropout{P: 0.5}, x: randTensor(r, 1, 6, 10), train: true, h: 0.5, tol: 1e-4},
		{name: "dropout-eval", layer: &Dropout{P: 0.5}, x: randTensor(r, 1, 6, 10), h: 0.5, tol: 1e-4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkGradients(t, tc) })
	}
}

// NewDenseInit is a dense layer with PyTorch-default random weights, for tests.
func NewDenseInit(r *rand.Rand, in, out int) *Dense {
	d := NewDense(fmt.Sprintf("fc%dx%d", in, out), in, out, true)
	InitWeights(Torch, d.Weight, d.Bias, r)
	return d
}

// awayFromZero pushes values out of (−m, m) so a finite difference cannot cross a ReLU kink.
func awayFromZero(t *tensor.Tensor, m float32) *tensor.Tensor {
	for i, v := range t.Data {
		if v >= 0 && v < m {
			t.Data[i] = v + m
		} else if v < 0 && v > -m {
			t.Data[i] = v - m
		}
	}
	return t
}
