package train

import (
	"math"
	"math/rand/v2"

	"github.com/fgrelu/fgrelu/data"
	"github.com/fgrelu/fgrelu/net"
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// EvalOptions changes how a network is evaluated.
type EvalOptions struct {
	BatchSize int        // 0 → 1000
	Noise     float64    // σ of activation noise on every hidden μ_S in every pass
	Contrast  *float64   // inputs multiplied by this factor (nil: unchanged); targets stay
	Rand      *rand.Rand // noise generator, required when Noise > 0
	// Visit, when set, is called after each batch's forward passes with their tape and the
	// batch's first example index, so callers can read outputs, μ_D or codes from the tape.
	Visit func(tp *net.Tape, start int, x *tensor.Tensor)
	// SkipActivity leaves Eval.Activity empty: for callers that read other things, as counting
	// every unit's active examples costs about a tenth of an evaluation of a dense network.
	SkipActivity bool
}

// Eval holds the per-pass results of an evaluation.
type Eval struct {
	Loss     []float64 // mean loss per pass
	Accuracy []float64 // per pass, classification only (else nil)
	// Activity is the dead-unit probe of every rectifier layer and pass, layer by layer (see
	// net.Activity), taken from the same forward passes as the loss.
	Activity []net.LayerActivity
}

// Evaluate runs the network in evaluation mode over the whole dataset and averages each pass's
// loss over examples; on the same forward passes it counts each rectifier unit's active
// examples (Eval.Activity). The target of an autoencoder is the original input, also when the
// input is shown at reduced contrast.
func Evaluate(n *net.Net, ds *data.Dataset, opt EvalOptions) Eval {
	bs := opt.BatchSize
	if bs <= 0 {
		bs = 1000
	}
	classify := n.Loss.Name() == "softmax-ce"
	sums := make([]float64, n.Passes)
	correct := make([]int, n.Passes)
	shape := append([]int{0}, ds.H, ds.W, ds.C)
	idx := make([]int, 0, bs)
	labels := make([]int, bs)
	var x, target *tensor.Tensor
	var tp *net.Tape
	probe := net.NewActivity(n)
	for start := 0; start < ds.N; start += bs {
		end := min(start+bs, ds.N)
		idx = idx[:0]
		for i := start; i < end; i++ {
			idx = append(idx, i)
		}
		shape[0] = len(idx)
		target = tensor.Ensure(target, shape...)
		ds.Gather(target.Data, idx)
		x = target
		if opt.Contrast != nil && *opt.Contrast != 1 {
			c := float32(*opt.Contrast)
			x = tensor.Ensure(nil, shape...)
			for i, v := range target.Data {
				x.Data[i] = c * v
			}
		}
		t := nn.Target{X: target}
		if classify {
			t = nn.Target{Labels: labels[:len(idx)]}
			ds.GatherLabels(t.Labels, idx)
		}
		tp = n.Forward(x, net.Mode{Noise: opt.Noise, Rand: opt.Rand}, tp)
		losses := n.Losses(tp, t, nil)
		if !opt.SkipActivity {
			probe.Add(tp)
		}
		for p, l := range losses {
			sums[p] += l * float64(len(idx))
			if classify {
				z, _ := tp.Output(p)
				correct[p] += nn.Correct(z, t.Labels)
			}
		}
		if opt.Visit != nil {
			opt.Visit(tp, start, x)
		}
	}
	e := Eval{Loss: make([]float64, n.Passes)}
	if !opt.SkipActivity {
		e.Activity = probe.Layers(n)
	}
	for p := range sums {
		e.Loss[p] = sums[p] / float64(ds.N)
	}
	if classify {
		e.Accuracy = make([]float64, n.Passes)
		for p := range correct {
			e.Accuracy[p] = float64(correct[p]) / float64(ds.N)
		}
	}
	return e
}

// finite reports whether every value is a finite number.
func finite(xs []float32) bool {
	for _, v := range xs {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}
