package net

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// Whole unrolled networks against central finite differences of the loss in sampled entries of
// every parameter tensor. This covers what the dense PyTorch fixtures do not: convolutional
// layers with filter-wise feedback, channel-mean and flattened sources, pooling, batch norm,
// dropout masks shared by passes, three passes, and the loss of every pass.

func checkNet(t *testing.T, spec Spec, batch int, target func(x *tensor.Tensor) nn.Target, lastOnly bool) {
	t.Helper()
	n, err := Build(spec, rand.New(rand.NewPCG(2, 3)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range n.Stages {
		if g, ok := s.Gate.(*nn.FGReLU); ok && g.Alpha != nil {
			g.Alpha.Value.Data[0] = 0.2
		}
	}
	r := rand.New(rand.NewPCG(4, 5))
	x := tensor.New(append([]int{batch}, spec.Input...)...)
	for i := range x.Data {
		x.Data[i] = r.Float32()
	}
	tgt := target(x)
	weights := make([]float64, n.Passes)
	for i := range weights {
		weights[i] = 1 / float64(n.Passes)
	}
	if lastOnly {
		clear(weights)
		weights[n.Passes-1] = 1
	}
	// loss also reports whether the network's piecewise pattern (which units are active, which
	// gains saturate, which inputs win a max pool) differs from the unperturbed one: a finite
	// difference across a kink measures nothing, so such samples are skipped.
	var base string
	var probe *Tape // a tape of its own, so the finite differences leave the backward's alone
	loss := func() (float64, bool) {
		probe = n.Forward(x, Mode{Train: true, Rand: rand.New(rand.NewPCG(9, 9))}, probe) // same dropout masks
		l := n.Losses(probe, tgt, nil)
		s := 0.0
		for i, w := range weights {
			s += w * l[i]
		}
		return s, pattern(probe) == base
	}
	tp := n.Forward(x, Mode{Train: true, Rand: rand.New(rand.NewPCG(9, 9))}, nil)
	base = pattern(tp)
	nn.ZeroGrads(n.Params())
	n.Losses(tp, tgt, weights)
	n.Backward(tp)
	// Some gated units must actually be modulated, or the check proves little.
	modulated := false
	for p := 1; p < n.Passes; p++ {
		for l := range n.Stages {
			if mu := tp.MuD(p, l); mu != nil {
				for _, v := range mu.Data {
					if math.Abs(float64(v)) > 1e-3 {
						modulated = true
					}
				}
			}
		}
	}
	if !modulated {
		t.Fatal("no μ_D differs from zero: the feedback path is untested")
	}
	// The largest step that crosses no kink is used; the tolerance allows for float32 rounding
	// of the loss (about 1e-7/h absolute) and the second-order error of the smooth parts.
	checked, skipped := 0, 0
	for _, p := range n.Params() {
		before := checked
		for k := 0; k < 8; k++ {
			i := r.IntN(p.Value.Len())
			old := p.Value.Data[i]
			numeric, ok, h := 0.0, false, 0.0
			for _, step := range []float32{3e-3, 1e-3, 3e-4, 1e-4} {
				p.Value.Data[i] = old + step
				up, same1 := loss()
				p.Value.Data[i] = old - step
				down, same2 := loss()
				p.Value.Data[i] = old
				if same1 && same2 {
					numeric, ok, h = (up-down)/(2*float64(step)), true, float64(step)
					break
				}
			}
			if !ok {
				skipped++
				continue
			}
			checked++
			analytic := float64(p.Grad.Data[i])
			if math.Abs(analytic-numeric) > 1e-2*math.Abs(numeric)+1e-6/h {
				t.Errorf("%s[%d]: ∂L/∂θ %.6g from Backward, %.6g from finite differences (step %g)", p.Name, i, analytic, numeric, h)
			}
		}
		if checked-before < 2 {
			t.Errorf("%s: only %d of 8 samples away from kinks", p.Name, checked-before)
		}
	}
	if checked < skipped {
		t.Errorf("only %d samples checked, %d skipped at kinks", checked, skipped)
	}
	t.Logf("%d samples checked, %d skipped at kinks", checked, skipped)
}

// pattern encodes every piecewise choice of the forward passes tp records.
func pattern(tp *Tape) string {
	var b []byte
	n := tp.net
	for t := range n.Passes {
		for l, s := range n.Stages {
			ss := &tp.state[t][l]
			if tp.plan[l].outOnce && t > 0 {
				continue
			}
			if nn.Rectifier(s.Gate) {
				for _, v := range ss.act.Y.Data {
					b = append(b, byte('0'+btoi(v > 0)))
				}
			}
			if g, ok := s.Gate.(*nn.FGReLU); ok && ss.muD != nil {
				for _, m := range ss.muD.Data {
					b = append(b, byte('0'+btoi(g.BetaMax/g.Eta*float64(m) >= g.BetaMax)))
				}
			}
			for _, ps := range ss.post {
				b = append(b, ps.Argmax()...)
			}
		}
	}
	return string(b)
}

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}

func TestConvAutoencoderGradients(t *testing.T) {
	spec := Spec{
		Input: []int{4, 4, 2},
		Layers: []LayerSpec{
			{Name: "E1", Type: "conv", Units: 4, Kernel: 3, Stride: 2, Pad: 1, BatchNorm: true},
			{Name: "E2", Type: "conv", Units: 3, Kernel: 3, Stride: 2, Pad: 1},
			{Name: "D1", Type: "convT", Units: 4, Kernel: 3, Stride: 2, Pad: 1, OutPad: 1},
			{Name: "D2", Type: "convT", Units: 2, Kernel: 3, Stride: 2, Pad: 1, OutPad: 1},
		},
		Edges:  []EdgeSpec{{From: "D1", To: "E1"}, {From: "D2", To: "E1", Source: "flatten"}, {From: "D1", To: "E2"}},
		Passes: 2, Gate: "gain", BetaMax: 0.9, Eta: 0.5, Loss: "bce", Init: "glorot",
	}
	for _, last := range []bool{false, true} {
		checkNet(t, spec, 2, func(x *tensor.Tensor) nn.Target { return nn.Target{X: x} }, last)
	}
}

func TestClassifierGradients(t *testing.T) {
	spec := Spec{
		Input: []int{4, 4, 3},
		Layers: []LayerSpec{
			{Name: "C1", Type: "conv", Units: 4, Kernel: 3, Pad: 1, Pool: 2, BatchNorm: true, Dropout: 0.3},
			{Name: "C2", Type: "conv", Units: 4, Kernel: 3, Pad: 1, Pool: 2, BatchNorm: true, Dropout: 0.3},
			{Name: "F1", Type: "dense", Units: 6, Dropout: 0.3},
			{Name: "OUT", Type: "dense", Units: 5},
		},
		Passes: 3, Gate: "gain+threshold", BetaMax: 0.9, Eta: 0.5, Loss: "softmax-ce", Init: "torch",
	}
	edges, err := TopologyEdges("comprehensive", spec.Layers)
	if err != nil {
		t.Fatal(err)
	}
	spec.Edges = edges
	labels := []int{0, 3, 4}
	checkNet(t, spec, 3, func(*tensor.Tensor) nn.Target { return nn.Target{Labels: labels} }, false)
}

// Leaky ReLUs in the layers without a gate and a positive initial bias: the gradients through
// the leaky units' negative side, in both passes, against finite differences.
func TestLeakyBiasInitGradients(t *testing.T) {
	spec := Spec{
		Input: []int{3, 3, 1},
		Layers: []LayerSpec{
			{Name: "E1", Type: "dense", Units: 6},
			{Name: "E2", Type: "dense", Units: 3},
			{Name: "D1", Type: "dense", Units: 6},
			{Name: "D2", Type: "dense", Units: 9},
		},
		Edges:  []EdgeSpec{{From: "D1", To: "E1"}},
		Passes: 2, Gate: "gain", BetaMax: 0.9, Eta: 0.5, Loss: "bce", Init: "glorot",
		LeakySlope: 0.1, ReLUBiasInit: 0.05,
	}
	for _, last := range []bool{false, true} {
		checkNet(t, spec, 3, func(x *tensor.Tensor) nn.Target { return nn.Target{X: x} }, last)
	}
}

// The options reach the right layers: the slope every ungated hidden layer and no other, the
// bias every hidden layer and no other, and the weights stay those drawn without them.
func TestLeakySlopeAndBiasInitPlacement(t *testing.T) {
	spec := Spec{
		Input: []int{2, 2, 1},
		Layers: []LayerSpec{
			{Name: "E1", Type: "conv", Units: 3, Kernel: 1},
			{Name: "E2", Type: "conv", Units: 2, Kernel: 1},
			{Name: "O", Type: "dense", Units: 4},
		},
		Edges:  []EdgeSpec{{From: "E2", To: "E1"}},
		Passes: 2, Gate: "gain", BetaMax: 0.9, Eta: 1, Loss: "mse", Init: "torch",
	}
	plain, err := Build(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	spec.LeakySlope, spec.ReLUBiasInit = 0.01, 0.1
	opts, err := Build(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	slope := func(s *Stage) float32 {
		if u, ok := s.Gate.(*nn.Ungated); ok {
			return u.Slope
		}
		return 0 // a feedback gate has no slope
	}
	if got := []float32{slope(opts.Stages[0]), slope(opts.Stages[1]), slope(opts.Stages[2])}; got[0] != 0 || got[1] != 0.01 || got[2] != 0 {
		t.Errorf("slopes E1 (gated), E2, O (output) = %v, want [0 0.01 0]", got)
	}
	for i, p := range opts.Params() {
		q := plain.Params()[i]
		shift := float32(0)
		if p.Name == "E1.bias" || p.Name == "E2.bias" {
			shift = 0.1
		}
		for j, v := range p.Value.Data {
			if v != q.Value.Data[j]+shift {
				t.Errorf("%s[%d] = %v, want %v + %v", p.Name, j, v, q.Value.Data[j], shift)
				break
			}
		}
	}
	for _, bad := range []Spec{{LeakySlope: -0.1}, {LeakySlope: 1}, {ReLUBiasInit: math.Inf(1)}} {
		s := spec
		s.LeakySlope, s.ReLUBiasInit = bad.LeakySlope, bad.ReLUBiasInit
		if _, err := Check(s); err == nil {
			t.Errorf("slope %v, bias %v accepted", s.LeakySlope, s.ReLUBiasInit)
		}
	}
}
