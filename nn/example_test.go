package nn_test

import (
	"fmt"

	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// The gain of a feedback-gated ReLU with β_max = 0.95 and η = 5 (the paper's best setting):
// 1 without feedback, growing with μ_D up to 1/(1 − β_max) = 20 at μ_D = η, below 1 for
// negative μ_D.
func ExampleFGReLU_GainOf() {
	g, err := nn.NewFGReLU("E1", nn.Gain, 0.95, 5, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, muD := range []float64{-5, 0, 1, 2.5, 4, 5, 10} {
		gain, _ := g.GainOf(muD)
		fmt.Printf("μ_D = %4.1f  gain %7.4f\n", muD, gain)
	}
	// Output:
	// μ_D = -5.0  gain  0.5128
	// μ_D =  0.0  gain  1.0000
	// μ_D =  1.0  gain  1.2346
	// μ_D =  2.5  gain  1.9048
	// μ_D =  4.0  gain  4.1667
	// μ_D =  5.0  gain 20.0000
	// μ_D = 10.0  gain 20.0000
}

// Forward gates a batch: μ_S is [N, units], μ_D one value per unit and example. A nil μ_D
// (the first pass) is a plain ReLU.
func ExampleFGReLU_Forward() {
	g, _ := nn.NewFGReLU("E1", nn.Gain, 0.95, 5, 0)
	s, _ := tensor.FromData([]float32{-1, 0.5, 2}, 1, 3)
	muD, _ := tensor.FromData([]float32{1, 2.5, 5}, 1, 3)
	var st nn.State
	fmt.Printf("first pass:  %.4f\n", g.Forward(&st, s, nil).Data)
	fmt.Printf("second pass: %.4f\n", g.Forward(&st, s, muD).Data)
	// Output:
	// first pass:  [0.0000 0.5000 2.0000]
	// second pass: [0.0000 0.9524 40.0000]
}

// A dense layer computes y = x·Wᵀ + b with W stored [out, in], as PyTorch stores it.
func ExampleDense() {
	d := nn.NewDense("fc", 3, 2, true)
	copy(d.Weight.Value.Data, []float32{
		1, 0, -1, // row of output 0
		0.5, 0.5, 0.5, // row of output 1
	})
	copy(d.Bias.Value.Data, []float32{0.25, -1})
	x, _ := tensor.FromData([]float32{1, 2, 3, 4, 0, -2}, 2, 3)
	var st nn.State
	y := d.Forward(&st, x)
	fmt.Println(y.Shape, y.Data)
	// Output:
	// [2 2] [-1.75 2 6.25 0]
}
