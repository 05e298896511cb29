package net

import "github.com/fgrelu/fgrelu/nn"

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

// layerOf is layer i of a stage, stateOf its state in s.
func layerOf(stage *Stage, i int) any {
	if i == 0 {
		return stage.Gate
	}
	return stage.Post[i-1]
}

func stateOf(s *stageState, i int) *nn.State {
	if i == 0 {
		return &s.act
	}
	return &s.post[i-1]
}

// leanOutput reports whether a lean forward shares the output of stage layer i across passes.
func leanOutput(stage *Stage, i int) bool {
	if i >= len(stage.Post) { // the stage's output
		return false
	}
	_, readsOutput := nn.BackwardReads(layerOf(stage, i))
	nextReadsInput, _ := nn.BackwardReads(layerOf(stage, i+1))
	return !readsOutput && !nextReadsInput
}

// shareOutputs prepares stage l's layer states on pass t > 0 before its forward: lean, the
// shared outputs point at the first pass's buffers; not lean, states a lean forward shared get
// buffers of their own again.
func (n *Net) shareOutputs(tp *Tape, t, l int, lean bool) {
	stage, ss, first := n.Stages[l], &tp.state[t][l], &tp.state[0][l]
	for i := range len(stage.Post) {
		st, own := stateOf(ss, i), stateOf(first, i)
		switch {
		case lean && leanOutput(stage, i):
			st.Y = own.Y
		case st.Y != nil && st.Y == own.Y:
			st.Y = nil
		}
	}
}

// reuseForBackward prepares stage l's post layers on pass t before their backward: after a lean
// forward, a post layer whose input was a shared output writes its input gradient there (the
// gate's writes into the gradient it is handed, so it needs nothing); otherwise a post layer
// that a lean step pointed at its input gets a gradient buffer of its own again.
func (n *Net) reuseForBackward(tp *Tape, t, l int) {
	stage, ss, first := n.Stages[l], &tp.state[t][l], &tp.state[0][l]
	for p := range stage.Post {
		in := stateOf(ss, p) // the layer whose output is post p's input
		st := &ss.post[p]
		switch {
		case tp.lean && leanOutput(stage, p):
			st.DX = in.Y
		case st.DX != nil && (st.DX == in.Y || st.DX == stateOf(first, p).Y):
			// A lean step pointed it at the (then shared) output, which is the first pass's
			// own again in a forward that is not lean.
			st.DX = nil
		}
	}
}
