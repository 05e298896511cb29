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
// under leanSpec). That changes no value either; under the gain gate it may change the
// rounding of C1's gradient sums (TestPoolFirstGradients), which on these batches it does not.
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

// Pooling before the gate (stagePlan.poolFirst) against pooling after it, on the stage whose
// μ_S the passes share, for every gate mode: the losses are the same bits (the forward values
// are), every gradient within 1e-6 of its tensor's largest magnitude. They may differ in rounding
// only: the gate's sums over positions (∂L/∂μ_D, ∂L/∂α) add the pooling winners in window order
// rather than row order, and a window whose inputs the gain rounds together routes its
// gradient to the larger μ_S. The test logs how many values differ.
func TestPoolFirstGradients(t *testing.T) {
	for _, gate := range []string{"gain", "gain+threshold", "threshold-only"} {
		spec := leanSpec
		spec.Gate = gate
		grads := func(poolFirst bool) ([]float64, map[string][]float32) {
			n, err := Build(spec, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			x, tgt := tapeBatch(30, 64)
			// Lean pools first; a forward that is not lean pools after the gate.
			tp := n.Forward(x, Mode{Train: true, Lean: poolFirst, Rand: rand.New(rand.NewPCG(5, 5))}, nil)
			if tp.plan[0].poolFirst != poolFirst {
				t.Fatalf("%s: C1 pooled first: %v", gate, tp.plan[0].poolFirst)
			}
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
				t.Fatalf("%s pass %d: loss %v, want %v", gate, i, gotLoss[i], wantLoss[i])
			}
		}
		differ, total := 0, 0
		for name, w := range want {
			scale := 0.0
			for _, v := range w {
				scale = max(scale, math.Abs(float64(v)))
			}
			for i := range w {
				total++
				a, b := got[name][i], w[i]
				if math.Float32bits(a) != math.Float32bits(b) {
					differ++
				}
				if math.Abs(float64(a-b)) > 1e-6*scale || math.IsNaN(float64(a)) {
					t.Errorf("%s: %s[%d] = %v pooling first, %v after (largest |value| %v)", gate, name, i, a, b, scale)
				}
			}
		}
		t.Logf("%s: %d of %d gradient values differ in rounding", gate, differ, total)
	}
}

// A noisy lean step (which does not pool first) and then a lean step without noise (which
// does) on one tape: the second gives what it gives on a fresh tape. The chain of shared
// buffers changed between them; C1 of bareSpec, whose only post layer is the pooling, once kept
// sharing its output across passes and had the pooling's gradient written into it.
func TestLeanAfterNoisyLean(t *testing.T) {
	bare := leanSpec
	bare.Layers = append([]LayerSpec(nil), leanSpec.Layers...)
	bare.Layers[0].BatchNorm, bare.Layers[0].Dropout = false, 0
	for _, spec := range []Spec{tapeSpec, leanSpec, bare} {
		grads := func(noisyFirst bool) []float32 {
			n, err := Build(spec, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			var tp *Tape
			if noisyFirst {
				x, tgt := tapeBatch(9, 4)
				tp = n.Forward(x, Mode{Train: true, Lean: true, Noise: 0.1, Rand: rand.New(rand.NewPCG(5, 9))}, tp)
				n.Losses(tp, tgt, []float64{0.2, 0.3, 0.5})
				n.Backward(tp)
			}
			x, tgt := tapeBatch(10, 4)
			tp = n.Forward(x, Mode{Train: true, Lean: true, Rand: rand.New(rand.NewPCG(5, 5))}, tp)
			if !tp.plan[0].poolFirst {
				t.Fatal("C1 did not pool first")
			}
			return backwardGradients(n, tp, tgt)
		}
		want, got := grads(false), grads(true)
		for i := range want {
			if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
				t.Fatalf("%s, C1 batch norm %v: gradient %d %v after a noisy lean step, %v on a fresh tape",
					spec.Gate, spec.Layers[0].BatchNorm, i, got[i], want[i])
			}
		}
	}
}
