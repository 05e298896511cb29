package net

import (
	"fmt"
	"math/rand/v2"

	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// Stage is one layer of the hierarchy: a feedforward map (dense, convolution or transposed
// convolution) giving μ_S, a gate giving the activation from μ_S (and μ_D, when the stage
// receives feedback), then optional layers applied after it (max pooling, batch norm, dropout).
// Its output h is what the next stage reads and what a feedback edge sends. The gate is an
// nn.FGReLU on a stage that receives feedback or has a constant gain, else the stage's plain
// activation (nn.Ungated: a ReLU, leaky or not, on hidden stages; the loss's on the output).
type Stage struct {
	Name   string
	Linear nn.Layer
	Gate   nn.Gate
	Post   []nn.Layer

	sShape []int // per-example shape of μ_S
	hShape []int // per-example shape of h
}

// FGReLU returns the stage's gate when it is a feedback-gated ReLU (one that receives feedback,
// or the constant-gain control), else nil.
func (s *Stage) FGReLU() *nn.FGReLU {
	g, _ := s.Gate.(*nn.FGReLU)
	return g
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

// Net is a feedback network unrolled over Passes passes: its definition and its parameters.
// What one call computes lives in a Tape (see Forward), never in the Net, so a Net may be
// evaluated by several goroutines at once, each with its own tape. What a call writes into the
// Net is its parameters' gradients (Backward), batch norm's running averages (a training
// Forward) and, through an optimiser, the parameters: a training step must not run beside
// other calls on the same Net.
type Net struct {
	Stages []*Stage
	Edges  []*Edge
	Passes int
	Loss   nn.Loss
	Input  []int // per-example input shape
	// Gemm is where the network's matrix products run; Build sets gemm.Default(). Set it
	// before calls, not during them.
	Gemm *gemm.Context

	// shared is the index of the first stage that receives feedback (len(Stages) when none
	// does): stages before it, and its μ_S, are the same on every pass.
	shared int
}

// Params lists every learned parameter in a fixed order: stages bottom to top, then edges.
func (n *Net) Params() []*nn.Param {
	var ps []*nn.Param
	for _, s := range n.Stages {
		ps = append(ps, s.Linear.Params()...)
		ps = append(ps, s.Gate.Params()...)
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
	// Lean keeps, inside each stage, the outputs that no backward reads (a gate's or a post
	// layer's output that only the next layer's Forward consumes, see nn.BackwardReads) in one
	// buffer for all passes instead of one per pass, and writes the next layer's input gradient
	// there in the backward that follows (lean.go): a training step's memory. Those values are
	// then not kept, and ActivationOutput of a stage whose gate output is shared panics. It
	// applies to training forwards only (Train).
	Lean bool
}

// Tape is what one Forward records for Losses and Backward, and for callers that read the
// passes: per pass and stage the layers' states, μ_S, μ_D and the output; per pass and edge the
// reduced source; and which computations the passes share. A tape belongs to the network that
// made it. Its buffers are sized by the layers themselves (tensor.Ensure) and kept, so a tape
// handed back to Forward reuses its storage, also for a smaller last batch.
type Tape struct {
	net   *Net
	batch int
	plan  []stagePlan    // [stage]
	state [][]stageState // [pass][stage]
	edges [][]edgeState  // [pass][edge]
	times *StageTimes    // nil unless TimeStages asked for them
	lean  bool           // the last Forward shared outputs across passes (Mode.Lean)
}

// stagePlan says which of a stage's computations the tape does once, on the first pass, for
// every pass. Below the first stage that receives feedback (Net.shared) a stage's input is the
// same on every pass, and so is the μ_S of that first gated stage: unless noise makes each pass
// differ, they are computed once, and their backward runs once on the sum of what the passes
// send back. Batch norm below the first gated stage is the exception in training: as PyTorch
// does, it updates its running averages once per pass, so those stages run forward on every
// pass (their values stay the same) while their backward still runs once.
type stagePlan struct {
	outOnce  bool // the stage's output h is the first pass's on every pass
	sOnce    bool // the stage's μ_S is the first pass's on every pass
	backOnce bool // its backward runs on the first pass only: later passes add into its gradient
	// poolFirst: the stage's first post layer is a max pooling that commutes with its gate
	// (nn.CommutesWithMaxPool), and a lean training forward applies it to μ_S, once with the
	// product (the stage's μ_S is then the pooled one), so that every pass gates a quarter of
	// the values; the pooling's backward runs once, with the product's. The outputs are the
	// same bits, the gradients the same up to rounding (nn.CommutesWithMaxPool says where);
	// the gate's own output before pooling is not kept (nor is it by a lean forward).
	poolFirst bool
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

// newTape allocates the per-pass records. A layer's state on a later pass points at its state
// on the first pass, where what the layer keeps for a whole step lives (nn.State.Step).
func (n *Net) newTape() *Tape {
	tp := &Tape{net: n, plan: make([]stagePlan, len(n.Stages)),
		state: make([][]stageState, n.Passes), edges: make([][]edgeState, n.Passes)}
	for t := range n.Passes {
		tp.state[t] = make([]stageState, len(n.Stages))
		for l, s := range n.Stages {
			tp.state[t][l].post = make([]nn.State, len(s.Post))
		}
		tp.edges[t] = make([]edgeState, len(n.Edges))
	}
	for t := 1; t < n.Passes; t++ {
		for l := range n.Stages {
			ss, first := &tp.state[t][l], &tp.state[0][l]
			ss.lin.Step, ss.act.Step = &first.lin, &first.act
			for p := range ss.post {
				ss.post[p].Step = &first.post[p]
			}
		}
	}
	return tp
}

// Net is the network the tape belongs to.
func (tp *Tape) Net() *Net { return tp.net }

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

// plan decides, for a forward pass in mode m, what each stage computes once (see stagePlan).
func (n *Net) plan(m Mode, plan []stagePlan) {
	noisy := m.Noise > 0
	rerunPrefix := m.Train && n.prefixHasBatchNorm()
	for l := range plan {
		same := !noisy && l < n.shared // the stage's values are the same on every pass
		sOnce := !noisy && l <= n.shared
		plan[l] = stagePlan{outOnce: same && !rerunPrefix, sOnce: sOnce, backOnce: same,
			poolFirst: sOnce && m.Train && m.Lean && n.poolsFirst(l)}
	}
}

// poolsFirst reports whether stage l's first post layer is a max pooling that commutes with its
// gate.
func (n *Net) poolsFirst(l int) bool {
	stage := n.Stages[l]
	if len(stage.Post) == 0 {
		return false
	}
	_, pool := stage.Post[0].(*nn.MaxPool2D)
	return pool && nn.CommutesWithMaxPool(stage.Gate)
}

// Forward runs every pass over the batch x ([N, input shape...]) and returns the tape that
// records them. tp, when not nil, is a tape of this network from an earlier call: its storage
// is reused and what it held is overwritten. Nothing of the call is kept in the Net.
func (n *Net) Forward(x *tensor.Tensor, m Mode, tp *Tape) *Tape {
	tensor.MustShape("net input", x, batchShape(x.Rows(), n.Input)...)
	if (m.Train || m.Noise > 0) && m.Rand == nil {
		panic("net: training or noisy forward without a random generator")
	}
	if tp == nil {
		tp = n.newTape()
	}
	n.mustOwn(tp)
	tp.batch = x.Rows()
	tp.lean = m.Lean && m.Train // outside training dropout hands its input on: nothing to share
	n.plan(m, tp.plan)
	for t := range n.Passes {
		in := x
		for l := range n.Stages {
			if t > 0 && tp.plan[l].outOnce {
				in = tp.state[0][l].h
				continue
			}
			if t > 0 {
				n.shareOutputs(tp, t, l, tp.lean)
			}
			c := tp.times.start()
			in = n.forwardStage(tp, t, l, in, m)
			tp.times.stop(c, false, l)
		}
	}
	return tp
}

func (n *Net) mustOwn(tp *Tape) {
	if tp.net != n {
		panic("net: a tape used with a network other than the one that made it")
	}
}

// forwardStage computes stage l on pass t from its input and returns its output.
func (n *Net) forwardStage(tp *Tape, t, l int, in *tensor.Tensor, m Mode) *tensor.Tensor {
	stage, ss := n.Stages[l], &tp.state[t][l]
	mode := func(st *nn.State) { st.Train, st.First, st.Rand, st.Gemm = m.Train, t == 0, m.Rand, n.Gemm }
	// μ_S: the feedforward product.
	if t > 0 && tp.plan[l].sOnce {
		ss.s = tp.state[0][l].s
	} else {
		mode(&ss.lin)
		ss.s = stage.Linear.Forward(&ss.lin, in)
		if tp.plan[l].poolFirst {
			mode(&ss.post[0])
			ss.s = stage.Post[0].Forward(&ss.post[0], ss.s)
		}
	}
	s := ss.s
	if m.Noise > 0 && l < len(n.Stages)-1 {
		ss.sNoisy = tensor.Ensure(ss.sNoisy, s.Shape...)
		for i, v := range s.Data {
			ss.sNoisy.Data[i] = v + float32(m.Noise*m.Rand.NormFloat64())
		}
		s = ss.sNoisy
	}
	// μ_D from the previous pass, then the gate.
	ss.muD = nil
	if t > 0 {
		ss.muD = n.feedback(tp, t, l)
	}
	mode(&ss.act)
	ss.act.ReuseDY = true // the gradient backward hands the gate is consumed by it
	a := stage.Gate.Forward(&ss.act, s, ss.muD)
	for p := tp.postStart(l); p < len(stage.Post); p++ {
		mode(&ss.post[p])
		a = stage.Post[p].Forward(&ss.post[p], a)
	}
	ss.h = a
	return a
}

// feedback computes μ_D of stage l on pass t > 0, or nil when no edge reaches it:
// μ_D = Σ_edges v·Wᵀ with v the edge's reduced source on pass t − 1.
func (n *Net) feedback(tp *Tape, t, l int) *tensor.Tensor {
	var mu *tensor.Tensor
	for e, edge := range n.Edges {
		if edge.To != l {
			continue
		}
		es := &tp.edges[t][e]
		src := tp.output(t-1, edge.From)
		es.v = reduce(edge.Reduce, src, es.v)
		if mu == nil {
			ss := &tp.state[t][l]
			ss.muBuf = tensor.Ensure(ss.muBuf, tp.batch, edge.Weight.Value.Shape[0])
			mu = ss.muBuf
			mu.Zero()
		}
		w := edge.Weight.Value
		n.Gemm.Mul(false, true, tp.batch, w.Shape[0], w.Shape[1], 1, es.v.Data, w.Shape[1], w.Data, w.Shape[1], 1, mu.Data, w.Shape[0])
	}
	return mu
}

// pass is the pass whose record holds stage l's values on pass t: the first when the stage's
// output is computed once.
func (tp *Tape) pass(t, l int) int {
	if t > 0 && tp.plan[l].outOnce {
		return 0
	}
	return t
}

// output is stage l's output on pass t.
func (tp *Tape) output(t, l int) *tensor.Tensor { return tp.state[tp.pass(t, l)][l].h }

// reduce turns a source output [N, …] into [N, m] per the edge's Reduce.
func reduce(r Reduce, h, buf *tensor.Tensor) *tensor.Tensor {
	rows := h.Rows()
	if r != ChannelMean {
		return h.Reshape(rows, h.Cols())
	}
	c := h.Shape[len(h.Shape)-1]
	per := h.Cols() / c
	buf = tensor.Ensure(buf, rows, c)
	acc := make([]float64, c)
	for b := range rows {
		clear(acc)
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
func (tp *Tape) Output(t int) (z, y *tensor.Tensor) {
	l := len(tp.net.Stages) - 1
	return tp.state[tp.pass(t, l)][l].s, tp.output(t, l)
}

// StageOutput returns stage l's output h on pass t.
func (tp *Tape) StageOutput(t, l int) *tensor.Tensor { return tp.output(t, l) }

// MuD returns stage l's feedback signal μ_D on pass t, or nil (first pass, or no feedback).
func (tp *Tape) MuD(t, l int) *tensor.Tensor {
	if t > 0 && tp.plan[l].outOnce {
		return nil
	}
	return tp.state[t][l].muD
}

// ActivationOutput is stage l's gate output on pass t (0-based): f(μ_S, μ_D) before the
// stage's pooling, batch norm and dropout. A lean forward (Mode.Lean) may not keep it (its
// buffer then serves the passes in turn, and the backward after them); asking then panics.
func (tp *Tape) ActivationOutput(t, l int) *tensor.Tensor {
	if tp.lean && (tp.plan[l].poolFirst || leanOutput(tp.net.Stages[l], 0, 0)) {
		panic(fmt.Sprintf("net: the gate output of stage %s is not kept by a lean forward", tp.net.Stages[l].Name))
	}
	return tp.state[tp.pass(t, l)][l].act.Y
}

// Losses evaluates the loss of every pass of tp against target. When weights is not nil it
// also prepares Backward: the loss to minimise is Σ_t weights[t]·loss[t].
func (n *Net) Losses(tp *Tape, target nn.Target, weights []float64) []float64 {
	n.mustOwn(tp)
	out := make([]float64, n.Passes)
	last := len(n.Stages) - 1
	if weights != nil && len(weights) != n.Passes {
		panic(fmt.Sprintf("net: %d loss weights for %d passes", len(weights), n.Passes))
	}
	// No feedback at all: every pass computes the same values (valuesOnce, unless batch norm
	// below reran them to update its averages), and Backward runs the first pass alone for
	// every pass (gradOnce), so the first pass carries every pass's loss weight.
	valuesOnce, gradOnce := tp.plan[last].outOnce, tp.plan[last].backOnce
	for t := range n.Passes {
		if t > 0 && valuesOnce {
			out[t] = out[0]
			continue
		}
		z, y := tp.Output(t)
		ss := &tp.state[t][last]
		ss.dz = nil
		w := 0.0
		if weights != nil {
			w = weights[t]
			if gradOnce {
				w = 0
				if t == 0 {
					for _, v := range weights {
						w += v
					}
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
