package net

import (
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// TestCheckCountsWhatBuildAllocates compares Check's count with the values of the parameters
// and buffers of the network Build makes, for the paper's networks and a custom one with
// every kind of layer, batch norm, threshold gates and flattened feedback.
func TestCheckCountsWhatBuildAllocates(t *testing.T) {
	var specs []Spec
	for _, a := range []Arch{{Name: "mnist-ae", Bottleneck: 10}, {Name: "cifar-ae", BatchNorm: true}, {Name: "cifar-cls", Dropout: 0.5}} {
		input, layers, loss, err := a.Layers()
		if err != nil {
			t.Fatal(err)
		}
		edges, err := TopologyEdges("comprehensive", layers)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, Spec{Input: input, Layers: layers, Edges: edges, Passes: 2, Gate: "gain+threshold",
			BetaMax: 0.9, Eta: 1, Loss: loss, Init: "glorot", ConstantGain: 10})
	}
	specs = append(specs, Spec{
		Input: []int{6, 5, 2},
		Layers: []LayerSpec{
			{Name: "C", Type: "conv", Units: 3, Kernel: 3, Pad: 1, Pool: 2, BatchNorm: true},
			{Name: "T", Type: "convT", Units: 2, Kernel: 2, Stride: 2, OutPad: 1},
			{Name: "K", Type: "dense", Units: 4},
			{Name: "O", Type: "dense", Units: 3},
		},
		Edges:  []EdgeSpec{{From: "T", To: "C", Source: "flatten"}, {From: "O", To: "T"}},
		Passes: 3, Gate: "threshold-only", BetaMax: 0.5, Eta: 2, Loss: "mse", Init: "he",
		ConstantGain: 10, ConstantLayers: []string{"K"},
	})
	for i, s := range specs {
		size, err := Check(s)
		if err != nil {
			t.Fatalf("spec %d: %v", i, err)
		}
		n, err := Build(s, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatalf("spec %d: %v", i, err)
		}
		want := 0
		for _, p := range append(n.Params(), n.Buffers()...) {
			want += p.Value.Len()
		}
		if size != want {
			t.Errorf("spec %d: Check counts %d values, Build allocated %d", i, size, want)
		}
	}
}

// TestCheckBoundsSizes gives specs whose sizes overflow an int or exceed MaxSize: Check and
// Build must refuse them, naming the layer, without allocating for them.
func TestCheckBoundsSizes(t *testing.T) {
	dense := func(units int) LayerSpec { return LayerSpec{Name: "D", Type: "dense", Units: units} }
	for _, c := range []struct {
		input  []int
		layers []LayerSpec
		want   string
	}{
		{[]int{1 << 62, 4, 1}, []LayerSpec{dense(3)}, "input"},
		{[]int{1 << 20, 1 << 20, 1 << 20}, []LayerSpec{dense(3)}, "input"},
		{[]int{28, 28, 1}, []LayerSpec{dense(1 << 40)}, "layers[0] (D): units"},
		{[]int{28, 28, 1}, []LayerSpec{dense(1 << 20)}, "layers[0] (D)"},
		{[]int{28, 28, 1}, []LayerSpec{{Name: "A", Type: "dense", Units: 8000}, {Name: "B", Type: "dense", Units: 9000}}, "layers[1] (B)"},
		{[]int{4, 4, 1}, []LayerSpec{{Name: "T", Type: "convT", Units: 1, Kernel: 2, Stride: 1 << 26}}, "layers[0] (T): output"},
		{[]int{4, 4, 1}, []LayerSpec{{Name: "T", Type: "convT", Units: 1, Kernel: 2, Stride: 1 << 40}}, "layers[0] (T): units, kernel, stride"},
		{[]int{4, 4, 1}, []LayerSpec{{Name: "C", Type: "conv", Units: 1 << 13, Kernel: 1 << 13, Pad: 1 << 13}}, "layers[0] (C)"},
		// Max pooling keeps each winner's place in its window in a byte: at most 16×16.
		{[]int{17, 17, 1}, []LayerSpec{{Name: "P", Type: "conv", Units: 1, Kernel: 1, Pool: 17}, dense(2)}, "at most 16×16"},
	} {
		s := Spec{Input: c.input, Layers: c.layers, Passes: 1, Gate: "gain", BetaMax: 0.9, Eta: 1, Loss: "mse", Init: "glorot"}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Check(s)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: Check gave %v, want an error naming %q", c.input, c.layers, err, c.want)
		}
		if b := after.TotalAlloc - before.TotalAlloc; b > 1<<16 {
			t.Errorf("%v %v: Check allocated %d bytes", c.input, c.layers, b)
		}
		if _, err := Build(s, rand.New(rand.NewPCG(1, 2))); err == nil {
			t.Errorf("%v %v: Build accepted it", c.input, c.layers)
		}
	}
}
