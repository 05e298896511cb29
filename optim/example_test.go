package optim_test

import (
	"fmt"

	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/optim"
)

// One parameter, one value, a constant gradient: Adam's bias-corrected first steps move it by
// about lr each, whatever the gradient's scale.
func ExampleAdam() {
	p := nn.NewParam("w", 1)
	p.Value.Data[0] = 1
	opt, err := optim.New("adam", []*nn.Param{p}, 0.1, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 2 {
		nn.ZeroGrads([]*nn.Param{p})
		p.Grad.Data[0] = 0.5 // ∂L/∂w, as Backward accumulates it
		opt.Step()
		_, step := opt.State()
		fmt.Printf("step %d: w = %.4f\n", step, p.Value.Data[0])
	}
	tensors, _ := opt.State()
	fmt.Printf("m = %.4f, v = %.6f\n", tensors["adam.m.w"].Data[0], tensors["adam.v.w"].Data[0])
	// Output:
	// step 1: w = 0.9000
	// step 2: w = 0.8000
	// m = 0.0950, v = 0.000500
}

// SGD with momentum, as PyTorch writes it: b ← μ·b + g, w ← w − lr·b.
func ExampleSGD() {
	p := nn.NewParam("w", 1)
	p.Value.Data[0] = 1
	opt := optim.NewSGD([]*nn.Param{p}, 0.1, 0.9)
	for range 3 {
		p.Grad.Data[0] = 1
		opt.Step()
		fmt.Printf("w = %.2f\n", p.Value.Data[0])
	}
	// Output:
	// w = 0.90
	// w = 0.71
	// w = 0.44
}
