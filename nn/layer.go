package nn

import (
	"math/rand/v2"

	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/internal/par"
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
// buffers (reused from batch to batch) and whatever else its backward pass needs. A layer keeps
// nothing of a call in itself, only in the State it is given, so one layer may run on many
// States at once (a network evaluated while it trains, each call with its own states).
type State struct {
	Train bool          // training mode (dropout active, batch statistics)
	First bool          // the first pass of this step: dropout draws its masks here
	Rand  *rand.Rand    // the step's generator (dropout masks)
	Gemm  *gemm.Context // where the layer's matrix products run; nil: gemm's compiled-in default
	// Step is the same layer's state on the first pass of this step, nil on the first pass
	// itself. What a layer keeps for a whole step lives in the first pass's state: dropout's
	// mask (drawn once, used on every pass) and the convolutions' scratch memory.
	Step *State

	X, Y, DX *tensor.Tensor
	// ReuseDY lets a gate's Backward write the input gradient into dy's storage, for a caller
	// that does not read dy afterwards (net's backward): one buffer fewer per stage and pass.
	ReuseDY bool

	// The saved values of each kind of layer, named.
	gate     gateSaved // FGReLU: μ_D, gains, their derivatives, ∂L/∂μ_D
	norm     normSaved // BatchNorm: x̂ and 1/√(σ² + ε)
	argmax   []uint8   // MaxPool2D: the winner's position in each output's window
	mask     []uint8   // Dropout: the step's mask, 1 kept, 0 dropped (in the first pass's state)
	cols     scratch   // Conv2D, ConvTranspose2D: patch matrices, one per goroutine (step-wide)
	dcols    scratch   // Conv2D: gradients of the patch matrices (step-wide)
	partials []float32 // Conv2D, ConvTranspose2D: per-group weight gradients (step-wide)
	colSums  []float64 // layers with a bias: the partial sums of its gradient (addColumnSums)
}

// gradientBuffer is where an elementwise Backward writes its input gradient: dy itself when the
// caller allows it (ReuseDY), else the state's own buffer.
func gradientBuffer(st *State, dy *tensor.Tensor) *tensor.Tensor {
	if st.ReuseDY {
		return dy
	}
	return tensor.Ensure(st.DX, dy.Shape...)
}

// stepState is where what a layer keeps for the whole step lives: the first pass's state.
func (st *State) stepState() *State {
	if st.Step != nil {
		return st.Step
	}
	return st
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

// BackwardReads says which values of its Forward the Backward of a layer or gate reads besides
// what it saves in its State: its input's (X: a product's input, a gate's μ_S) and its own
// output's (Y). An output that neither its layer's backward nor the next layer's reads may share
// one buffer across a network's passes (net.Mode.Lean). Types not listed here read both.
func BackwardReads(layer any) (input, output bool) {
	switch l := layer.(type) {
	case *Dense, *Conv2D, *ConvTranspose2D, *FGReLU:
		return true, false
	case *BatchNorm, *MaxPool2D: // x̂ and 1/σ; the winners' positions
		return false, false
	case *Dropout:
		// Without dropping, Forward hands its input on as its output: say both are read, so
		// that neither is shared.
		return l.P == 0, l.P == 0
	case *Activation, *Ungated:
		return false, true
	}
	return true, true
}

// Buffered is implemented by layers with state that is saved in checkpoints but not learned by
// gradient descent (batch normalisation's running averages).
type Buffered interface {
	Buffers() []*Param
}

// ZeroGrads clears the gradients of params, each split over the cores (mnist-ae's largest are
// 1.2 MB, a memory-bound clear that one core did alone).
func ZeroGrads(params []*Param) {
	for _, p := range params {
		g := p.Grad.Data
		par.For(len(g), par.ElementGrain, func(lo, hi int) { clear(g[lo:hi]) })
	}
}

// batchShape prepends the batch size to a per-example shape.
func batchShape(n int, shape []int) []int {
	return append([]int{n}, shape...)
}
