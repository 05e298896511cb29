package net

import (
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
