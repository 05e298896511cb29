package net

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fgrelu/fgrelu/nn"
)

// leanSpec is tapeSpec with the paper's gain gate and feedback into the first convolution too,
// whose μ_S the passes share: every kind of post layer and both backward paths of the gate.
var leanSpec = func() Spec {
	s := tapeSpec
	s.Gate = "gain"
	s.Edges = append([]EdgeSpec{{From: "F", To: "C1"}}, s.Edges...)
	return s
}()

// A lean forward changes no loss and no gradient, bit for bit, over several steps on one tape;
// a forward that is not lean on the same tape afterwards keeps every pass's values again. The
// lean forwards pool C1's μ_S before its gate (a plain ReLU under tapeSpec, the gain gate
// under leanSpec), which must change nothing either.
func TestLeanForwardChangesNothing(t *testing.T) {
	for _, spec := range []Spec{tapeSpec, leanSpec} {
		type step struct {
			losses []float64
			grads  []float32
		}
		run := func(lean bool) ([]step, *Net, *Tape) {
			n, err := Build(spec, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			var tp *Tape
			var out []step
			for i := range 3 {
				x, tgt := tapeBatch(uint64(10+i), 4+i%2)
				tp = n.Forward(x, Mode{Train: true, Lean: lean, Rand: rand.New(rand.NewPCG(5, uint64(i)))}, tp)
				nn.ZeroGrads(n.Params())
				s := step{losses: n.Losses(tp, tgt, []float64{0.2, 0.3, 0.5})}
				n.Backward(tp)
				for _, p := range n.Params() {
					s.grads = append(s.grads, p.Grad.Data...)
				}
				out = append(out, s)
			}
			return out, n, tp
		}
		want, _, _ := run(false)
		got, n, tp := run(true)
		if !tp.plan[0].poolFirst || tp.plan[1].poolFirst {
			t.Fatalf("%s: C1 pooled first %v, C2 %v; want C1 only", spec.Gate, tp.plan[0].poolFirst, tp.plan[1].poolFirst)
		}
		for i := range want {
			for j := range want[i].losses {
				if math.Float64bits(got[i].losses[j]) != math.Float64bits(want[i].losses[j]) {
					t.Fatalf("%s step %d pass %d: lean loss %v, want %v", spec.Gate, i, j, got[i].losses[j], want[i].losses[j])
				}
			}
			for j := range want[i].grads {
				if math.Float32bits(got[i].grads[j]) != math.Float32bits(want[i].grads[j]) {
					t.Fatalf("%s step %d gradient %d: lean %v, want %v", spec.Gate, i, j, got[i].grads[j], want[i].grads[j])
				}
			}
		}
		// The lean tape shared C2's gate output across passes and wrote its batch norm's
		// gradient into it (C1's too under leanSpec; under tapeSpec C1's plain ReLU reads its
		// output, which is therefore kept per pass).
		if tp.state[1][1].act.Y != tp.state[0][1].act.Y || tp.state[0][1].post[0].DX != tp.state[0][1].act.Y {
			t.Fatalf("%s: the lean step did not share C2's gate output", spec.Gate)
		}
		if c1 := tp.state[1][0].act.Y == tp.state[0][0].act.Y; c1 != (spec.Gate == "gain") {
			t.Fatalf("%s: C1's gate output shared: %v", spec.Gate, c1)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Fatalf("%s: ActivationOutput after a lean forward did not panic", spec.Gate)
				}
			}()
			tp.ActivationOutput(0, 1)
		}()
		// The same tape, not lean: every pass's gate output is its own again, also after a
		// backward (which must not write into them).
		x, tgt := tapeBatch(20, 4)
		fresh := n.Forward(x, Mode{Train: true, Rand: rand.New(rand.NewPCG(6, 6))}, nil)
		tp = n.Forward(x, Mode{Train: true, Rand: rand.New(rand.NewPCG(6, 6))}, tp)
		for _, tape := range []*Tape{fresh, tp} {
			n.Losses(tape, tgt, []float64{0.2, 0.3, 0.5})
			n.Backward(tape)
		}
		for p := range n.Passes {
			a, b := fresh.ActivationOutput(p, 1), tp.ActivationOutput(p, 1)
			for i := range a.Data {
				if math.Float32bits(a.Data[i]) != math.Float32bits(b.Data[i]) {
					t.Fatalf("%s pass %d: gate output %d after a lean step %v, want %v", spec.Gate, p, i, b.Data[i], a.Data[i])
				}
			}
		}
	}
}

// Lean applies to training only: outside it dropout hands its input on, and a lean evaluation
// is an ordinary one.
func TestLeanOutsideTrainingChangesNothing(t *testing.T) {
	n, err := Build(leanSpec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := tapeBatch(3, 4)
	plain := n.Forward(x, Mode{}, nil)
	lean := n.Forward(x, Mode{Lean: true}, nil)
	for p := range n.Passes {
		for l := range n.Stages {
			a, b := plain.StageOutput(p, l), lean.StageOutput(p, l)
			for i := range a.Data {
				if math.Float32bits(a.Data[i]) != math.Float32bits(b.Data[i]) {
					t.Fatalf("pass %d stage %d value %d: %v, want %v", p, l, i, b.Data[i], a.Data[i])
				}
			}
		}
	}
}

// With the threshold gate (α learned) on the stage that pools first, one gradient may round
// differently: ∂L/∂α sums over examples in chunks of a fixed number of values, and the pooled
// gate has a quarter as many per example, so the chunks group the examples differently (each
// chunk's sum is float64). Everything else is the same bits; ∂L/∂α within 1e-6 relative.
func TestPoolFirstWithThreshold(t *testing.T) {
	spec := leanSpec
	spec.Gate = "gain+threshold"
	grads := func(lean bool) ([]float64, map[string][]float32) {
		n, err := Build(spec, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		x, tgt := tapeBatch(30, 64)
		tp := n.Forward(x, Mode{Train: true, Lean: lean, Rand: rand.New(rand.NewPCG(5, 5))}, nil)
		nn.ZeroGrads(n.Params())
		losses := n.Losses(tp, tgt, []float64{0.2, 0.3, 0.5})
		n.Backward(tp)
		g := map[string][]float32{}
		for _, p := range n.Params() {
			g[p.Name] = append([]float32(nil), p.Grad.Data...)
		}
		return losses, g
	}
	wantLoss, want := grads(false)
	gotLoss, got := grads(true)
	for i := range wantLoss {
		if gotLoss[i] != wantLoss[i] {
			t.Fatalf("pass %d: loss %v, want %v", i, gotLoss[i], wantLoss[i])
		}
	}
	for name, w := range want {
		for i := range w {
			a, b := got[name][i], w[i]
			if name == "C1.alpha" { // see above
				if math.Abs(float64(a-b)) > 1e-6*math.Abs(float64(b)) {
					t.Errorf("%s: %v, want %v within 1e-6", name, a, b)
				}
				if a != b {
					t.Logf("%s: %v, without pooling first %v", name, a, b)
				}
				continue
			}
			if math.Float32bits(a) != math.Float32bits(b) {
				t.Fatalf("%s[%d]: %v, want %v", name, i, a, b)
			}
		}
	}
}
