package net

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/optim"
	"github.com/fgrelu/fgrelu/tensor"
)

// Golden values written by bench/make_fixtures.py with PyTorch in float64 (an oracle that
// shares no code with this engine): per-pass outputs and μ_D, per-pass and total loss, every
// gradient, and one Adam step, for a tiny autoencoder with feedback.

type fixture struct {
	Config struct {
		Batch  int   `json:"batch"`
		Sizes  []int `json:"sizes"` // dense networks: input and layer widths
		Input  []int `json:"input"` // image networks: per-example input [H, W, C]
		Layers []struct {
			Name       string `json:"name"`
			Kind       string `json:"kind"` // dense, conv or convT
			Out        int    `json:"out"`
			Kernel     int    `json:"kernel"`
			Stride     int    `json:"stride"`
			Pad        int    `json:"pad"`
			OutPad     int    `json:"out_pad"`
			Pool       int    `json:"pool"`
			BatchNorm  bool   `json:"batch_norm"`
			Activation string `json:"activation"`
		} `json:"layers"`
		Gated []string `json:"gated"`
		Edges []struct {
			From, To, Source string
		} `json:"edges"`
		Passes       int                `json:"passes"`
		Mode         string             `json:"mode"`
		BetaMax      float64            `json:"beta_max"`
		Eta          float64            `json:"eta"`
		AlphaInit    map[string]float64 `json:"alpha_init"`
		ConstantGain map[string]float64 `json:"constant_gain"`
		LossName     string             `json:"loss_name"` // image networks: bce or softmax-ce
		LossMode     string             `json:"loss_mode"`
		Params       []string           `json:"params"`
		Buffers      []string           `json:"buffers"` // batch-norm running averages, initial values
	} `json:"config"`
	Tensors map[string]struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	} `json:"tensors"`
}

func loadFixture(t *testing.T, name string) *fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

func (f *fixture) values(t *testing.T, name string) []float64 {
	t.Helper()
	v, ok := f.Tensors[name]
	if !ok {
		t.Fatalf("fixture has no tensor %q", name)
	}
	return v.Data
}

// build makes the dense network of a dense fixture and loads its parameters.
func (f *fixture) build(t *testing.T) *Net {
	t.Helper()
	c := f.Config
	spec := Spec{Input: []int{1, c.Sizes[0], 1}, Passes: c.Passes, Gate: c.Mode, BetaMax: c.BetaMax, Eta: c.Eta,
		Loss: "bce", Init: "glorot"}
	if spec.Gate == "constant-gain" {
		spec.Gate = "gain"
	}
	for i, l := range c.Layers {
		spec.Layers = append(spec.Layers, LayerSpec{Name: l.Name, Type: "dense", Units: c.Sizes[i+1]})
	}
	for _, e := range c.Edges {
		spec.Edges = append(spec.Edges, EdgeSpec{From: e.From, To: e.To})
	}
	for layer, gain := range c.ConstantGain {
		spec.ConstantGain = gain
		spec.ConstantLayers = append(spec.ConstantLayers, layer)
	}
	return f.load(t, spec)
}

// load builds the network of spec and sets every parameter, and every buffer the fixture
// lists, to the fixture's values, by name; the network must have exactly the fixture's
// parameters.
func (f *fixture) load(t *testing.T, spec Spec) *Net {
	t.Helper()
	c := f.Config
	n, err := Build(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]*nn.Param{}
	for _, p := range n.Params() {
		params[p.Name] = p
	}
	if len(params) != len(c.Params) {
		t.Fatalf("network has %d parameters, fixture %d", len(params), len(c.Params))
	}
	buffers := map[string]*nn.Param{}
	for _, b := range n.Buffers() {
		buffers[b.Name] = b
	}
	if len(buffers) != len(c.Buffers) {
		t.Fatalf("network has %d buffers, fixture %d", len(buffers), len(c.Buffers))
	}
	for _, names := range []struct {
		list []string
		in   map[string]*nn.Param
	}{{c.Params, params}, {c.Buffers, buffers}} {
		for _, name := range names.list {
			p, ok := names.in[name]
			if !ok {
				t.Fatalf("network has no parameter or buffer %q", name)
			}
			v := f.values(t, name)
			if len(v) != p.Value.Len() {
				t.Fatalf("%s: %d values in the network, %d in the fixture", name, p.Value.Len(), len(v))
			}
			for i, v := range v {
				p.Value.Data[i] = float32(v)
			}
		}
	}
	return n
}

// tensor returns a fixture tensor as float32 with the given shape.
func (f *fixture) tensor(t *testing.T, name string, shape ...int) *tensor.Tensor {
	t.Helper()
	v := f.values(t, name)
	x := tensor.New(shape...)
	if len(v) != x.Len() {
		t.Fatalf("%s: %d values, want shape %v", name, len(v), shape)
	}
	for i, v := range v {
		x.Data[i] = float32(v)
	}
	return x
}

func near(got float32, want, tol float64) bool {
	return math.Abs(float64(got)-want) <= tol*(1+math.Abs(want))
}

func expect(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, fixture %d", what, len(got), len(want))
	}
	for i := range got {
		if !near(got[i], want[i], tol) {
			t.Errorf("%s[%d] = %.7g, PyTorch %.7g", what, i, got[i], want[i])
			return
		}
	}
}

func TestAgainstPyTorchFixtures(t *testing.T) {
	for _, name := range []string{"partial_gain_T2.json", "partial_gain_T2_lastpass.json",
		"comprehensive_gainthreshold_T3.json", "partial_thresholdonly_T2.json", "constant_gain.json"} {
		t.Run(name, func(t *testing.T) {
			f := loadFixture(t, name)
			n := f.build(t)
			x := f.tensor(t, "x", f.Config.Batch, 1, f.Config.Sizes[0], 1)
			f.check(t, n, x, nn.Target{X: x})
		})
	}
}

// check runs one training step of n on x against the fixture: Forward in training mode,
// Losses with the fixture's per-pass weights, Backward, one Adam step. It compares every
// pass's loss, stage outputs and μ_D, the training loss, every gradient, the batch-norm
// running averages after the forward passes (after.*), and the parameters after Adam.
func (f *fixture) check(t *testing.T, n *Net, x *tensor.Tensor, target nn.Target) {
	t.Helper()
	tp := n.Forward(x, Mode{Train: true, Rand: rand.New(rand.NewPCG(1, 1))}, nil)
	weights := make([]float64, n.Passes)
	for i := range weights {
		weights[i] = 1 / float64(n.Passes)
	}
	if f.Config.LossMode == "last" {
		clear(weights)
		weights[n.Passes-1] = 1
	}
	nn.ZeroGrads(n.Params())
	losses := n.Losses(tp, target, weights)
	// A loss sums thousands of float32 terms: 1e-6 of its size, a few of its last bits, is what
	// a different order of summation (oneDNN's convolutions against PyTorch's) moves it by.
	lossClose := func(got, want float64) bool { return math.Abs(got-want) <= 1e-6*max(1, math.Abs(want)) }
	total := 0.0
	for p := range n.Passes {
		tag := "pass" + strconv.Itoa(p+1)
		if want := f.values(t, tag+".loss")[0]; !lossClose(losses[p], want) {
			t.Errorf("%s loss %.8g, PyTorch %.8g", tag, losses[p], want)
		}
		total += weights[p] * losses[p]
		for l, s := range n.Stages {
			expect(t, tag+"."+s.Name+".out", tp.StageOutput(p, l).Data, f.values(t, tag+"."+s.Name+".out"), 1e-5)
			if mu, ok := f.Tensors[tag+"."+s.Name+".mu_d"]; ok {
				got := tp.MuD(p, l)
				if got == nil {
					got = tensor.New(len(mu.Data)) // the first pass: μ_D = 0
				}
				expect(t, tag+"."+s.Name+".mu_d", got.Data, mu.Data, 1e-5)
			}
		}
	}
	if want := f.values(t, "loss")[0]; !lossClose(total, want) {
		t.Errorf("loss %.8g, PyTorch %.8g", total, want)
	}
	for _, b := range n.Buffers() {
		expect(t, "after."+b.Name, b.Value.Data, f.values(t, "after."+b.Name), 1e-5)
	}
	n.Backward(tp)
	for _, p := range n.Params() {
		expect(t, "grad."+p.Name, p.Grad.Data, f.values(t, "grad."+p.Name), 2e-5)
	}
	adam := optim.NewAdam(n.Params(), 1e-3)
	adam.Step()
	for _, p := range n.Params() {
		expect(t, "adam1."+p.Name, p.Value.Data, f.values(t, "adam1."+p.Name), 1e-6)
	}
}
