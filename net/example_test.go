package net_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/fgrelu/fgrelu/net"
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// A tiny autoencoder of 4 values per example with one feedback edge, D1 → E1: on the second
// pass E1's gain is raised by μ_D, computed from D1's output on the first pass.
func ExampleBuild() {
	spec := net.Spec{
		Input: []int{1, 4, 1}, // H, W, C: four values per example
		Layers: []net.LayerSpec{
			{Name: "E1", Type: "dense", Units: 3},
			{Name: "E2", Type: "dense", Units: 2},
			{Name: "D1", Type: "dense", Units: 3},
			{Name: "D2", Type: "dense", Units: 4}, // the output: sigmoid, from the loss
		},
		Edges:   []net.EdgeSpec{{From: "D1", To: "E1"}},
		Passes:  2,
		Gate:    "gain",
		BetaMax: 0.95,
		Eta:     5,
		Loss:    "bce",
		Init:    "glorot",
	}
	n, err := net.Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	// A batch of two examples, [N, H, W, C].
	x, _ := tensor.FromData([]float32{0, 0.5, 1, 0.25, 1, 1, 0, 0}, 2, 1, 4, 1)
	tape := n.Forward(x, net.Mode{}, nil) // evaluation: no dropout, no noise
	losses := n.Losses(tape, nn.Target{X: x}, nil)
	for t, l := range losses {
		fmt.Printf("pass %d: loss %.4f\n", t+1, l)
	}
	_, y := tape.Output(1)
	fmt.Println("output shape", y.Shape)
	e1 := n.StageIndex("E1")
	fmt.Println("μ_D of E1: pass 1", tape.MuD(0, e1) == nil, "(none), pass 2 shape", tape.MuD(1, e1).Shape)
	fmt.Println("parameters:", len(n.Params()))
	// Output:
	// pass 1: loss 0.6903
	// pass 2: loss 0.6919
	// output shape [2 4]
	// μ_D of E1: pass 1 true (none), pass 2 shape [2 3]
	// parameters: 9
}

// Check validates a spec without allocating it, and names what is wrong.
func ExampleCheck() {
	spec := net.Spec{
		Input:   []int{28, 28, 1},
		Layers:  []net.LayerSpec{{Name: "E1", Type: "dense", Units: 392}, {Name: "D1", Type: "dense", Units: 784}},
		Passes:  2,
		Gate:    "gain",
		BetaMax: 0.95,
		Eta:     5,
		Loss:    "bce",
		Init:    "glorot",
	}
	size, err := net.Check(spec)
	fmt.Println(size, err)
	spec.Edges = []net.EdgeSpec{{From: "E1", To: "D1"}}
	_, err = net.Check(spec)
	fmt.Println(err)
	// Output:
	// 615832 <nil>
	// edges[0]: E1 → D1 points down the hierarchy or to itself; feedback goes from a higher layer to a lower one
}
