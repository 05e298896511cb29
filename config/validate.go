package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fgrelu/fgrelu/net"
)

// Validate checks every value and names the field at fault.
func (c Config) Validate() error {
	bad := func(field string, format string, args ...any) error {
		return fmt.Errorf("config: %s: %s", field, fmt.Sprintf(format, args...))
	}
	if ds := c.Dataset(); !slices.Contains([]string{"mnist", "fashion-mnist", "cifar10"}, ds) {
		return bad("data.dataset", "%q, want mnist, fashion-mnist or cifar10", ds)
	}
	if c.Data.TrainLimit < 0 || c.Data.TestLimit < 0 {
		return bad("data.train_limit", "limits must not be negative")
	}
	t := c.Train
	switch {
	case t.Epochs < 0:
		return bad("train.epochs", "%d, must be ≥ 0", t.Epochs)
	case t.BatchSize < 1:
		return bad("train.batch_size", "%d, must be ≥ 1", t.BatchSize)
	case t.EvalBatchSize < 0:
		return bad("train.eval_batch_size", "%d, must be ≥ 0", t.EvalBatchSize)
	case !(t.LR > 0):
		return bad("train.lr", "%v, must be > 0", t.LR)
	case t.Optimizer != "adam" && t.Optimizer != "sgd":
		return bad("train.optimizer", "%q, want adam or sgd", t.Optimizer)
	case t.Momentum < 0 || t.Momentum >= 1:
		return bad("train.momentum", "%v, must lie in [0, 1)", t.Momentum)
	case t.LossPasses != "all" && t.LossPasses != "last":
		return bad("train.loss_passes", "%q, want all or last", t.LossPasses)
	case t.CheckpointEvery < 0:
		return bad("train.checkpoint_every", "%d, must be ≥ 0", t.CheckpointEvery)
	case t.LogFormat != "csv" && t.LogFormat != "jsonl":
		return bad("train.log_format", "%q, want csv or jsonl", t.LogFormat)
	}
	spec, err := c.Spec()
	if err != nil {
		return err
	}
	// Check makes the checks of net.Build (layers, shapes, sizes, edges, gate settings)
	// without allocating the weights, so that no config, whatever its sizes, costs memory here.
	if _, err := net.Check(spec); err != nil {
		return c.ModelError(err)
	}
	return nil
}

// ModelError turns an error of net.Check or net.Build on c's spec (a *net.FieldError) into
// one that names the key of c at fault: a custom layer or edge by its entry (model.layers[2],
// model.edges[0].from), a layer or edge that c's architecture or topology made by that key.
func (c Config) ModelError(err error) error {
	var fe *net.FieldError
	if !errors.As(err, &fe) {
		return fmt.Errorf("config: model: %w", err)
	}
	m := c.Model
	key := "model." + fe.Key
	switch fe.Key {
	case "input":
		if m.Arch != "custom" {
			key = "model.arch"
		}
	case "layers":
		key = fe.Entry("model.layers")
		if m.Arch != "custom" {
			key = "model.arch " + m.Arch
		}
	case "edges":
		key = fe.Entry("model.edges")
		if m.Topology != "custom" {
			key = "model.topology " + m.Topology
		}
	case "constant_layers":
		key = "model.constant_gain_layers"
	}
	return fmt.Errorf("config: %s: %w", key, fe.Err)
}

// Spec turns the model section into what net.Build takes.
func (c Config) Spec() (net.Spec, error) {
	m := c.Model
	s := net.Spec{Passes: m.Passes, Gate: m.Gate, BetaMax: m.BetaMax, Eta: m.Eta,
		ConstantGain: m.ConstantGain, ConstantLayers: m.ConstantLayers, Loss: m.Loss, Init: m.Init,
		ReLUBiasInit: m.ReLUBiasInit, LeakySlope: m.LeakySlope}
	if m.Arch == "custom" {
		if len(m.Input) == 0 || len(m.Layers) == 0 {
			return s, fmt.Errorf("config: model.arch: custom needs model.input and model.layers")
		}
		s.Input, s.Layers = m.Input, m.Layers
		if s.Loss == "" {
			return s, fmt.Errorf("config: model.loss: a custom model needs a loss (bce, mse or softmax-ce)")
		}
	} else {
		if len(m.Layers) > 0 || len(m.Input) > 0 {
			return s, fmt.Errorf("config: model.layers: only for model.arch custom (arch is %s)", m.Arch)
		}
		input, layers, loss, err := net.Arch{Name: m.Arch, Bottleneck: m.Bottleneck, BatchNorm: m.BatchNorm, Dropout: m.Dropout}.Layers()
		if err != nil {
			return s, fmt.Errorf("config: model.%w", err)
		}
		s.Input, s.Layers = input, layers
		if s.Loss == "" {
			s.Loss = loss
		}
	}
	switch {
	case m.Topology == "custom":
		s.Edges = m.Edges
	case len(m.Edges) > 0:
		return s, fmt.Errorf("config: model.edges: given, but model.topology is %q; set it to custom", m.Topology)
	default:
		edges, err := net.TopologyEdges(m.Topology, s.Layers)
		if err != nil {
			return s, fmt.Errorf("config: model.%w", err)
		}
		s.Edges = edges
	}
	if m.FeedbackSource != "mean" && m.FeedbackSource != "flatten" {
		return s, fmt.Errorf("config: model.feedback_source: %q, want mean or flatten", m.FeedbackSource)
	}
	for i := range s.Edges {
		if s.Edges[i].Source == "" {
			s.Edges[i].Source = m.FeedbackSource
		}
	}
	if len(m.ConstantLayers) == 0 {
		s.ConstantGain = 0
	}
	return s, nil
}

// Keys lists every configuration key in order, for help texts.
func Keys() []string {
	keys := make([]string, 0, len(Docs))
	for k := range Docs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		order := func(k string) int {
			for i, p := range []string{"seed", "data.", "model.", "train."} {
				if strings.HasPrefix(k, p) {
					return i
				}
			}
			return 9
		}
		if d := order(a) - order(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return keys
}
