package net

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/nn"
)

// LayerSpec describes one stage. After the activation come, in this order and when set, max
// pooling, batch normalisation and dropout (the classifier's order in the paper; the
// autoencoder uses batch normalisation alone).
type LayerSpec struct {
	Name      string  `json:"name" yaml:"name"`
	Type      string  `json:"type" yaml:"type"`   // dense, conv or convT
	Units     int     `json:"units" yaml:"units"` // units (dense) or filters (conv, convT)
	Kernel    int     `json:"kernel,omitempty" yaml:"kernel,omitempty"`
	Stride    int     `json:"stride,omitempty" yaml:"stride,omitempty"` // 0 → 1
	Pad       int     `json:"pad,omitempty" yaml:"pad,omitempty"`
	OutPad    int     `json:"out_pad,omitempty" yaml:"out_pad,omitempty"`
	Pool      int     `json:"pool,omitempty" yaml:"pool,omitempty"` // max pooling window; 0 none
	BatchNorm bool    `json:"batch_norm,omitempty" yaml:"batch_norm,omitempty"`
	Dropout   float64 `json:"dropout,omitempty" yaml:"dropout,omitempty"`
}

// EdgeSpec is a feedback edge from a higher layer to a lower one. Source says how a
// convolutional source is reduced: "mean" (each channel averaged over space, the default) or
// "flatten"; a dense source always sends its units.
type EdgeSpec struct {
	From   string `json:"from" yaml:"from"`
	To     string `json:"to" yaml:"to"`
	Source string `json:"source,omitempty" yaml:"source,omitempty"`
}

// Spec is everything Build needs to make a network.
type Spec struct {
	Input   []int       // per-example input shape [H, W, C]
	Layers  []LayerSpec // bottom to top; the last is the output
	Edges   []EdgeSpec
	Passes  int     // T ≥ 1
	Gate    string  // gate of every layer that receives feedback: gain, gain+threshold, threshold-only
	BetaMax float64 // β_max in (0, 1)
	Eta     float64 // η > 0
	// ConstantGain > 0 fixes the gain of ConstantLayers (the paper's control, no feedback).
	ConstantGain   float64
	ConstantLayers []string
	Loss           string // bce, mse or softmax-ce; sets the output activation
	Init           string // glorot, he or torch
	// ReLUBiasInit is added to the initial biases of every hidden layer (all rectifiers, gated
	// or not), after Init has drawn them: a small positive value keeps units from starting
	// dead. 0 leaves Init's biases.
	ReLUBiasInit float64
	// LeakySlope in [0, 1) makes the ReLU of every hidden layer without a gate leaky (see
	// nn.Activation); 0 is the plain ReLU.
	LeakySlope float64
}

// MaxSize bounds what a spec may ask for: each size it gives (input, units, kernel, stride,
// padding, pooling), the values per example of each layer's output, and the parameters and
// buffers of the whole network together. The paper's largest network, the CIFAR-10
// classifier, has about 0.9 million. The bound keeps a spec read from a config file or a
// checkpoint from overflowing an int or asking for more memory than a machine has: MaxSize
// float32 parameters take 512 MiB with their gradients.
const MaxSize = 1 << 26

// Check validates the spec as Build does, without allocating the network, and returns the
// number of values its parameters and buffers hold: what a checkpoint of it stores.
func Check(s Spec) (size int, err error) {
	_, size, err = build(s, nil, false)
	return size, err
}

// Build validates the spec and makes the network, its weights drawn from r. It allocates
// nothing before Check has accepted the spec.
func Build(s Spec, r *rand.Rand) (*Net, error) {
	if _, err := Check(s); err != nil {
		return nil, err
	}
	n, _, err := build(s, r, true)
	if n != nil {
		n.Gemm = gemm.Default()
	}
	return n, err
}

// build is Build when alloc is set, Check when not: then the layers get their geometry but
// no storage (see newLinear), and nothing is drawn from r. size counts the values of every
// parameter and buffer, and is checked against MaxSize layer by layer.
func build(s Spec, r *rand.Rand, alloc bool) (*Net, int, error) {
	size := 0
	if s.Passes < 1 {
		return nil, 0, fmt.Errorf("passes: %d, must be ≥ 1", s.Passes)
	}
	if len(s.Layers) < 1 {
		return nil, 0, errors.New("layers: none given")
	}
	loss, err := nn.ParseLoss(s.Loss)
	if err != nil {
		return nil, 0, fmt.Errorf("loss: %w", err)
	}
	init, err := nn.ParseInit(s.Init)
	if err != nil {
		return nil, 0, fmt.Errorf("init: %w", err)
	}
	gateMode, err := nn.ParseGateMode(s.Gate)
	if err != nil || gateMode == nn.ConstantGain {
		return nil, 0, fmt.Errorf("gate: %q, want gain, gain+threshold or threshold-only", s.Gate)
	}
	if !(s.BetaMax > 0 && s.BetaMax < 1) {
		return nil, 0, fmt.Errorf("beta_max: %v, must lie in (0, 1): 1 divides by zero, more gives a negative slope", s.BetaMax)
	}
	if !(s.Eta > 0) {
		return nil, 0, fmt.Errorf("eta: %v, must be > 0", s.Eta)
	}
	if math.IsNaN(s.ReLUBiasInit) || math.IsInf(s.ReLUBiasInit, 0) {
		return nil, 0, fmt.Errorf("relu_bias_init: %v, must be a finite number", s.ReLUBiasInit)
	}
	if !(s.LeakySlope >= 0 && s.LeakySlope < 1) {
		return nil, 0, fmt.Errorf("leaky_slope: %v, must lie in [0, 1): 0 is the plain ReLU, a negative slope would make inactive units positive", s.LeakySlope)
	}
	if len(s.Input) != 3 || s.Input[0] < 1 || s.Input[1] < 1 || s.Input[2] < 1 {
		return nil, 0, fmt.Errorf("input: shape %v, want [H W C] with positive sizes", s.Input)
	}
	if numel(s.Input) > MaxSize {
		return nil, 0, fmt.Errorf("input: shape %v holds more than %d values", s.Input, MaxSize)
	}
	n := &Net{Passes: s.Passes, Loss: loss, Input: append([]int(nil), s.Input...)}
	index := map[string]int{}
	for i, ls := range s.Layers {
		if ls.Name == "" {
			return nil, 0, fmt.Errorf("layers[%d].name: empty", i)
		}
		if _, dup := index[ls.Name]; dup {
			return nil, 0, fmt.Errorf("layers[%d].name: %q used twice", i, ls.Name)
		}
		index[ls.Name] = i
	}
	edges, err := resolveEdges(s, index)
	if err != nil {
		return nil, 0, err
	}
	constant := map[int]bool{}
	for _, name := range s.ConstantLayers {
		i, ok := index[name]
		if !ok {
			return nil, 0, fmt.Errorf("constant_gain_layers: no layer %q", name)
		}
		constant[i] = true
	}
	if len(constant) > 0 && !(s.ConstantGain > 0) {
		return nil, 0, fmt.Errorf("constant_gain: %v, must be > 0 when constant_gain_layers is set", s.ConstantGain)
	}
	receives := map[int]bool{}
	for _, e := range edges {
		receives[e.To] = true
		if constant[e.To] {
			return nil, 0, fmt.Errorf("constant_gain_layers: %s receives feedback; the constant-gain control has none", s.Layers[e.To].Name)
		}
	}

	shape := n.Input
	last := len(s.Layers) - 1
	for i, ls := range s.Layers {
		stage, out, values, err := buildStage(ls, shape, i == last, loss, alloc)
		if err != nil {
			return nil, 0, fmt.Errorf("layers[%d] (%s): %w", i, ls.Name, err)
		}
		if size += values; size > MaxSize {
			return nil, 0, fmt.Errorf("layers[%d] (%s): the network holds more than %d parameters", i, ls.Name, MaxSize)
		}
		var fg *nn.FGReLU
		switch {
		case receives[i]:
			fg, err = nn.NewFGReLU(ls.Name, gateMode, s.BetaMax, s.Eta, 0)
		case constant[i]:
			fg, err = nn.NewFGReLU(ls.Name, nn.ConstantGain, s.BetaMax, s.Eta, s.ConstantGain)
		}
		if err != nil {
			return nil, 0, err
		}
		if fg != nil && fg.Alpha != nil {
			size++
		}
		if fg != nil && i == last {
			return nil, 0, fmt.Errorf("layers[%d] (%s): the output layer cannot be gated (it may send feedback)", i, ls.Name)
		}
		switch {
		case fg != nil:
			stage.Gate = fg
		case i == last:
			stage.Gate = &nn.Ungated{Activation: nn.Activation{Kind: loss.Output()}}
		default:
			stage.Gate = &nn.Ungated{Activation: nn.Activation{Kind: nn.ReLU, Slope: float32(s.LeakySlope)}}
		}
		n.Stages = append(n.Stages, stage)
		shape = out
	}
	n.shared = len(n.Stages)
	for _, e := range edges {
		to, from := n.Stages[e.To], n.Stages[e.From]
		channels := to.sShape[len(to.sShape)-1]
		m := sourceLen(e.Reduce, from.hShape)
		name := fmt.Sprintf("fb.%s->%s.weight", from.Name, to.Name)
		if size += numel([]int{channels, m}); size > MaxSize {
			return nil, 0, fmt.Errorf("feedback %s → %s: the network holds more than %d parameters", from.Name, to.Name, MaxSize)
		}
		if alloc {
			e.Weight = nn.NewParam(name, channels, m)
		}
		n.Edges = append(n.Edges, e)
		n.shared = min(n.shared, e.To)
	}
	if alloc {
		n.initWeights(init, s.ReLUBiasInit, r)
	}
	return n, size, nil
}

func resolveEdges(s Spec, index map[string]int) ([]*Edge, error) {
	var edges []*Edge
	seen := map[[2]int]bool{}
	for i, es := range s.Edges {
		from, ok := index[es.From]
		if !ok {
			return nil, fmt.Errorf("feedback[%d].from: no layer %q", i, es.From)
		}
		to, ok := index[es.To]
		if !ok {
			return nil, fmt.Errorf("feedback[%d].to: no layer %q", i, es.To)
		}
		if from <= to {
			return nil, fmt.Errorf("feedback[%d]: %s → %s points down the hierarchy or to itself; feedback goes from a higher layer to a lower one", i, es.From, es.To)
		}
		if seen[[2]int{from, to}] {
			return nil, fmt.Errorf("feedback[%d]: %s → %s given twice", i, es.From, es.To)
		}
		seen[[2]int{from, to}] = true
		e := &Edge{From: from, To: to}
		switch es.Source {
		case "", "mean":
			e.Reduce = ChannelMean
		case "flatten":
			e.Reduce = Flatten
		default:
			return nil, fmt.Errorf("feedback[%d].source: %q, want mean or flatten", i, es.Source)
		}
		if s.Layers[from].Type == "dense" {
			e.Reduce = Units
		}
		edges = append(edges, e)
	}
	return edges, nil
}

func sourceLen(r Reduce, h []int) int {
	if r == ChannelMean {
		return h[len(h)-1]
	}
	return numel(h)
}

// buildStage makes one stage on input shape in and returns it, its output shape and the values
// its parameters and buffers hold. Every size is checked against MaxSize before it is
// multiplied, so nothing overflows; with alloc unset nothing is allocated.
func buildStage(ls LayerSpec, in []int, output bool, loss nn.Loss, alloc bool) (*Stage, []int, int, error) {
	if ls.Units < 1 {
		return nil, nil, 0, fmt.Errorf("units: %d, must be ≥ 1", ls.Units)
	}
	stride := max(ls.Stride, 1)
	if ls.Stride < 0 || ls.Pad < 0 || ls.OutPad < 0 {
		return nil, nil, 0, errors.New("stride, pad and out_pad must not be negative")
	}
	if max(ls.Units, ls.Kernel, ls.Stride, ls.Pad, ls.OutPad, ls.Pool) > MaxSize {
		return nil, nil, 0, fmt.Errorf("units, kernel, stride, pad, out_pad and pool must be at most %d", MaxSize)
	}
	st := &Stage{Name: ls.Name}
	switch ls.Type {
	case "dense":
	case "conv", "convT":
		if ls.Kernel < 1 {
			return nil, nil, 0, fmt.Errorf("kernel: %d, must be ≥ 1", ls.Kernel)
		}
		if len(in) != 3 {
			return nil, nil, 0, fmt.Errorf("type %s needs an image input [H W C], has %v", ls.Type, in)
		}
	default:
		return nil, nil, 0, fmt.Errorf("type: %q, want dense, conv or convT", ls.Type)
	}
	var size int
	st.Linear, size = newLinear(ls, in, stride, alloc)
	if size > MaxSize {
		return nil, nil, 0, fmt.Errorf("%s layer of %d units on input %v holds more than %d parameters", ls.Type, ls.Units, in, MaxSize)
	}
	out, err := st.Linear.OutShape(in)
	if err != nil {
		return nil, nil, 0, err
	}
	if numel(out) > MaxSize {
		return nil, nil, 0, fmt.Errorf("output of shape %v holds more than %d values", out, MaxSize)
	}
	st.sShape = out
	if output {
		if ls.Pool > 0 || ls.BatchNorm || ls.Dropout > 0 {
			return nil, nil, 0, errors.New("the output layer takes no pooling, batch norm or dropout")
		}
	}
	if ls.Pool > 0 {
		st.Post = append(st.Post, &nn.MaxPool2D{Size: ls.Pool})
	}
	if ls.BatchNorm {
		c := out[len(out)-1]
		size += 4 * c // γ, β, running mean and variance
		if alloc {
			st.Post = append(st.Post, nn.NewBatchNorm(ls.Name+".bn", c))
		} else {
			st.Post = append(st.Post, &nn.BatchNorm{C: c, Gamma: &nn.Param{Name: ls.Name + ".bn.weight"}})
		}
	}
	if ls.Dropout > 0 {
		st.Post = append(st.Post, &nn.Dropout{P: ls.Dropout})
	}
	for _, p := range st.Post {
		if out, err = p.OutShape(out); err != nil {
			return nil, nil, 0, err
		}
	}
	st.hShape = out
	return st, out, size, nil
}

// newLinear makes a stage's feedforward layer and returns it with the number of its
// parameters (more than MaxSize when there are too many to count). Without alloc, the layer
// has only its geometry and the parameter names that OutShape quotes in its errors.
func newLinear(ls LayerSpec, in []int, stride int, alloc bool) (nn.Layer, int) {
	c, k, u := in[len(in)-1], ls.Kernel, ls.Units
	w := &nn.Param{Name: ls.Name + ".weight"}
	switch ls.Type {
	case "dense":
		size := numel([]int{numel(in), u}) + u
		if alloc && size <= MaxSize {
			return nn.NewDense(ls.Name, numel(in), u, true), size
		}
		return &nn.Dense{In: numel(in), Out: u, Weight: w}, size
	case "conv":
		size := numel([]int{u, k, k, c}) + u
		if alloc && size <= MaxSize {
			return nn.NewConv2D(ls.Name, c, u, k, stride, ls.Pad, true), size
		}
		return &nn.Conv2D{In: c, Out: u, K: k, Stride: stride, Pad: ls.Pad, Weight: w}, size
	default: // convT
		size := numel([]int{c, k, k, u}) + u
		if alloc && size <= MaxSize {
			return nn.NewConvTranspose2D(ls.Name, c, u, k, stride, ls.Pad, ls.OutPad, true), size
		}
		return &nn.ConvTranspose2D{In: c, Out: u, K: k, Stride: stride, Pad: ls.Pad, OutPad: ls.OutPad, Weight: w}, size
	}
}

// numel is the product of s's non-negative sizes, or MaxSize+1 when that is larger: it cannot
// overflow.
func numel(s []int) int {
	n := 1
	for _, d := range s {
		if d != 0 && n > MaxSize/d {
			return MaxSize + 1
		}
		n *= d
	}
	return n
}

// initWeights draws every weight in parameter order, so the same seed gives the same network,
// then adds reluBias to the biases of the hidden layers (it draws nothing, so the weights are
// those of reluBias = 0).
func (n *Net) initWeights(scheme nn.Init, reluBias float64, r *rand.Rand) {
	for l, s := range n.Stages {
		var w, b *nn.Param
		switch l := s.Linear.(type) {
		case *nn.Dense:
			w, b = l.Weight, l.Bias
		case *nn.Conv2D:
			w, b = l.Weight, l.Bias
		case *nn.ConvTranspose2D:
			w, b = l.Weight, l.Bias
		}
		nn.InitWeights(scheme, w, b, r)
		if reluBias != 0 && b != nil && l < len(n.Stages)-1 {
			for i := range b.Value.Data {
				b.Value.Data[i] += float32(reluBias)
			}
		}
	}
	for _, e := range n.Edges {
		nn.InitWeights(scheme, e.Weight, nil, r)
	}
}

// OutputShape is the per-example shape of the network's output.
func (n *Net) OutputShape() []int { return n.Stages[len(n.Stages)-1].hShape }

// StageShape is the per-example shape of stage l's output.
func (n *Net) StageShape(l int) []int { return n.Stages[l].hShape }
