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
type Activation struct{ Kind ActKind }

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
			for i := lo; i < hi; i++ {
				ys[i] = max(xs[i], 0)
			}
		case Sigmoid:
			kernels.Sigmoid(xs[lo:hi], ys[lo:hi])
		}
	})
	return st.Y
}

// Backward: ReLU passes dy where y > 0; sigmoid multiplies by y(1 − y).
func (a *Activation) Backward(st *State, dy *tensor.Tensor, needDX bool) *tensor.Tensor {
	if !needDX {
		return nil
	}
	st.DX = tensor.Ensure(st.DX, dy.Shape...)
	ys, ds, dx := st.Y.Data, dy.Data, st.DX.Data
	elementwise(len(ys), func(lo, hi int) {
		switch a.Kind {
		case Identity:
			copy(dx[lo:hi], ds[lo:hi])
		case ReLU:
			for i := lo; i < hi; i++ {
				if ys[i] > 0 {
					dx[i] = ds[i]
				} else {
					dx[i] = 0
				}
			}
		case Sigmoid:
			for i := lo; i < hi; i++ {
				dx[i] = ds[i] * ys[i] * (1 - ys[i])
			}
		}
	})
	return st.DX
}
