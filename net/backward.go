package net

import (
	"github.com/fgrelu/fgrelu/internal/par"
	"github.com/fgrelu/fgrelu/nn"
	"github.com/fgrelu/fgrelu/tensor"
)

// Backward adds the gradients of the loss that Losses prepared on tp into every parameter's
// Grad. It walks the passes last to first and the stages top to bottom. A stage's ∂L/∂h
// arrives from the stage above on the same pass and from the feedback edges it feeds on the
// next pass, which were walked before it. A stage whose backward runs once (stagePlan) is
// walked on the first pass only, with what the later passes added into it; stages that nothing
// flows into (the first pass's output under a last-pass loss) are skipped.
func (n *Net) Backward(tp *Tape) {
	n.mustOwn(tp)
	last := len(n.Stages) - 1
	for t := range n.Passes {
		for l := range n.Stages {
			ss := &tp.state[t][l]
			ss.dh, ss.ds = nil, nil
		}
	}
	for t := n.Passes - 1; t >= 0; t-- {
		if t < n.Passes-1 {
			tp.shareGradientBuffers(t+1, t)
		}
		for l := last; l >= 0; l-- {
			if t > 0 && tp.plan[l].backOnce {
				continue
			}
			c := tp.times.start()
			n.backwardStage(tp, t, l)
			tp.times.stop(c, true, l)
		}
	}
}

// backwardStage is stage l's backward on pass t: post layers, gate (sending ∂L/∂μ_D into the
// edges), then the feedforward product, whose input gradient goes to the stage below.
func (n *Net) backwardStage(tp *Tape, t, l int) {
	stage, ss := n.Stages[l], &tp.state[t][l]
	n.reuseForBackward(tp, t, l)
	var ds *tensor.Tensor
	if ss.dh != nil {
		d := ss.dh
		for p := len(stage.Post) - 1; p >= tp.postStart(l); p-- {
			d = stage.Post[p].Backward(&ss.post[p], d, true)
		}
		var dmu *tensor.Tensor
		ds, dmu = stage.Gate.Backward(&ss.act, d) // the pooled μ_S's gradient when poolFirst
		if dmu != nil {
			n.backwardFeedback(tp, t, l, dmu)
		}
	}
	if ss.dz != nil { // the loss, on the output stage
		ds = addInto(ds, ss.dz, &ss.dzSum)
	}
	if ds == nil {
		return
	}
	if tp.plan[l].sOnce {
		// μ_S is the first pass's: collect ∂L/∂μ_S over passes, run the product's backward once.
		first := &tp.state[0][l]
		if t > 0 { // crosses passes: kept in an accumulator of its own (see shareGradientBuffers)
			first.ds = accumulate(first.ds, ds, &first.dsBuf)
			return
		}
		first.ds = addInto(first.ds, ds, &first.dsBuf)
		ds = first.ds
		if tp.plan[l].poolFirst {
			ds = stage.Post[0].Backward(&first.post[0], ds, true)
		}
	}
	dx := stage.Linear.Backward(&ss.lin, ds, l > 0)
	if l > 0 {
		below := &tp.state[tp.pass(t, l-1)][l-1]
		if tp.pass(t, l-1) != t { // crosses passes
			below.dh = accumulate(below.dh, dx, &below.dhBuf)
		} else {
			below.dh = addInto(below.dh, dx, &below.dhBuf)
		}
	}
}

// backwardFeedback sends ∂L/∂μ_D of stage l on pass t through every edge into l: the edge's
// weight gradient, and ∂L/∂h of the source on pass t − 1.
func (n *Net) backwardFeedback(tp *Tape, t, l int, dmu *tensor.Tensor) {
	for e, edge := range n.Edges {
		if edge.To != l {
			continue
		}
		es := &tp.edges[t][e]
		w := edge.Weight
		rows, out, in := dmu.Rows(), w.Value.Shape[0], w.Value.Shape[1]
		// dW += dμ_Dᵀ·v and dv = dμ_D·W, side by side (see nn.Dense.Backward).
		es.dv = tensor.Ensure(es.dv, rows, in)
		par.Do(2, func(task int) {
			if task == 0 {
				n.Gemm.Serial(true, false, out, in, rows, 1, dmu.Data, out, es.v.Data, in, 1, w.Grad.Data, in)
			} else {
				n.Gemm.Serial(false, false, rows, in, out, 1, dmu.Data, out, w.Value.Data, in, 0, es.dv.Data, in)
			}
		})
		// A feedback source lies above the first gated stage, so its output is its own on
		// every pass (never outOnce).
		src := &tp.state[t-1][edge.From]
		es.dh = unreduce(edge.Reduce, es.dv, src.h, es.dh)
		src.dh = addInto(src.dh, es.dh, &src.dhBuf)
	}
}

// unreduce is the adjoint of reduce: the gradient of the reduced vector spread back over the
// source's shape (a channel mean gives each position 1/positions of its channel's gradient).
func unreduce(r Reduce, dv, h, buf *tensor.Tensor) *tensor.Tensor {
	if r != ChannelMean {
		return dv.Reshape(h.Shape...)
	}
	buf = tensor.Ensure(buf, h.Shape...)
	rows, c := h.Rows(), h.Shape[len(h.Shape)-1]
	per := h.Cols() / c
	inv := 1 / float32(per)
	for b := range rows {
		g := dv.Data[b*c : (b+1)*c]
		for p := range per {
			d := buf.Data[(b*per+p)*c : (b*per+p+1)*c]
			for j := range c {
				d[j] = g[j] * inv
			}
		}
	}
	return buf
}

// accumulate returns acc + g in *buf (allocated once), never g itself: for a gradient that
// another pass will add to, after the buffers g lives in have been reused.
func accumulate(acc, g *tensor.Tensor, buf **tensor.Tensor) *tensor.Tensor {
	if acc == nil {
		*buf = tensor.Ensure(*buf, g.Shape...)
		dst := (*buf).Data
		par.For(len(dst), par.ElementGrain, func(lo, hi int) { copy(dst[lo:hi], g.Data[lo:hi]) })
		return *buf
	}
	return addInto(acc, g, buf)
}

// shareGradientBuffers lets pass to reuse the gradient buffers (DX) of pass from's layers, which
// ran backward just before it: by then they are consumed (what crosses passes was accumulated
// into buffers of its own), so a network keeps one set of them, not one per pass — the largest
// part of a convolutional network's memory after the activations.
func (tp *Tape) shareGradientBuffers(from, to int) {
	share := func(dst, src *nn.State) {
		if dst.DX == nil {
			dst.DX = src.DX
		}
	}
	for l := range tp.state[to] {
		a, b := &tp.state[from][l], &tp.state[to][l]
		share(&b.lin, &a.lin) // not the gate's: it writes into the gradient it is handed (ReuseDY)
		for p := range b.post {
			share(&b.post[p], &a.post[p])
		}
	}
}

// addInto returns acc + g. When acc is nil it returns g itself, not a copy: the gradient
// tensors handed between stages are each consumed once, within one Backward. Otherwise the sum
// is written into *buf (allocated once) — unless acc already is *buf, then in place.
func addInto(acc, g *tensor.Tensor, buf **tensor.Tensor) *tensor.Tensor {
	if acc == nil {
		return g
	}
	if acc != *buf {
		*buf = tensor.Ensure(*buf, acc.Shape...)
		copy((*buf).Data, acc.Data)
		acc = *buf
	}
	a, d := acc.Data, g.Data
	par.For(len(a), par.ElementGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			a[i] += d[i]
		}
	})
	return acc
}
