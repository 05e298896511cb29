package net

import (
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// A lean forward (Mode.Lean) keeps fewer buffers in two ways, both inside a stage, whose
// layers are the gate (layer 0) and then the post layers:
//
//   - an output that no backward reads — neither its own layer's nor the next layer's, see
//     nn.BackwardReads — is written on every pass into the first pass's buffer: the next layer
//     has consumed the earlier pass's values by then;
//   - in the backward that follows, the next layer writes its input gradient into that same
//     buffer, dead since the forward ended, instead of a gradient buffer of its own.
//
// The stage's output h (the last layer's) is never shared: the stage above, the feedback edges
// and the tape's readers use it.

// A stage's layers after its product, in the order a pass runs them, are its chain: the gate
// (layer 0), then the post layers from Tape.postStart on (a pooling that ran with the product,
// stagePlan.poolFirst, is not in it).

// postStart is the index of the first post layer of stage l's chain.
func (tp *Tape) postStart(l int) int {
	if tp.plan[l].poolFirst {
		return 1
	}
	return 0
}

// layerOf is layer i of a stage's chain whose post layers start at skip, stateOf its state in s.
func layerOf(stage *Stage, i, skip int) any {
	if i == 0 {
		return stage.Gate
	}
	return stage.Post[i-1+skip]
}

func stateOf(s *stageState, i, skip int) *nn.State {
	if i == 0 {
		return stateAt(s, 0)
	}
	return stateAt(s, i+skip)
}

// leanOutput reports whether a lean forward shares the output of chain layer i across passes.
func leanOutput(stage *Stage, i, skip int) bool {
	if i >= len(stage.Post)-skip { // the stage's output
		return false
	}
	_, readsOutput := nn.BackwardReads(layerOf(stage, i, skip))
	nextReadsInput, _ := nn.BackwardReads(layerOf(stage, i+1, skip))
	return !readsOutput && !nextReadsInput
}

// chainIndex is where layer a of stage l (0 the gate, p + 1 post layer p) stands in the chain
// of the tape's last forward, or −1 for a pooling that ran with the product.
func (tp *Tape) chainIndex(l, a int) int {
	if a == 0 {
		return 0
	}
	if a-1 < tp.postStart(l) {
		return -1
	}
	return a - tp.postStart(l)
}

// stateAt is the state of layer a of a stage (0 the gate, p + 1 post layer p).
func stateAt(s *stageState, a int) *nn.State {
	if a == 0 {
		return &s.act
	}
	return &s.post[a-1]
}

// shareOutputs prepares stage l's layer states on pass t > 0 before its forward: lean, the
// shared outputs point at the first pass's buffers; every other state that shared one (not
// lean, or shared under another chain: a noisy lean step does not pool first) gets buffers of
// its own again.
func (n *Net) shareOutputs(tp *Tape, t, l int, lean bool) {
	stage, ss, first, skip := n.Stages[l], &tp.state[t][l], &tp.state[0][l], tp.postStart(l)
	for a := range len(stage.Post) + 1 {
		st, own := stateAt(ss, a), stateAt(first, a)
		ci := tp.chainIndex(l, a)
		switch {
		case lean && ci >= 0 && leanOutput(stage, ci, skip):
			st.Y = own.Y
		case st.Y != nil && st.Y == own.Y:
			st.Y = nil
		}
	}
}

// reuseForBackward prepares stage l's post layers on pass t before their backward: after a lean
// forward, a post layer whose input was a shared output writes its input gradient there (the
// gate's writes into the gradient it is handed, so it needs nothing); any other post layer that
// a lean step pointed at an output (maybe under another chain) gets a gradient buffer of its
// own again.
func (n *Net) reuseForBackward(tp *Tape, t, l int) {
	stage, ss, skip := n.Stages[l], &tp.state[t][l], tp.postStart(l)
	for p := range stage.Post {
		st, ci := &ss.post[p], tp.chainIndex(l, p+1)
		if tp.lean && ci > 0 && leanOutput(stage, ci-1, skip) {
			st.DX = stateOf(ss, ci-1, skip).Y
		} else if st.DX != nil && tp.isOutput(l, st.DX) {
			st.DX = nil
		}
	}
}

// isOutput reports whether x is the output buffer of one of stage l's gates or post layers on
// some pass: where a lean step, whose chain may have been another, pointed a gradient.
func (tp *Tape) isOutput(l int, x *tensor.Tensor) bool {
	for t := range tp.state {
		ss := &tp.state[t][l]
		if ss.act.Y == x {
			return true
		}
		for p := range ss.post {
			if ss.post[p].Y == x {
				return true
			}
		}
	}
	return false
}
