package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/net"
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/optim"
	"github.com/fgrelu/fgrelu/tensor"
)

// Step is the training step of a network, the one that training, the benchmark and the
// estimator run: every pass forward in training mode, the gradients cleared, the losses of
// every pass weighted, every pass backward, one optimiser step. It keeps the tape of its last
// forward passes and reuses its storage.
type Step struct {
	Net     *net.Net
	Opt     optim.Optimizer // built on Net.Params()
	Weights []float64       // loss weight of each pass (config.Config.LossWeights)

	tape *net.Tape
}

// NewStep returns the training step of n with optimiser opt and per-pass loss weights.
func NewStep(n *net.Net, opt optim.Optimizer, weights []float64) *Step {
	return &Step{Net: n, Opt: opt, Weights: weights}
}

// NonFinite is the error of a step whose loss is NaN or infinite. The step then changed no
// parameter.
type NonFinite struct {
	Where string // the first stage output that is not finite, or "the loss"
}

func (e *NonFinite) Error() string { return "train: the loss became non-finite: first in " + e.Where }

// Do runs one step on the batch x with its target; r draws the dropout masks. It returns the
// loss of every pass, before the update.
func (s *Step) Do(x *tensor.Tensor, target nn.Target, r *rand.Rand) ([]float64, error) {
	s.tape = s.Net.Forward(x, net.Mode{Train: true, Lean: true, Rand: r}, s.tape)
	nn.ZeroGrads(s.Net.Params())
	losses := s.Net.Losses(s.tape, target, s.Weights)
	for _, l := range losses {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return losses, &NonFinite{Where: s.firstNonFinite()}
		}
	}
	s.Net.Backward(s.tape)
	s.Opt.Step()
	return losses, nil
}

// Tape is the record of the last step's forward passes (nil before the first).
func (s *Step) Tape() *net.Tape { return s.tape }

// firstNonFinite names the first stage output, in pass then stage order, that holds a value
// that is not finite.
func (s *Step) firstNonFinite() string {
	for t := range s.Net.Passes {
		for l, st := range s.Net.Stages {
			if !finite(s.tape.StageOutput(t, l).Data) {
				return fmt.Sprintf("the output of layer %s on pass %d", st.Name, t+1)
			}
		}
	}
	return "the loss"
}

// Setup builds cfg's network, its initial weights drawn from the seed's InitStream, and its
// optimiser: the step a run of cfg takes. Errors name the config key at fault.
func Setup(cfg config.Config) (*Step, error) {
	spec, err := cfg.Spec()
	if err != nil {
		return nil, err
	}
	n, err := net.Build(spec, InitStream(cfg.Seed))
	if err != nil {
		return nil, cfg.ModelError(err)
	}
	opt, err := optim.New(cfg.Train.Optimizer, n.Params(), cfg.Train.LR, cfg.Train.Momentum)
	if err != nil {
		return nil, fmt.Errorf("config: train.%w", err)
	}
	return NewStep(n, opt, cfg.LossWeights()), nil
}

// RandomBatch makes a batch of bs inputs for n drawn uniformly in [0, 1) from r, and its
// target: the inputs themselves for an autoencoder, labels drawn from r for a classifier. The
// benchmark and the estimator step on such batches.
func RandomBatch(n *net.Net, bs int, r *rand.Rand) (*tensor.Tensor, nn.Target) {
	x := tensor.New(append([]int{bs}, n.Input...)...)
	for i := range x.Data {
		x.Data[i] = r.Float32()
	}
	if n.Loss.Name() != "softmax-ce" {
		return x, nn.Target{X: x}
	}
	classes := tensor.Numel(n.OutputShape())
	t := nn.Target{Labels: make([]int, bs)}
	for i := range t.Labels {
		t.Labels[i] = r.IntN(classes)
	}
	return x, t
}
