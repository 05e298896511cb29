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

// FieldError is an error in a Spec that names the field at fault: Key is the field's key
// ("passes", "beta_max", "layers", "edges", "constant_layers", …), Index the entry of a list
// field (−1 for none), Sub a field of that entry ("from", "to", "source"; "" for the entry as
// a whole) and Name the layer's name when the entry is a layer. A config maps the key to its
// own (see config.Config.ModelError).
type FieldError struct {
	Key   string
	Index int
	Sub   string
	Name  string
	Err   error
}

func (e *FieldError) Error() string { return e.Entry(e.Key) + ": " + e.Err.Error() }

// Entry names the field at fault under key, the list's name: key[Index] (Name).Sub.
func (e *FieldError) Entry(key string) string {
	if e.Index >= 0 {
		key += fmt.Sprintf("[%d]", e.Index)
	}
	if e.Name != "" {
		key += " (" + e.Name + ")"
	}
	if e.Sub != "" {
		key += "." + e.Sub
	}
	return key
}

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(key string, format string, args ...any) error {
	return &FieldError{Key: key, Index: -1, Err: fmt.Errorf(format, args...)}
}

// layout is what Check computes from a spec, without building anything: each stage's shapes
// and gate, the edges resolved to stage indices, and the values the network's parameters and
// buffers hold. Build makes the network from it.
type layout struct {
	loss   nn.Loss
	init   nn.Init
	gate   nn.GateMode // of the stages that receive feedback
	stages []stageLayout
	edges  []edgeLayout
	shared int // the first stage that receives feedback (len(stages) when none does)
	size   int
}

// gateKind is what a stage's gate is.
type gateKind int

const (
	plainGate    gateKind = iota // a ReLU (leaky when the spec says) or the output's activation
	feedbackGate                 // an FG-ReLU of the spec's gate mode: the stage receives feedback
	constantGate                 // an FG-ReLU with a constant gain (the control), no feedback
)

type stageLayout struct {
	spec   LayerSpec
	stride int
	in     []int // per-example shape of the input
	s      []int // of μ_S
	h      []int // of the output
	gate   gateKind
}

type edgeLayout struct {
	from, to int
	reduce   Reduce
	weight   []int // [channels or units of to, length of the reduced source]
}

// Check validates the spec as Build does, without allocating the network, and returns the
// number of values its parameters and buffers hold: what a checkpoint of it stores. Its
// errors are *FieldError.
func Check(s Spec) (size int, err error) {
	lay, err := check(s)
	if err != nil {
		return 0, err
	}
	return lay.size, nil
}

// Build validates the spec and makes the network, its weights drawn from r and its products
// run by gemm.Default(). It allocates nothing before Check has accepted the spec.
func Build(s Spec, r *rand.Rand) (*Net, error) {
	lay, err := check(s)
	if err != nil {
		return nil, err
	}
	n := &Net{Passes: s.Passes, Loss: lay.loss, Input: append([]int(nil), s.Input...), Gemm: gemm.Default(), shared: lay.shared}
	last := len(lay.stages) - 1
	for i, st := range lay.stages {
		n.Stages = append(n.Stages, newStage(st, s, lay, i == last))
	}
	for _, e := range lay.edges {
		from, to := n.Stages[e.from], n.Stages[e.to]
		name := fmt.Sprintf("fb.%s->%s.weight", from.Name, to.Name)
		n.Edges = append(n.Edges, &Edge{From: e.from, To: e.to, Reduce: e.reduce, Weight: nn.NewParam(name, e.weight...)})
	}
	n.initWeights(lay.init, s.ReLUBiasInit, r)
	return n, nil
}

// check computes the layout of a spec, checking every size against MaxSize before it is
// multiplied, so that nothing overflows.
func check(s Spec) (*layout, error) {
	lay, err := checkSettings(s)
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, ls := range s.Layers {
		if ls.Name == "" {
			return nil, &FieldError{Key: "layers", Index: i, Sub: "name", Err: errors.New("empty")}
		}
		if _, dup := index[ls.Name]; dup {
			return nil, &FieldError{Key: "layers", Index: i, Sub: "name", Err: fmt.Errorf("%q used twice", ls.Name)}
		}
		index[ls.Name] = i
	}
	if lay.edges, err = resolveEdges(s, index); err != nil {
		return nil, err
	}
	gates, err := gateKinds(s, index, lay.edges)
	if err != nil {
		return nil, err
	}
	shape := s.Input
	last := len(s.Layers) - 1
	for i, ls := range s.Layers {
		layerErr := func(err error) error { return &FieldError{Key: "layers", Index: i, Name: ls.Name, Err: err} }
		st, values, err := checkStage(ls, shape, i == last)
		if err != nil {
			return nil, layerErr(err)
		}
		st.gate = gates[i]
		if st.gate == feedbackGate && lay.gate.UsesAlpha() {
			values++ // α
		}
		if lay.size += values; lay.size > MaxSize {
			return nil, layerErr(fmt.Errorf("the network holds more than %d parameters", MaxSize))
		}
		if st.gate != plainGate && i == last {
			return nil, layerErr(errors.New("the output layer cannot be gated (it may send feedback)"))
		}
		lay.stages = append(lay.stages, st)
		shape = st.h
	}
	lay.shared = len(lay.stages)
	for i := range lay.edges {
		e := &lay.edges[i]
		to, from := lay.stages[e.to], lay.stages[e.from]
		e.weight = []int{to.s[len(to.s)-1], sourceLen(e.reduce, from.h)}
		if lay.size += numel(e.weight); lay.size > MaxSize {
			return nil, &FieldError{Key: "edges", Index: i, Err: fmt.Errorf("%s → %s: the network holds more than %d parameters", from.spec.Name, to.spec.Name, MaxSize)}
		}
		lay.shared = min(lay.shared, e.to)
	}
	return lay, nil
}

// checkSettings checks the spec's settings that are not layers or edges.
func checkSettings(s Spec) (*layout, error) {
	if s.Passes < 1 {
		return nil, fieldErr("passes", "%d, must be ≥ 1", s.Passes)
	}
	if len(s.Layers) < 1 {
		return nil, fieldErr("layers", "none given")
	}
	lay := &layout{}
	var err error
	if lay.loss, err = nn.ParseLoss(s.Loss); err != nil {
		return nil, &FieldError{Key: "loss", Index: -1, Err: err}
	}
	if lay.init, err = nn.ParseInit(s.Init); err != nil {
		return nil, &FieldError{Key: "init", Index: -1, Err: err}
	}
	lay.gate, err = nn.ParseGateMode(s.Gate)
	if err != nil || lay.gate == nn.ConstantGain {
		return nil, fieldErr("gate", "%q, want gain, gain+threshold or threshold-only", s.Gate)
	}
	if err := nn.CheckBetaMax(s.BetaMax); err != nil {
		return nil, &FieldError{Key: "beta_max", Index: -1, Err: err}
	}
	if err := nn.CheckEta(s.Eta); err != nil {
		return nil, &FieldError{Key: "eta", Index: -1, Err: err}
	}
	if math.IsNaN(s.ReLUBiasInit) || math.IsInf(s.ReLUBiasInit, 0) {
		return nil, fieldErr("relu_bias_init", "%v, must be a finite number", s.ReLUBiasInit)
	}
	if !(s.LeakySlope >= 0 && s.LeakySlope < 1) {
		return nil, fieldErr("leaky_slope", "%v, must lie in [0, 1): 0 is the plain ReLU, a negative slope would make inactive units positive", s.LeakySlope)
	}
	if len(s.Input) != 3 || s.Input[0] < 1 || s.Input[1] < 1 || s.Input[2] < 1 {
		return nil, fieldErr("input", "shape %v, want [H W C] with positive sizes", s.Input)
	}
	if numel(s.Input) > MaxSize {
		return nil, fieldErr("input", "shape %v holds more than %d values", s.Input, MaxSize)
	}
	return lay, nil
}

func resolveEdges(s Spec, index map[string]int) ([]edgeLayout, error) {
	var edges []edgeLayout
	seen := map[[2]int]bool{}
	for i, es := range s.Edges {
		bad := func(sub, format string, args ...any) error {
			return &FieldError{Key: "edges", Index: i, Sub: sub, Err: fmt.Errorf(format, args...)}
		}
		from, ok := index[es.From]
		if !ok {
			return nil, bad("from", "no layer %q", es.From)
		}
		to, ok := index[es.To]
		if !ok {
			return nil, bad("to", "no layer %q", es.To)
		}
		if from <= to {
			return nil, bad("", "%s → %s points down the hierarchy or to itself; feedback goes from a higher layer to a lower one", es.From, es.To)
		}
		if seen[[2]int{from, to}] {
			return nil, bad("", "%s → %s given twice", es.From, es.To)
		}
		seen[[2]int{from, to}] = true
		e := edgeLayout{from: from, to: to}
		switch es.Source {
		case "", "mean":
			e.reduce = ChannelMean
		case "flatten":
			e.reduce = Flatten
		default:
			return nil, bad("source", "%q, want mean or flatten", es.Source)
		}
		if s.Layers[from].Type == "dense" {
			e.reduce = Units
		}
		edges = append(edges, e)
	}
	return edges, nil
}

// gateKinds decides each layer's gate: a feedback gate where an edge arrives, a constant gain
// on the spec's constant layers, else plain.
func gateKinds(s Spec, index map[string]int, edges []edgeLayout) ([]gateKind, error) {
	kinds := make([]gateKind, len(s.Layers))
	for _, name := range s.ConstantLayers {
		i, ok := index[name]
		if !ok {
			return nil, fieldErr("constant_layers", "no layer %q", name)
		}
		kinds[i] = constantGate
	}
	if len(s.ConstantLayers) > 0 && !(s.ConstantGain > 0) {
		return nil, fieldErr("constant_gain", "%v, must be > 0 when constant_gain_layers is set", s.ConstantGain)
	}
	for _, e := range edges {
		if kinds[e.to] == constantGate {
			return nil, fieldErr("constant_layers", "%s receives feedback; the constant-gain control has none", s.Layers[e.to].Name)
		}
		kinds[e.to] = feedbackGate
	}
	return kinds, nil
}

func sourceLen(r Reduce, h []int) int {
	if r == ChannelMean {
		return h[len(h)-1]
	}
	return numel(h)
}

// checkStage computes one stage's shapes on input shape in, and the values its parameters and
// buffers hold (its gate's aside).
func checkStage(ls LayerSpec, in []int, output bool) (stageLayout, int, error) {
	st := stageLayout{spec: ls, stride: max(ls.Stride, 1), in: in}
	if ls.Units < 1 {
		return st, 0, fmt.Errorf("units: %d, must be ≥ 1", ls.Units)
	}
	if ls.Stride < 0 || ls.Pad < 0 || ls.OutPad < 0 {
		return st, 0, errors.New("stride, pad and out_pad must not be negative")
	}
	if max(ls.Units, ls.Kernel, ls.Stride, ls.Pad, ls.OutPad, ls.Pool) > MaxSize {
		return st, 0, fmt.Errorf("units, kernel, stride, pad, out_pad and pool must be at most %d", MaxSize)
	}
	switch ls.Type {
	case "dense":
	case "conv", "convT":
		if ls.Kernel < 1 {
			return st, 0, fmt.Errorf("kernel: %d, must be ≥ 1", ls.Kernel)
		}
		if len(in) != 3 {
			return st, 0, fmt.Errorf("type %s needs an image input [H W C], has %v", ls.Type, in)
		}
	default:
		return st, 0, fmt.Errorf("type: %q, want dense, conv or convT", ls.Type)
	}
	size, err := st.linear()
	if err != nil {
		return st, 0, err
	}
	if numel(st.s) > MaxSize {
		return st, 0, fmt.Errorf("output of shape %v holds more than %d values", st.s, MaxSize)
	}
	if output && (ls.Pool > 0 || ls.BatchNorm || ls.Dropout > 0) {
		return st, 0, errors.New("the output layer takes no pooling, batch norm or dropout")
	}
	h := st.s
	if ls.Pool > 0 {
		var err error // the pooling layer's own rule: shapes, and windows of at most 16×16
		if h, err = (&nn.MaxPool2D{Size: ls.Pool}).OutShape(h); err != nil {
			return st, 0, err
		}
	}
	if ls.BatchNorm {
		size += 4 * h[len(h)-1] // γ, β, running mean and variance
	}
	if ls.Dropout < 0 || ls.Dropout >= 1 {
		return st, 0, fmt.Errorf("dropout: rate %v, must lie in [0, 1)", ls.Dropout)
	}
	st.h = h
	return st, size, nil
}

// linear sets the shape of μ_S, the output of the stage's feedforward layer, and returns the
// number of its parameters, with the geometry of PyTorch's Linear, Conv2d and ConvTranspose2d.
// Every size is at most MaxSize (checkStage), so the arithmetic cannot overflow.
func (st *stageLayout) linear() (int, error) {
	ls, in := st.spec, st.in
	c, k, u, p, s := in[len(in)-1], ls.Kernel, ls.Units, ls.Pad, st.stride
	var size int
	switch ls.Type {
	case "dense":
		size = numel([]int{numel(in), u}) + u
		st.s = []int{u}
	case "conv":
		size = numel([]int{u, k, k, c}) + u
		oh, ow := (in[0]+2*p-k)/s+1, (in[1]+2*p-k)/s+1
		if oh < 1 || ow < 1 {
			return 0, fmt.Errorf("%s.weight: input %v is smaller than the %d×%d kernel", ls.Name, in, k, k)
		}
		st.s = []int{oh, ow, u}
	default: // convT
		size = numel([]int{c, k, k, u}) + u
		if ls.OutPad >= s && ls.OutPad > 0 {
			return 0, fmt.Errorf("%s.weight: output padding %d must be smaller than the stride %d", ls.Name, ls.OutPad, s)
		}
		oh, ow := (in[0]-1)*s-2*p+k+ls.OutPad, (in[1]-1)*s-2*p+k+ls.OutPad
		if oh < 1 || ow < 1 {
			return 0, fmt.Errorf("%s.weight: input %v gives an empty output", ls.Name, in)
		}
		st.s = []int{oh, ow, u}
	}
	if size > MaxSize {
		return 0, fmt.Errorf("%s layer of %d units on input %v holds more than %d parameters", ls.Type, u, in, MaxSize)
	}
	return size, nil
}

// newStage makes the stage that Check laid out, with zero weights.
func newStage(st stageLayout, s Spec, lay *layout, output bool) *Stage {
	ls, in := st.spec, st.in
	stage := &Stage{Name: ls.Name, sShape: st.s, hShape: st.h}
	c := in[len(in)-1]
	switch ls.Type {
	case "dense":
		stage.Linear = nn.NewDense(ls.Name, numel(in), ls.Units, true)
	case "conv":
		stage.Linear = nn.NewConv2D(ls.Name, c, ls.Units, ls.Kernel, st.stride, ls.Pad, true)
	default:
		stage.Linear = nn.NewConvTranspose2D(ls.Name, c, ls.Units, ls.Kernel, st.stride, ls.Pad, ls.OutPad, true)
	}
	var err error
	switch {
	case st.gate == feedbackGate:
		stage.Gate, err = nn.NewFGReLU(ls.Name, lay.gate, s.BetaMax, s.Eta, 0)
	case st.gate == constantGate:
		stage.Gate, err = nn.NewFGReLU(ls.Name, nn.ConstantGain, s.BetaMax, s.Eta, s.ConstantGain)
	case output:
		stage.Gate = &nn.Ungated{Activation: nn.Activation{Kind: lay.loss.Output()}}
	default:
		stage.Gate = &nn.Ungated{Activation: nn.Activation{Kind: nn.ReLU, Slope: float32(s.LeakySlope)}}
	}
	if err != nil {
		panic(fmt.Sprintf("net: a gate that Check accepted: %v", err))
	}
	if ls.Pool > 0 {
		stage.Post = append(stage.Post, &nn.MaxPool2D{Size: ls.Pool})
	}
	if ls.BatchNorm {
		stage.Post = append(stage.Post, nn.NewBatchNorm(ls.Name+".bn", st.h[len(st.h)-1]))
	}
	if ls.Dropout > 0 {
		stage.Post = append(stage.Post, &nn.Dropout{P: ls.Dropout})
	}
	return stage
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
