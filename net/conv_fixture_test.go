package net

import (
	"strconv"
	"testing"

	"github.com/fgrelu/fgrelu/nn"
)

// Golden values for the convolutional parts, written by bench/make_fixtures.py with PyTorch in
// float64 (F.conv2d, F.conv_transpose2d with output_padding, F.max_pool2d, F.batch_norm in
// training mode, PyTorch's C,H,W flatten; every tensor permuted to this engine's layout before it
// is written). They pin down what finite differences cannot: that the engine computes the same
// function as PyTorch, not merely a differentiable one.
//
// Tolerances are those of the dense fixtures (fixture_test.go, check): |got − want| ≤ tol·(1 + |want|)
// with tol = 1e-5 for outputs, μ_D and running averages, 2e-5 for gradients, 1e-6 for the
// parameters after Adam; losses within 1e-6 absolute. The engine computes in float32 (unit
// roundoff 6e-8) with sums of at most 100 products per convolution output and a few hundred per
// weight gradient, accumulated through two passes, batch norm and feedback. The largest errors
// seen are 1.8e-6 for outputs, 5e-7 for μ_D and running averages, 3e-6 for gradients (the
// classifier, whose μ_D reach ±6) and 4e-8 after Adam: at least 5× inside. A semantic slip moves
// values far more: output padding at the top instead of the bottom changes outputs by 0.2, a
// C,H,W flatten by 1, running statistics updated once instead of on every pass by 0.04, and the
// running variance updated with the biased batch variance by 7e-4 relative (E1, 48 values per
// channel), all well beyond the tolerances. The generator rejects draws that would make the
// comparison ill-conditioned (see bench/README.md): ReLU arguments and max-pool runners-up
// within 1e-3 of the kink, nearly constant batch-norm channels, and nonzero gradients below 1e-6
// (Adam's first step lr·g/(|g| + 1e-8) would magnify their float32 rounding).

// convSpec is the network a fixture with an image input describes.
func (f *fixture) convSpec(t *testing.T) Spec {
	t.Helper()
	c := f.Config
	spec := Spec{Input: c.Input, Passes: c.Passes, Gate: c.Mode, BetaMax: c.BetaMax, Eta: c.Eta,
		Loss: c.LossName, Init: "glorot"}
	last := len(c.Layers) - 1
	for i, l := range c.Layers {
		// Build gives hidden layers ReLU (or the gate) and the output layer the loss's activation.
		want := "relu"
		if i == last {
			want = map[string]string{"bce": "sigmoid", "softmax-ce": "identity"}[c.LossName]
		}
		if l.Activation != want {
			t.Fatalf("layer %s: fixture activation %q, the engine would use %q", l.Name, l.Activation, want)
		}
		spec.Layers = append(spec.Layers, LayerSpec{Name: l.Name, Type: l.Kind, Units: l.Out, Kernel: l.Kernel,
			Stride: l.Stride, Pad: l.Pad, OutPad: l.OutPad, Pool: l.Pool, BatchNorm: l.BatchNorm})
	}
	for _, e := range c.Edges {
		src := e.Source
		if src == "units" { // a dense source: Build always sends its units
			src = ""
		}
		spec.Edges = append(spec.Edges, EdgeSpec{From: e.From, To: e.To, Source: src})
	}
	return spec
}

func TestConvAgainstPyTorchFixtures(t *testing.T) {
	for _, name := range []string{"conv_ae_T2.json", "conv_ae_bn_T2.json", "conv_ae_flatten_T2.json", "conv_cls_T2.json"} {
		t.Run(name, func(t *testing.T) {
			f := loadFixture(t, name)
			n := f.load(t, f.convSpec(t))
			c := f.Config
			x := f.tensor(t, "x", batchShape(c.Batch, c.Input)...)
			target := nn.Target{X: x}
			if c.LossName == "softmax-ce" {
				target = nn.Target{}
				for _, v := range f.values(t, "labels") {
					target.Labels = append(target.Labels, int(v))
				}
			}
			f.check(t, n, x, target)
		})
	}
}

// In the networks a max-pool tie only happens among the zeros of inactive units, whose gradient
// is 0 whichever wins, so the network fixtures cannot show the tie rule. maxpool_ties.json runs
// F.max_pool2d alone on inputs full of positive ties: the output and the gradient must match up
// to the float32 rounding of the stored values (each output is an input, each input gradient is
// one dy or 0; the wrong winner would move a gradient by a whole dy).
func TestMaxPoolTiesAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "maxpool_ties.json")
	x := f.tensor(t, "x", f.Tensors["x"].Shape...)
	for _, k := range []int{2, 3} {
		tag := "k" + strconv.Itoa(k)
		pool := &nn.MaxPool2D{Size: k}
		st := &nn.State{}
		y := pool.Forward(st, x)
		expect(t, tag+".y", y.Data, f.values(t, tag+".y"), 1e-7)
		dy := f.tensor(t, tag+".dy", y.Shape...)
		dx := pool.Backward(st, dy, true)
		expect(t, tag+".dx", dx.Data, f.values(t, tag+".dx"), 1e-7)
	}
}
