package nn

import (
	"math/rand/v2"

	"github.com/fgrelu/fgrelu/tensor"
)

// Param is a learned tensor and the gradient accumulated for it. Name is a stable path such as
// "E1.weight", used in checkpoints.
type Param struct {
	Name  string
	Value *tensor.Tensor
	Grad  *tensor.Tensor
}

// NewParam allocates a parameter and its gradient.
func NewParam(name string, shape ...int) *Param {
	return &Param{Name: name, Value: tensor.New(shape...), Grad: tensor.New(shape...)}
}

// State is what one layer keeps for one pass: its saved input, its output and input-gradient
// buffers (reused from batch to batch) and whatever else its backward pass needs.
type State struct {
	Train bool       // training mode (dropout active, batch statistics)
	First bool       // the first pass of this step: dropout draws its masks here
	Rand  *rand.Rand // the step's generator (dropout masks)

	X, Y, DX *tensor.Tensor
	Saved    []*tensor.Tensor // layer-specific saved values
	Index    []int32          // layer-specific saved indices (max pooling)
}

// Layer is a differentiable map with explicit forward and backward passes.
type Layer interface {
	// Forward computes the output for input x (batch first) and keeps in st what Backward
	// needs. The returned tensor belongs to st and is overwritten by the next Forward.
	Forward(st *State, x *tensor.Tensor) *tensor.Tensor
	// Backward takes the gradient of the output and adds the parameter gradients into their
	// Param.Grad. It returns the gradient of the input, or nil when needDX is false (the
	// input is data, so its gradient would be wasted work).
	Backward(st *State, dy *tensor.Tensor, needDX bool) *tensor.Tensor
	// Params lists the learned parameters.
	Params() []*Param
	// OutShape is the per-example output shape for a per-example input shape, or an error
	// naming the layer when the input does not fit.
	OutShape(in []int) ([]int, error)
}

// Buffered is implemented by layers with state that is saved in checkpoints but not learned by
// gradient descent (batch normalisation's running averages).
type Buffered interface {
	Buffers() []*Param
}

// ZeroGrads clears the gradients of params.
func ZeroGrads(params []*Param) {
	for _, p := range params {
		p.Grad.Zero()
	}
}

// batchShape prepends the batch size to a per-example shape.
func batchShape(n int, shape []int) []int {
	return append([]int{n}, shape...)
}
