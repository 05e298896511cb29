package nn

import (
	"fmt"

	"github.com/fgrelu/fgrelu/internal/kernels"
	"github.com/fgrelu/fgrelu/tensor"
)

// ActKind names an elementwise activation.
type ActKind int

const (
	Identity ActKind = iota // f(x) = x (logits of a softmax output)
	ReLU                    // f(x) = max(0, x); f'(0) = 0 as in PyTorch
	Sigmoid                 // f(x) = 1 / (1 + e^(−x))
)

func (k ActKind) String() string {
	switch k {
	case Identity:
		return "identity"
	case ReLU:
		return "relu"
	case Sigmoid:
		return "sigmoid"
	}
	return fmt.Sprintf("ActKind(%d)", int(k))
}

// ParseAct turns "relu", "sigmoid" or "identity" into an ActKind.
func ParseAct(s string) (ActKind, error) {
	for _, k := range []ActKind{Identity, ReLU, Sigmoid} {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown activation %q (want relu, sigmoid or identity)", s)
}

// Activation applies an elementwise function. Its backward pass needs only the output.
//
// Slope, when not 0, makes a ReLU leaky (Maas, Hannun & Ng, "Rectifier nonlinearities improve
// neural network acoustic models", ICML 2013; PyTorch's LeakyReLU): f(x) = x for x > 0 and
// Slope·x otherwise, f'(x) = 1 for x > 0 and Slope otherwise (at 0 too, as PyTorch). Its units
// pass a gradient even when they are never active, so they cannot die for good. With a slope
// in (0, 1), f(x) > 0 exactly when x > 0, so Backward still needs only the output.
type Activation struct {
	Kind  ActKind
	Slope float32
}

func (a *Activation) Params() []*Param                 { return nil }
func (a *Activation) OutShape(in []int) ([]int, error) { return in, nil }

func (a *Activation) Forward(st *State, x *tensor.Tensor) *tensor.Tensor {
	st.Y = tensor.Ensure(st.Y, x.Shape...)
	xs, ys := x.Data, st.Y.Data
	elementwise(len(xs), func(lo, hi int) {
		switch a.Kind {
		case Identity:
			copy(ys[lo:hi], xs[lo:hi])
		case ReLU:
			if a.Slope != 0 {
				leakyForward(xs[lo:hi], ys[lo:hi], a.Slope)
				return
			}
			kernels.ReLUForward(xs[lo:hi], ys[lo:hi], 1)
		case Sigmoid:
			kernels.Sigmoid(xs[lo:hi], ys[lo:hi])
		}
	})
	return st.Y
}

// Backward: ReLU passes dy where y > 0 (and Slope·dy elsewhere); sigmoid multiplies by y(1 − y).
func (a *Activation) Backward(st *State, dy *tensor.Tensor, needDX bool) *tensor.Tensor {
	if !needDX {
		return nil
	}
	st.DX = gradientBuffer(st, dy) // each kind reads dy[i] before it writes dx[i]
	ys, ds, dx := st.Y.Data, dy.Data, st.DX.Data
	elementwise(len(ys), func(lo, hi int) {
		switch a.Kind {
		case Identity:
			copy(dx[lo:hi], ds[lo:hi])
		case ReLU:
			if a.Slope != 0 {
				leakyBackward(ys[lo:hi], ds[lo:hi], dx[lo:hi], a.Slope)
				return
			}
			kernels.ReLUBackward(ys[lo:hi], ds[lo:hi], dx[lo:hi], 1)
		case Sigmoid:
			for i := lo; i < hi; i++ {
				dx[i] = ds[i] * ys[i] * (1 - ys[i])
			}
		}
	})
	return st.DX
}

// leakyForward is y = x for x > 0, slope·x otherwise.
func leakyForward(xs, ys []float32, slope float32) {
	for i, x := range xs {
		if x > 0 {
			ys[i] = x
		} else {
			ys[i] = slope * x
		}
	}
}

// leakyBackward is dx = dy where y > 0, slope·dy otherwise.
func leakyBackward(ys, dys, dxs []float32, slope float32) {
	for i, y := range ys {
		if y > 0 {
			dxs[i] = dys[i]
		} else {
			dxs[i] = slope * dys[i]
		}
	}
}

// Gate is a hidden or output stage's activation: it maps μ_S, and μ_D when the stage receives
// feedback, to the stage's output. FGReLU is one; Ungated makes any Activation one that takes
// no feedback, so a plain ReLU is the gate of a stage without feedback.
type Gate interface {
	// Forward computes the output from s (μ_S) and muD (μ_D [N, channels], nil for none) and
	// keeps in st what Backward needs.
	Forward(st *State, s, muD *tensor.Tensor) *tensor.Tensor
	// Backward returns ∂L/∂μ_S and ∂L/∂μ_D (nil when Forward had no μ_D) and adds the
	// parameter gradients into their Param.Grad.
	Backward(st *State, dy *tensor.Tensor) (ds, dmuD *tensor.Tensor)
	// Params lists the learned parameters (the threshold factor α of some gates).
	Params() []*Param
}

// Ungated is an Activation used as a Gate: a stage that receives no feedback.
type Ungated struct{ Activation }

// Forward applies the activation to s. A μ_D is a programming mistake: nothing sends it.
func (u *Ungated) Forward(st *State, s, muD *tensor.Tensor) *tensor.Tensor {
	if muD != nil {
		panic("nn: feedback into an ungated activation")
	}
	return u.Activation.Forward(st, s)
}

// Backward returns ∂L/∂μ_S, and no ∂L/∂μ_D.
func (u *Ungated) Backward(st *State, dy *tensor.Tensor) (ds, dmuD *tensor.Tensor) {
	return u.Activation.Backward(st, dy, true), nil
}

// CommutesWithMaxPool reports whether max pooling the gate's output gives the gate applied to
// the max-pooled μ_S, value for value: the gate is non-decreasing in μ_S for each example and
// channel (μ_D is one value per example and channel, and the gains are positive), and so is its
// rounding, so a window's largest μ_S gives its largest output. A training forward then pools
// μ_S first and gates a quarter of the values (net's stagePlan.poolFirst). The backward differs
// in two ways, both rounding-sized: a window whose inputs the gate rounds to the same value
// although their μ_S differ (neighbouring floats under a gain) sends its gradient to the larger
// μ_S instead of the first in the window; and the gate's sums over positions (∂L/∂μ_D, ∂L/∂α)
// add the windows' winners in window order instead of row order. Plain ReLUs and the identity
// have no such sum and, positive values passing unchanged, no such ties: their backward is the
// same bits. A leaky ReLU is left out (its negative side rounds neighbours together, and can
// turn +0 into −0), and so is a sigmoid, which saturates to equal values.
func CommutesWithMaxPool(g Gate) bool {
	switch g := g.(type) {
	case *FGReLU:
		return true
	case *Ungated:
		return g.Kind == Identity || (g.Kind == ReLU && g.Slope == 0)
	}
	return false
}

// Rectifier reports whether the gate is a rectifier (a ReLU, leaky or gated), whose units can
// be inactive (see net.Activity).
func Rectifier(g Gate) bool {
	switch g := g.(type) {
	case *FGReLU:
		return true
	case *Ungated:
		return g.Kind == ReLU
	}
	return false
}
