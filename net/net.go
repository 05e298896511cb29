package net

import (
	"fmt"
	"math/rand/v2"

	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// Stage is one layer of the hierarchy: a feedforward map (dense, convolution or transposed
// convolution) giving μ_S, an activation (or a feedback gate), then optional layers applied
// after the activation (max pooling, batch norm, dropout). Its output h is what the next stage
// reads and what a feedback edge sends.
type Stage struct {
	Name   string
	Linear nn.Layer
	Act    nn.ActKind // used when Gate is nil
	Slope  float32    // negative slope of a ReLU Act (leaky ReLU, see nn.Activation); 0 plain
	Gate   *nn.FGReLU // feedback gate (or constant gain) in place of the activation
	Post   []nn.Layer

	sShape []int // per-example shape of μ_S
	hShape []int // per-example shape of h
}

// Reduce says how a feedback edge turns its source's output into a vector per example.
type Reduce int

const (
	// Units: a dense source's units as they are.
	Units Reduce = iota
	// ChannelMean: a convolutional source's channels, each averaged over space.
	ChannelMean
	// Flatten: a convolutional source's whole output, flattened.
	Flatten
)

var reduceNames = []string{"units", "mean", "flatten"}

func (r Reduce) String() string { return reduceNames[r] }

// Edge is a feedback connection: μ_D of stage To on pass t gets W·src(h[t−1][From]).
type Edge struct {
	From, To int
	Reduce   Reduce
	Weight   *nn.Param // [channels or units of To, length of the reduced source]
}

// Net is a feedback network unrolled over Passes passes.
type Net struct {
	Stages []*Stage
	Edges  []*Edge
	Passes int
	Loss   nn.Loss
	Input  []int // per-example input shape

	// shared is the index of the first stage that receives feedback (len(Stages) when none
	// does): stages before it, and its μ_S, are the same on every pass.
	shared int
	state  [][]stageState // [pass][stage]
	edges  [][]edgeState  // [pass][edge]
	batch  int
	noisy  bool // the last Forward added noise: nothing is shared
	// rerunPrefix: the last Forward trained with batch norm below the first gated stage, so
	// those stages ran on every pass (to update the running averages once per pass, as PyTorch
	// does); their values, and so the shared μ_S above them, are the same on every pass.
	rerunPrefix bool
	lossW       []float32
}

// stageState is what one stage keeps for one pass.
type stageState struct {
	lin, act nn.State
	post     []nn.State
	s        *tensor.Tensor // μ_S (with noise when evaluating with noise)
	sNoisy   *tensor.Tensor // buffer for μ_S + noise
	muD      *tensor.Tensor // μ_D [N, channels], nil on the first pass
	muBuf    *tensor.Tensor
	h        *tensor.Tensor // output

	// Backward: each gradient is nil while nothing has flowed into it; the buffers keep
	// their storage from step to step.
	dh, dhBuf *tensor.Tensor // ∂L/∂h, summed over every consumer
	ds, dsBuf *tensor.Tensor // ∂L/∂μ_S summed over passes (the stage whose μ_S is shared)
	dz, dzBuf *tensor.Tensor // the loss's gradient with respect to the output stage's μ_S
	dzSum     *tensor.Tensor // loss gradient plus what flows back through the activation
}

// edgeState is what one edge keeps for one pass: the reduced source and gradient buffers.
type edgeState struct {
	v, dv, dh *tensor.Tensor
}

// Params lists every learned parameter in a fixed order: stages bottom to top, then edges.
func (n *Net) Params() []*nn.Param {
	var ps []*nn.Param
	for _, s := range n.Stages {
		ps = append(ps, s.Linear.Params()...)
		if s.Gate != nil {
			ps = append(ps, s.Gate.Params()...)
		}
		for _, p := range s.Post {
			ps = append(ps, p.Params()...)
		}
	}
	for _, e := range n.Edges {
		ps = append(ps, e.Weight)
	}
	return ps
}

// Buffers lists the non-learned state saved in checkpoints (batch-norm running averages).
func (n *Net) Buffers() []*nn.Param {
	var bs []*nn.Param
	for _, s := range n.Stages {
		for _, p := range s.Post {
			if b, ok := p.(nn.Buffered); ok {
				bs = append(bs, b.Buffers()...)
			}
		}
	}
	return bs
}

// StageIndex returns the index of the stage with the given name, or −1.
func (n *Net) StageIndex(name string) int {
	for i, s := range n.Stages {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// Mode says how a forward pass runs.
type Mode struct {
	Train bool       // dropout active, batch statistics
	Noise float64    // σ of Gaussian noise added to every hidden layer's μ_S in every pass
	Rand  *rand.Rand // dropout masks and noise; required when Train or Noise > 0
}

// ensureState allocates the per-pass records once. Their tensors are sized by the layers
// themselves (tensor.Ensure), so a smaller last batch reuses the same storage.
func (n *Net) ensureState(batch int) {
	n.batch = batch
	if n.state != nil {
		return
	}
	n.state = make([][]stageState, n.Passes)
	n.edges = make([][]edgeState, n.Passes)
	for t := range n.Passes {
		n.state[t] = make([]stageState, len(n.Stages))
		for l, s := range n.Stages {
			n.state[t][l].post = make([]nn.State, len(s.Post))
		}
		n.edges[t] = make([]edgeState, len(n.Edges))
	}
}

// sharedStage reports whether stage l's output is computed once, on the first pass.
func (n *Net) sharedStage(l int) bool { return !n.noisy && !n.rerunPrefix && l < n.shared }

// prefixHasBatchNorm reports whether a stage below the first gated one has batch norm.
func (n *Net) prefixHasBatchNorm() bool {
	for _, s := range n.Stages[:min(n.shared, len(n.Stages))] {
		for _, p := range s.Post {
			if _, ok := p.(*nn.BatchNorm); ok {
				return true
			}
		}
	}
	return false
}

// sharedS reports whether stage l's μ_S is computed once, on the first pass.
func (n *Net) sharedS(l int) bool { return !n.noisy && l <= n.shared }

// Forward runs every pass over the batch x ([N, input shape...]).
func (n *Net) Forward(x *tensor.Tensor, m Mode) {
	tensor.MustShape("net input", x, batchShape(x.Rows(), n.Input)...)
	if (m.Train || m.Noise > 0) && m.Rand == nil {
		panic("net: training or noisy forward without a random generator")
	}
	n.ensureState(x.Rows())
	n.noisy = m.Noise > 0
	n.rerunPrefix = m.Train && n.prefixHasBatchNorm()
	for t := range n.Passes {
		in := x
		for l, stage := range n.Stages {
			ss := &n.state[t][l]
			if t > 0 && n.sharedStage(l) {
				in = n.state[0][l].h
				continue
			}
			// μ_S: the feedforward product.
			if t > 0 && n.sharedS(l) {
				ss.s = n.state[0][l].s
			} else {
				ss.lin.Train, ss.lin.First, ss.lin.Rand = m.Train, t == 0, m.Rand
				ss.s = stage.Linear.Forward(&ss.lin, in)
			}
			s := ss.s
			if m.Noise > 0 && l < len(n.Stages)-1 {
				ss.sNoisy = tensor.Ensure(ss.sNoisy, s.Shape...)
				for i, v := range s.Data {
					ss.sNoisy.Data[i] = v + float32(m.Noise*m.Rand.NormFloat64())
				}
				s = ss.sNoisy
			}
			// μ_D from the previous pass, then the activation.
			ss.muD = nil
			if t > 0 {
				ss.muD = n.feedback(t, l)
			}
			ss.act.Train, ss.act.First, ss.act.Rand = m.Train, t == 0, m.Rand
			var a *tensor.Tensor
			if stage.Gate != nil {
				a = stage.Gate.Forward(&ss.act, s, ss.muD)
			} else {
				a = stage.activation().Forward(&ss.act, s)
			}
			for p, layer := range stage.Post {
				ps := &ss.post[p]
				ps.Train, ps.First, ps.Rand = m.Train, t == 0, m.Rand
				a = layer.Forward(ps, a)
			}
			ss.h = a
			in = a
		}
	}
}

// activation is the stage's elementwise activation when it has no gate.
func (s *Stage) activation() *nn.Activation { return &nn.Activation{Kind: s.Act, Slope: s.Slope} }

// feedback computes μ_D of stage l on pass t > 0, or nil when no edge reaches it.
func (n *Net) feedback(t, l int) *tensor.Tensor {
	var mu *tensor.Tensor
	for e, edge := range n.Edges {
		if edge.To != l {
			continue
		}
		es := &n.edges[t][e]
		src := n.output(t-1, edge.From)
		es.v = reduce(edge.Reduce, src, es.v)
		if mu == nil {
			ss := &n.state[t][l]
			ss.muBuf = tensor.Ensure(ss.muBuf, n.batch, edge.Weight.Value.Shape[0])
			mu = ss.muBuf
			mu.Zero()
		}
		w := edge.Weight.Value
		gemm.Mul(false, true, n.batch, w.Shape[0], w.Shape[1], 1, es.v.Data, w.Shape[1], w.Data, w.Shape[1], 1, mu.Data, w.Shape[0])
	}
	return mu
}

// output is stage l's output on pass t (the first pass's when it is shared).
func (n *Net) output(t, l int) *tensor.Tensor {
	if t > 0 && n.sharedStage(l) {
		t = 0
	}
	return n.state[t][l].h
}

// reduce turns a source output [N, …] into [N, m] per the edge's Reduce.
func reduce(r Reduce, h, buf *tensor.Tensor) *tensor.Tensor {
	rows := h.Rows()
	if r != ChannelMean {
		return h.Reshape(rows, h.Cols())
	}
	c := h.Shape[len(h.Shape)-1]
	per := h.Cols() / c
	buf = tensor.Ensure(buf, rows, c)
	for b := range rows {
		acc := make([]float64, c)
		for p := range per {
			for j, v := range h.Data[(b*per+p)*c : (b*per+p+1)*c] {
				acc[j] += float64(v)
			}
		}
		for j := range c {
			buf.Data[b*c+j] = float32(acc[j] / float64(per))
		}
	}
	return buf
}

// Output returns the output stage's pre-activation z and activation y on pass t (0-based).
func (n *Net) Output(t int) (z, y *tensor.Tensor) {
	l := len(n.Stages) - 1
	return n.stageS(t, l), n.output(t, l)
}

// StageOutput returns stage l's output h on pass t.
func (n *Net) StageOutput(t, l int) *tensor.Tensor { return n.output(t, l) }

// MuD returns stage l's feedback signal μ_D on pass t, or nil (first pass, or no feedback).
func (n *Net) MuD(t, l int) *tensor.Tensor {
	if t > 0 && n.sharedStage(l) {
		return nil
	}
	return n.state[t][l].muD
}

func (n *Net) stageS(t, l int) *tensor.Tensor {
	if t > 0 && n.sharedStage(l) {
		t = 0
	}
	return n.state[t][l].s
}

// Losses evaluates the loss of every pass against target. When weights is not nil it also
// prepares Backward: the loss to minimise is Σ_t weights[t]·loss[t].
func (n *Net) Losses(target nn.Target, weights []float64) []float64 {
	out := make([]float64, n.Passes)
	last := len(n.Stages) - 1
	if weights != nil && len(weights) != n.Passes {
		panic(fmt.Sprintf("net: %d loss weights for %d passes", len(weights), n.Passes))
	}
	for t := range n.Passes {
		if t > 0 && n.sharedStage(last) {
			out[t] = out[0] // no feedback at all: every pass is the first
			continue
		}
		z, y := n.Output(t)
		ss := &n.state[t][last]
		ss.dz = nil
		w := 0.0
		if weights != nil {
			w = weights[t]
			if n.sharedStage(last) { // one computation stands for every pass
				w = 0
				for _, v := range weights {
					w += v
				}
			}
		}
		if w == 0 {
			out[t] = n.Loss.Eval(z, y, target, 0, nil)
			continue
		}
		ss.dzBuf = tensor.Ensure(ss.dzBuf, z.Shape...)
		ss.dz = ss.dzBuf
		out[t] = n.Loss.Eval(z, y, target, float32(w), ss.dz)
	}
	return out
}

func batchShape(n int, shape []int) []int { return append([]int{n}, shape...) }
