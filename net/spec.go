package net

import (
	"errors"
	"fmt"
	"math/rand/v2"

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
}

// Build validates the spec and makes the network, its weights drawn from r.
func Build(s Spec, r *rand.Rand) (*Net, error) {
	if s.Passes < 1 {
		return nil, fmt.Errorf("passes: %d, must be ≥ 1", s.Passes)
	}
	if len(s.Layers) < 1 {
		return nil, errors.New("layers: none given")
	}
	loss, err := nn.ParseLoss(s.Loss)
	if err != nil {
		return nil, fmt.Errorf("loss: %w", err)
	}
	init, err := nn.ParseInit(s.Init)
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	gateMode, err := nn.ParseGateMode(s.Gate)
	if err != nil || gateMode == nn.ConstantGain {
		return nil, fmt.Errorf("gate: %q, want gain, gain+threshold or threshold-only", s.Gate)
	}
	if !(s.BetaMax > 0 && s.BetaMax < 1) {
		return nil, fmt.Errorf("beta_max: %v, must lie in (0, 1): 1 divides by zero, more gives a negative slope", s.BetaMax)
	}
	if !(s.Eta > 0) {
		return nil, fmt.Errorf("eta: %v, must be > 0", s.Eta)
	}
	if len(s.Input) != 3 || s.Input[0] < 1 || s.Input[1] < 1 || s.Input[2] < 1 {
		return nil, fmt.Errorf("input: shape %v, want [H W C] with positive sizes", s.Input)
	}
	n := &Net{Passes: s.Passes, Loss: loss, Input: append([]int(nil), s.Input...)}
	index := map[string]int{}
	for i, ls := range s.Layers {
		if ls.Name == "" {
			return nil, fmt.Errorf("layers[%d].name: empty", i)
		}
		if _, dup := index[ls.Name]; dup {
			return nil, fmt.Errorf("layers[%d].name: %q used twice", i, ls.Name)
		}
		index[ls.Name] = i
	}
	edges, err := resolveEdges(s, index)
	if err != nil {
		return nil, err
	}
	constant := map[int]bool{}
	for _, name := range s.ConstantLayers {
		i, ok := index[name]
		if !ok {
			return nil, fmt.Errorf("constant_gain_layers: no layer %q", name)
		}
		constant[i] = true
	}
	if len(constant) > 0 && !(s.ConstantGain > 0) {
		return nil, fmt.Errorf("constant_gain: %v, must be > 0 when constant_gain_layers is set", s.ConstantGain)
	}
	receives := map[int]bool{}
	for _, e := range edges {
		receives[e.To] = true
		if constant[e.To] {
			return nil, fmt.Errorf("constant_gain_layers: %s receives feedback; the constant-gain control has none", s.Layers[e.To].Name)
		}
	}

	shape := n.Input
	last := len(s.Layers) - 1
	for i, ls := range s.Layers {
		stage, out, err := buildStage(ls, shape, i == last, loss)
		if err != nil {
			return nil, fmt.Errorf("layers[%d] (%s): %w", i, ls.Name, err)
		}
		switch {
		case receives[i]:
			stage.Gate, err = nn.NewFGReLU(ls.Name, gateMode, s.BetaMax, s.Eta, 0)
		case constant[i]:
			stage.Gate, err = nn.NewFGReLU(ls.Name, nn.ConstantGain, s.BetaMax, s.Eta, s.ConstantGain)
		}
		if err != nil {
			return nil, err
		}
		if stage.Gate != nil && i == last {
			return nil, fmt.Errorf("layers[%d] (%s): the output layer cannot be gated (it may send feedback)", i, ls.Name)
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
		e.Weight = nn.NewParam(name, channels, m)
		n.Edges = append(n.Edges, e)
		n.shared = min(n.shared, e.To)
	}
	n.initWeights(init, r)
	return n, nil
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
	n := 1
	for _, d := range h {
		n *= d
	}
	return n
}

func buildStage(ls LayerSpec, in []int, output bool, loss nn.Loss) (*Stage, []int, error) {
	if ls.Units < 1 {
		return nil, nil, fmt.Errorf("units: %d, must be ≥ 1", ls.Units)
	}
	stride := max(ls.Stride, 1)
	if ls.Stride < 0 || ls.Pad < 0 || ls.OutPad < 0 {
		return nil, nil, errors.New("stride, pad and out_pad must not be negative")
	}
	st := &Stage{Name: ls.Name, Act: nn.ReLU}
	switch ls.Type {
	case "dense":
		st.Linear = nn.NewDense(ls.Name, numel(in), ls.Units, true)
	case "conv", "convT":
		if ls.Kernel < 1 {
			return nil, nil, fmt.Errorf("kernel: %d, must be ≥ 1", ls.Kernel)
		}
		if ls.Type == "conv" {
			st.Linear = nn.NewConv2D(ls.Name, in[len(in)-1], ls.Units, ls.Kernel, stride, ls.Pad, true)
		} else {
			st.Linear = nn.NewConvTranspose2D(ls.Name, in[len(in)-1], ls.Units, ls.Kernel, stride, ls.Pad, ls.OutPad, true)
		}
		if len(in) != 3 {
			return nil, nil, fmt.Errorf("type %s needs an image input [H W C], has %v", ls.Type, in)
		}
	default:
		return nil, nil, fmt.Errorf("type: %q, want dense, conv or convT", ls.Type)
	}
	out, err := st.Linear.OutShape(in)
	if err != nil {
		return nil, nil, err
	}
	st.sShape = out
	if output {
		st.Act = loss.Output()
		if ls.Pool > 0 || ls.BatchNorm || ls.Dropout > 0 {
			return nil, nil, errors.New("the output layer takes no pooling, batch norm or dropout")
		}
	}
	if ls.Pool > 0 {
		st.Post = append(st.Post, &nn.MaxPool2D{Size: ls.Pool})
	}
	if ls.BatchNorm {
		st.Post = append(st.Post, nn.NewBatchNorm(ls.Name+".bn", out[len(out)-1]))
	}
	if ls.Dropout > 0 {
		st.Post = append(st.Post, &nn.Dropout{P: ls.Dropout})
	}
	for _, p := range st.Post {
		if out, err = p.OutShape(out); err != nil {
			return nil, nil, err
		}
	}
	st.hShape = out
	return st, out, nil
}

func numel(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// initWeights draws every weight in parameter order, so the same seed gives the same network.
func (n *Net) initWeights(scheme nn.Init, r *rand.Rand) {
	for _, s := range n.Stages {
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
	}
	for _, e := range n.Edges {
		nn.InitWeights(scheme, e.Weight, nil, r)
	}
}

// OutputShape is the per-example shape of the network's output.
func (n *Net) OutputShape() []int { return n.Stages[len(n.Stages)-1].hShape }

// StageShape is the per-example shape of stage l's output.
func (n *Net) StageShape(l int) []int { return n.Stages[l].hShape }
