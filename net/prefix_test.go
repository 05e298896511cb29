package net

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// Batch norm below the first gated layer updates its running averages once per pass, as a
// PyTorch module called on every pass does, although its output is the same on every pass.
func TestBatchNormBelowFeedbackUpdatesEveryPass(t *testing.T) {
	layers := []LayerSpec{
		{Name: "E1", Type: "conv", Units: 3, Kernel: 3, Stride: 2, Pad: 1, BatchNorm: true},
		{Name: "E2", Type: "conv", Units: 3, Kernel: 3, Stride: 2, Pad: 1},
		{Name: "D1", Type: "convT", Units: 3, Kernel: 3, Stride: 2, Pad: 1, OutPad: 1},
		{Name: "D2", Type: "convT", Units: 2, Kernel: 3, Stride: 2, Pad: 1, OutPad: 1},
	}
	spec := Spec{Input: []int{4, 4, 2}, Layers: layers, Edges: []EdgeSpec{{From: "D1", To: "E2"}},
		Passes: 2, Gate: "gain", BetaMax: 0.9, Eta: 0.5, Loss: "bce", Init: "glorot"}
	twoPass, err := Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	spec.Passes, spec.Edges = 1, nil
	onePass, err := Build(spec, rand.New(rand.NewPCG(1, 2))) // same stage weights: edges are drawn last
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(3, 4, 4, 2)
	r := rand.New(rand.NewPCG(3, 3))
	for i := range x.Data {
		x.Data[i] = r.Float32()
	}
	twoPass.Forward(x, Mode{Train: true, Rand: rand.New(rand.NewPCG(1, 1))}, nil)
	for range 2 {
		onePass.Forward(x, Mode{Train: true, Rand: rand.New(rand.NewPCG(1, 1))}, nil)
	}
	a, b := twoPass.Buffers(), onePass.Buffers()
	for i := range a {
		for j := range a[i].Value.Data {
			if a[i].Value.Data[j] != b[i].Value.Data[j] {
				t.Fatalf("%s[%d]: %v after one two-pass step, %v after two one-pass steps", a[i].Name, j, a[i].Value.Data[j], b[i].Value.Data[j])
			}
		}
	}
	// And the gradients stay right.
	spec.Passes, spec.Edges = 2, []EdgeSpec{{From: "D1", To: "E2"}}
	spec.Input = []int{8, 8, 2}
	spec.Layers[1].Units, spec.Layers[2].Units = 4, 4
	checkNet(t, spec, 2, func(x *tensor.Tensor) nn.Target { return nn.Target{X: x} }, false)
}

// With activation noise in training every pass differs, the layers below feedback included, so
// their backward runs on every pass. (Before the tape, batch norm below feedback made the
// backward skip them on later passes, and their share of the gradient was lost.)
func TestNoisyTrainingBelowFeedback(t *testing.T) {
	spec := Spec{Input: []int{8, 8, 2}, Layers: bnBelowLayers(), Edges: []EdgeSpec{{From: "D1", To: "E2"}}, Passes: 2, Gate: "gain", BetaMax: 0.9, Eta: 0.5, Loss: "bce", Init: "glorot"}
	n, err := Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(2, 8, 8, 2)
	for i := range x.Data {
		x.Data[i] = float32(i%7) / 7
	}
	mode := func() Mode { return Mode{Train: true, Noise: 0.05, Rand: rand.New(rand.NewPCG(9, 9))} } // the same draws
	weights := []float64{0.5, 0.5}
	loss := func() float64 {
		l := n.Losses(n.Forward(x, mode(), nil), nn.Target{X: x}, nil)
		return weights[0]*l[0] + weights[1]*l[1]
	}
	tp := n.Forward(x, mode(), nil)
	nn.ZeroGrads(n.Params())
	n.Losses(tp, nn.Target{X: x}, weights)
	n.Backward(tp)
	w := n.Params()[0] // E1.weight, below the first gated layer
	for i := range 6 {
		old, h := w.Value.Data[i], float32(1e-3)
		w.Value.Data[i] = old + h
		up := loss()
		w.Value.Data[i] = old - h
		down := loss()
		w.Value.Data[i] = old
		numeric, analytic := (up-down)/(2*float64(h)), float64(w.Grad.Data[i])
		if math.Abs(analytic-numeric) > 0.05*math.Abs(numeric)+3e-5 {
			t.Errorf("%s[%d]: ∂L/∂θ %.6g from Backward, %.6g from finite differences", w.Name, i, analytic, numeric)
		}
	}
}

// Without feedback every pass is the first, batch norm or not: two passes with loss weights
// ½, ½ (or 0, 1) give the gradients of one pass with weight 1. (With batch norm the passes were
// rerun in training, and the later passes' share of the gradient was lost.)
func TestPassesWithoutFeedbackKeepTheirGradient(t *testing.T) {
	spec := Spec{Input: []int{8, 8, 2}, Layers: bnBelowLayers(), Passes: 1, Gate: "gain", BetaMax: 0.9, Eta: 0.5, Loss: "bce", Init: "glorot"}
	x := tensor.New(2, 8, 8, 2)
	for i := range x.Data {
		x.Data[i] = float32(i%7) / 7
	}
	grads := func(passes int, weights []float64) [][]float32 {
		spec.Passes = passes
		n, err := Build(spec, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		tp := n.Forward(x, Mode{Train: true, Rand: rand.New(rand.NewPCG(9, 9))}, nil)
		nn.ZeroGrads(n.Params())
		n.Losses(tp, nn.Target{X: x}, weights)
		n.Backward(tp)
		var out [][]float32
		for _, p := range n.Params() {
			out = append(out, append([]float32(nil), p.Grad.Data...))
		}
		return out
	}
	want := grads(1, []float64{1})
	for _, w := range [][]float64{{0.5, 0.5}, {0, 1}} {
		got := grads(2, w)
		for i := range want {
			for j := range want[i] {
				if d := math.Abs(float64(got[i][j] - want[i][j])); d > 1e-6*(1+math.Abs(float64(want[i][j]))) {
					t.Fatalf("weights %v: parameter %d[%d]: gradient %v, one pass gives %v", w, i, j, got[i][j], want[i][j])
				}
			}
		}
	}
}

// bnBelowLayers is a small convolutional autoencoder with batch norm in its first layer, below
// any gated layer.
func bnBelowLayers() []LayerSpec {
	return []LayerSpec{
		{Name: "E1", Type: "conv", Units: 3, Kernel: 3, Stride: 2, Pad: 1, BatchNorm: true},
		{Name: "E2", Type: "conv", Units: 4, Kernel: 3, Stride: 2, Pad: 1},
		{Name: "D1", Type: "convT", Units: 4, Kernel: 3, Stride: 2, Pad: 1, OutPad: 1},
		{Name: "D2", Type: "convT", Units: 2, Kernel: 3, Stride: 2, Pad: 1, OutPad: 1},
	}
}
