package net

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// A dense autoencoder with feedback whose bottleneck unit 1 can never activate (zero weights,
// bias −1) and unit 2 always does (bias +100). The probe must count unit 1 dead on both
// passes, and every bottleneck unit's active examples as a hand computation of its
// pre-activation from the layer below finds them, over two batches.
func TestActivityCountsADeadUnit(t *testing.T) {
	spec := Spec{
		Input: []int{2, 2, 1},
		Layers: []LayerSpec{
			{Name: "E1", Type: "dense", Units: 5},
			{Name: "E2", Type: "dense", Units: 4},
			{Name: "D1", Type: "dense", Units: 5},
			{Name: "D2", Type: "dense", Units: 4},
		},
		Edges:  []EdgeSpec{{From: "D1", To: "E1"}},
		Passes: 2, Gate: "gain", BetaMax: 0.9, Eta: 1, Loss: "bce", Init: "glorot",
	}
	n, err := Build(spec, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	e2 := n.Stages[1].Linear.(*nn.Dense)
	in := e2.In
	clear(e2.Weight.Value.Data[1*in : 2*in])
	e2.Bias.Value.Data[1] = -1
	e2.Bias.Value.Data[2] = 100
	r := rand.New(rand.NewPCG(5, 6))
	probe := NewActivity(n)
	want := make([][]int64, n.Passes) // [pass][unit] of E2, by hand
	for t := range want {
		want[t] = make([]int64, 4)
	}
	for _, batch := range []int{7, 3} {
		x := tensor.New(batch, 2, 2, 1)
		for i := range x.Data {
			x.Data[i] = r.Float32()
		}
		tp := n.Forward(x, Mode{}, nil)
		probe.Add(tp)
		for t := range n.Passes {
			below := tp.StageOutput(t, 0)
			for b := range batch {
				for u := range 4 {
					z := float64(e2.Bias.Value.Data[u])
					for j := range in {
						z += float64(e2.Weight.Value.Data[u*in+j]) * float64(below.Data[b*in+j])
					}
					if z > 0 {
						want[t][u]++
					}
				}
			}
		}
	}
	layers := probe.Layers(n)
	var names []string
	for _, l := range layers {
		names = append(names, l.Layer)
	}
	// E1 (gated), E2, D1 on two passes; D2, the sigmoid output, is no rectifier.
	if !slices.Equal(names, []string{"E1", "E1", "E2", "E2", "D1", "D1"}) {
		t.Fatalf("probed %v", names)
	}
	for _, l := range layers[2:4] {
		if l.Examples != 10 || l.Units != 4 {
			t.Errorf("E2 pass %d: %d examples, %d units; want 10, 4", l.Pass, l.Examples, l.Units)
		}
		if !slices.Equal(l.Active, want[l.Pass-1]) {
			t.Errorf("E2 pass %d: active counts %v, by hand %v", l.Pass, l.Active, want[l.Pass-1])
		}
		if l.Dead != 1 || !slices.Equal(l.DeadUnits(), []int{1}) || l.DeadFraction() != 0.25 {
			t.Errorf("E2 pass %d: %d dead %v (fraction %v), want unit 1 alone", l.Pass, l.Dead, l.DeadUnits(), l.DeadFraction())
		}
		if l.Share(2) != 1 {
			t.Errorf("E2 pass %d: unit 2 active in %v of the examples, want all", l.Pass, l.Share(2))
		}
	}
}

// A convolution's units are its channels, active in an example when active at any position,
// and the probe reads the activation before batch norm (here shifting everything below 0).
func TestActivityCountsChannels(t *testing.T) {
	spec := Spec{
		Input: []int{2, 2, 1},
		Layers: []LayerSpec{
			{Name: "C", Type: "conv", Units: 3, Kernel: 1, BatchNorm: true},
			{Name: "O", Type: "dense", Units: 2},
		},
		Passes: 1, Gate: "gain", BetaMax: 0.9, Eta: 1, Loss: "mse", Init: "glorot",
	}
	n, err := Build(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	conv := n.Stages[0].Linear.(*nn.Conv2D)
	// Channel 0: weight 0, bias −1, dead. Channel 1: x − 0.5, active where a pixel exceeds
	// 0.5. Channel 2: weight 0, bias 1, always active.
	copy(conv.Weight.Value.Data, []float32{0, 1, 0})
	copy(conv.Bias.Value.Data, []float32{-1, -0.5, 1})
	bn := n.Stages[0].Post[0].(*nn.BatchNorm)
	for c := range 3 {
		bn.Beta.Value.Data[c] = -10
	}
	x := tensor.New(3, 2, 2, 1)
	copy(x.Data, []float32{
		0.1, 0.2, 0.9, 0.3, // one pixel above 0.5
		0.1, 0.2, 0.3, 0.4, // none
		0.6, 0.7, 0.8, 0.9, // all
	})
	tp := n.Forward(x, Mode{}, nil)
	for _, v := range tp.StageOutput(0, 0).Data {
		if v > 0 {
			t.Fatal("batch norm left a positive output: the test cannot tell where the probe reads")
		}
	}
	probe := NewActivity(n)
	probe.Add(tp)
	layers := probe.Layers(n)
	if len(layers) != 1 {
		t.Fatalf("%d records, want C alone", len(layers))
	}
	l := layers[0]
	if l.Units != 3 || l.Examples != 3 || !slices.Equal(l.Active, []int64{0, 2, 3}) || l.Dead != 1 {
		t.Errorf("C: %+v, want 3 channels, 3 examples, active [0 2 3], 1 dead", l)
	}
	if got, want := l.MeanShare(), 5.0/9; got != want {
		t.Errorf("mean share %v, want %v", got, want)
	}
}
