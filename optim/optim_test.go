package optim

import (
	"math"
	"testing"

	"github.com/fgrelu/fgrelu/nn"
)

// Three steps of Adam and SGD against the update rules computed in float64.
func TestOptimizersAgainstTheirRules(t *testing.T) {
	grads := [][]float64{{0.5, -1, 1e-4}, {0.1, -0.2, 0.3}, {-2, 0, 1}}
	p := nn.NewParam("w", 3)
	copy(p.Value.Data, []float32{1, 2, 3})
	adam := NewAdam([]*nn.Param{p}, 0.01)
	w := []float64{1, 2, 3}
	m, v := make([]float64, 3), make([]float64, 3)
	for step, g := range grads {
		for i := range g {
			p.Grad.Data[i] = float32(g[i])
			m[i] = 0.9*m[i] + 0.1*g[i]
			v[i] = 0.999*v[i] + 0.001*g[i]*g[i]
			mhat := m[i] / (1 - math.Pow(0.9, float64(step+1)))
			vhat := v[i] / (1 - math.Pow(0.999, float64(step+1)))
			w[i] -= 0.01 * mhat / (math.Sqrt(vhat) + 1e-8)
		}
		adam.Step()
		for i := range w {
			if math.Abs(float64(p.Value.Data[i])-w[i]) > 1e-6 {
				t.Fatalf("adam step %d: w[%d] = %v, want %v", step+1, i, p.Value.Data[i], w[i])
			}
		}
	}
	q := nn.NewParam("w", 3)
	sgd := NewSGD([]*nn.Param{q}, 0.1, 0.9)
	w = []float64{0, 0, 0}
	buf := make([]float64, 3)
	for step, g := range grads {
		for i := range g {
			q.Grad.Data[i] = float32(g[i])
			if step == 0 {
				buf[i] = g[i]
			} else {
				buf[i] = 0.9*buf[i] + g[i]
			}
			w[i] -= 0.1 * buf[i]
		}
		sgd.Step()
		for i := range w {
			if math.Abs(float64(q.Value.Data[i])-w[i]) > 1e-6 {
				t.Fatalf("sgd step %d: w[%d] = %v, want %v", step+1, i, q.Value.Data[i], w[i])
			}
		}
	}
}

func TestNewRefusesBadSettings(t *testing.T) {
	for _, c := range []struct {
		name         string
		lr, momentum float64
	}{{"adam", 0, 0}, {"sgd", 0.1, 1}, {"rmsprop", 0.1, 0}, {"sgd", -1, 0}} {
		if _, err := New(c.name, nil, c.lr, c.momentum); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// PyTorch hands 1 − β1 and 1 − β2 to its float32 kernels as Python floats, so after one step
// from zero moments with g = 1 the moments are exactly float32(0.1) and float32(0.001); with
// 1 − float32(β2) the second would be 0.00099998713.
func TestAdamConstantsInFloat64(t *testing.T) {
	p := nn.NewParam("w", 1)
	p.Grad.Data[0] = 1
	adam := NewAdam([]*nn.Param{p}, 1e-3)
	adam.Step()
	st, _ := adam.State()
	if m, want := st["adam.m.w"].Data[0], float32(0.1); m != want {
		t.Errorf("m = %.10g, want %.10g", m, want)
	}
	if v, want := st["adam.v.w"].Data[0], float32(0.001); v != want {
		t.Errorf("v = %.10g, want %.10g (1 − β2 rounded once)", v, want)
	}
}
