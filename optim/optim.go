package optim

import (
	"fmt"
	"math"

	"github.com/fgrelu/fgrelu/internal/kernels"
	"github.com/fgrelu/fgrelu/internal/par"
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// Optimizer updates parameters from their accumulated gradients.
type Optimizer interface {
	// Step applies one update to every parameter from its Grad.
	Step()
	// State returns the optimizer's tensors (moments, momentum buffers) by name for
	// checkpoints, and the step count.
	State() (tensors map[string]*tensor.Tensor, step int64)
	// SetStep restores the step count (the tensors are restored in place through State).
	SetStep(step int64)
}

// New returns the optimizer of a config name: "adam" or "sgd".
func New(name string, params []*nn.Param, lr, momentum float64) (Optimizer, error) {
	if !(lr > 0) {
		return nil, fmt.Errorf("lr: %v, must be > 0", lr)
	}
	switch name {
	case "adam":
		return NewAdam(params, lr), nil
	case "sgd":
		if momentum < 0 || momentum >= 1 {
			return nil, fmt.Errorf("momentum: %v, must lie in [0, 1)", momentum)
		}
		return NewSGD(params, lr, momentum), nil
	}
	return nil, fmt.Errorf("optimizer: %q, want adam or sgd", name)
}

// Adam is Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), Algorithm 1,
// in PyTorch's arrangement: p ← p − (lr/(1−β1^t))·m / (√v/√(1−β2^t) + ε).
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	params                []*nn.Param
	m, v                  []*tensor.Tensor
	t                     int64
}

// NewAdam makes Adam with β1 = 0.9, β2 = 0.999, ε = 1e-8 (the paper's and PyTorch's defaults).
func NewAdam(params []*nn.Param, lr float64) *Adam {
	a := &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, params: params}
	for _, p := range params {
		a.m = append(a.m, tensor.New(p.Value.Shape...))
		a.v = append(a.v, tensor.New(p.Value.Shape...))
	}
	return a
}

func (a *Adam) Step() {
	a.t++
	bc1 := 1 - math.Pow(a.Beta1, float64(a.t))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.t))
	// Every constant in float64, rounded to float32 once, as torch.optim.Adam hands its Python
	// floats to float32 kernels (exp_avg_sq.mul_(β2).addcmul_(g, g, value=1 − β2)): 1 − β2 is
	// float32(0.001), not 1 − float32(0.999) = 0.00099998713, which made every update about
	// 6.4e-6 relative larger than PyTorch's.
	c := kernels.AdamConsts{
		B1: float32(a.Beta1), B2: float32(a.Beta2),
		C1: float32(1 - a.Beta1), C2: float32(1 - a.Beta2),
		Step: float32(a.LR / bc1), Sq: float32(math.Sqrt(bc2)), Eps: float32(a.Eps),
	}
	for i, p := range a.params {
		w, g, m, v := p.Value.Data, p.Grad.Data, a.m[i].Data, a.v[i].Data
		par.For(len(w), par.UpdateGrain, func(lo, hi int) {
			kernels.Adam(w[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], c)
		})
	}
}

func (a *Adam) State() (map[string]*tensor.Tensor, int64) {
	s := map[string]*tensor.Tensor{}
	for i, p := range a.params {
		s["adam.m."+p.Name] = a.m[i]
		s["adam.v."+p.Name] = a.v[i]
	}
	return s, a.t
}

func (a *Adam) SetStep(t int64) { a.t = t }

// SGD is stochastic gradient descent with momentum as PyTorch writes it (no dampening):
// b ← μ·b + g (b = g on the first step), p ← p − lr·b.
type SGD struct {
	LR, Momentum float64
	params       []*nn.Param
	buf          []*tensor.Tensor
	t            int64
}

// NewSGD makes SGD with momentum (0 for plain SGD).
func NewSGD(params []*nn.Param, lr, momentum float64) *SGD {
	s := &SGD{LR: lr, Momentum: momentum, params: params}
	for _, p := range params {
		s.buf = append(s.buf, tensor.New(p.Value.Shape...))
	}
	return s
}

func (s *SGD) Step() {
	lr, mu := float32(s.LR), float32(s.Momentum)
	first := s.t == 0
	s.t++
	for i, p := range s.params {
		w, g, b := p.Value.Data, p.Grad.Data, s.buf[i].Data
		par.For(len(w), par.UpdateGrain, func(lo, hi int) {
			for j := lo; j < hi; j++ {
				if first {
					b[j] = g[j]
				} else {
					b[j] = mu*b[j] + g[j]
				}
				w[j] -= lr * b[j]
			}
		})
	}
}

func (s *SGD) State() (map[string]*tensor.Tensor, int64) {
	st := map[string]*tensor.Tensor{}
	for i, p := range s.params {
		st["sgd.momentum."+p.Name] = s.buf[i]
	}
	return st, s.t
}

func (s *SGD) SetStep(t int64) { s.t = t }
