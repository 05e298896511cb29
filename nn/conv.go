package nn

import (
	"fmt"

	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/tensor"
)

// Conv2D is a 2-D convolution over channels-last images, computed as im2col followed by one
// matrix product: Y[pos, o] = Σ_(kh,kw,c) patch[pos, (kh,kw,c)] · W[o, kh, kw, c] + b[o].
// Weights are stored [Out, K, K, In] (OHWI).
//
// Where the network's gemm.Context names a convolution provider (oneDNN by default where it is
// compiled in), the provider computes all three products instead.
type Conv2D struct {
	In, Out, K, Stride, Pad int
	Weight                  *Param // [Out, K, K, In]
	Bias                    *Param // [Out] or nil

	provided convCache
}

// NewConv2D allocates a convolution with zero weights (see init.go).
func NewConv2D(name string, in, out, k, stride, pad int, bias bool) *Conv2D {
	c := &Conv2D{In: in, Out: out, K: k, Stride: stride, Pad: pad, Weight: NewParam(name+".weight", out, k, k, in)}
	if bias {
		c.Bias = NewParam(name+".bias", out)
	}
	return c
}

func (c *Conv2D) Params() []*Param {
	if c.Bias == nil {
		return []*Param{c.Weight}
	}
	return []*Param{c.Weight, c.Bias}
}

// OutShape: H_out = ⌊(H + 2·Pad − K)/Stride⌋ + 1, as in PyTorch's Conv2d.
func (c *Conv2D) OutShape(in []int) ([]int, error) {
	if len(in) != 3 || in[2] != c.In {
		return nil, fmt.Errorf("%s: input of shape %v, want [H W %d]", c.Weight.Name, in, c.In)
	}
	oh := (in[0]+2*c.Pad-c.K)/c.Stride + 1
	ow := (in[1]+2*c.Pad-c.K)/c.Stride + 1
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("%s: input %v is smaller than the %d×%d kernel", c.Weight.Name, in, c.K, c.K)
	}
	return []int{oh, ow, c.Out}, nil
}

func (c *Conv2D) geom(x *tensor.Tensor) patchGeom {
	out, err := c.OutShape(x.Shape[1:])
	if err != nil {
		panic(err)
	}
	return patchGeom{H: x.Shape[1], W: x.Shape[2], C: c.In, K: c.K, Stride: c.Stride, Pad: c.Pad, OH: out[0], OW: out[1]}
}

// provider returns the provider's convolution for a batch of n, locked until release, or nil.
func (c *Conv2D) provider(st *State, g patchGeom, n int) (gemm.Conv, gemm.ConvGeom, func()) {
	cg := gemm.ConvGeom{N: n, H: g.H, W: g.W, C: c.In, OH: g.OH, OW: g.OW, O: c.Out, K: c.K,
		Stride: c.Stride, Pad: c.Pad, Bias: c.Bias != nil}
	cv, release := c.provided.acquire(st.Gemm, cg)
	return cv, cg, release
}

func (c *Conv2D) Forward(st *State, x *tensor.Tensor) *tensor.Tensor {
	g := c.geom(x)
	n := x.Rows()
	st.X = x
	st.Y = tensor.Ensure(st.Y, n, g.OH, g.OW, c.Out)
	if cv, cg, release := c.provider(st, g, n); cv != nil {
		defer release()
		var b []float32
		if c.Bias != nil {
			b = c.Bias.Value.Data
		}
		cv.Forward(x.Data, c.Weight.Value.Data, b, st.Y.Data)
		st.Gemm.CountConv(cg)
		return st.Y
	}
	pl, rows := g.PatchLen(), g.GridLen()
	step := stepOf(rows * pl)
	w, y := c.Weight.Value.Data, st.Y.Data
	ws := st.stepState()
	forGroups(n, []*scratch{&ws.cols}, func(wk, _, n0, n1 int) {
		for a := n0; a < n1; a += step {
			b := min(a+step, n1)
			cols := ws.cols.get(wk, (b-a)*rows*pl)
			im2col(g, x.Data, a, b, cols)
			out := y[a*rows*c.Out : b*rows*c.Out]
			beta := float32(0)
			if c.Bias != nil {
				for r := 0; r < len(out); r += c.Out {
					copy(out[r:r+c.Out], c.Bias.Value.Data)
				}
				beta = 1
			}
			st.Gemm.Serial(false, true, (b-a)*rows, c.Out, pl, 1, cols, pl, w, pl, beta, out, c.Out)
		}
	})
	return st.Y
}

// Backward: dW += dYᵀ·patches (patches recomputed rather than kept: they are K² times the
// input), db += Σ dY, dX = col2im(dY·W); each in the provider's convolution where it has one.
func (c *Conv2D) Backward(st *State, dy *tensor.Tensor, needDX bool) *tensor.Tensor {
	g := c.geom(st.X)
	n := dy.Rows()
	cv, cg, release := c.provider(st, g, n)
	defer release()
	if cv != nil {
		var db []float32
		if c.Bias != nil {
			db = c.Bias.Grad.Data
		}
		cv.BackwardWeights(st.X.Data, dy.Data, c.Weight.Grad.Data, db)
		st.Gemm.CountConv(cg)
	} else {
		c.weightGradient(st, g, dy)
	}
	if !needDX {
		return nil
	}
	st.DX = tensor.Ensure(st.DX, st.X.Shape...)
	if cv != nil && !gemm.LeavesBackwardData(cv) {
		cv.BackwardData(dy.Data, c.Weight.Value.Data, st.DX.Data)
		st.Gemm.CountConv(cg)
	} else {
		c.inputGradient(st, g, dy)
	}
	return st.DX
}

// weightGradient is dW += dYᵀ·patches and db += Σ dY as im2col products: per group of images
// into partial sums, then the groups added in order (the same bits for any GOMAXPROCS).
func (c *Conv2D) weightGradient(st *State, g patchGeom, dy *tensor.Tensor) {
	n := dy.Rows()
	pl, rows := g.PatchLen(), g.GridLen()
	step := stepOf(rows * pl)
	size := c.Out * pl
	groups := groupsOf(n)
	ws := st.stepState()
	partials := zeroed(&ws.partials, groups*size)
	forGroups(n, []*scratch{&ws.cols}, func(wk, gi, n0, n1 int) {
		part := partials[gi*size : (gi+1)*size]
		for a := n0; a < n1; a += step {
			b := min(a+step, n1)
			m := (b - a) * rows
			cols := ws.cols.get(wk, m*pl)
			im2col(g, st.X.Data, a, b, cols)
			st.Gemm.Serial(true, false, c.Out, pl, m, 1, dy.Data[a*rows*c.Out:b*rows*c.Out], c.Out, cols, pl, 1, part, pl)
		}
	})
	addPartials(c.Weight.Grad.Data, partials, groups)
	if c.Bias != nil {
		addColumnSums(c.Bias.Grad.Data, dy.Data, n*rows, c.Out, &st.colSums)
	}
}

// inputGradient is dX = col2im(dY·W) as im2col products, st.DX overwritten.
func (c *Conv2D) inputGradient(st *State, g patchGeom, dy *tensor.Tensor) {
	pl, rows := g.PatchLen(), g.GridLen()
	step := stepOf(rows * pl)
	ws := st.stepState()
	st.DX.Zero()
	w := c.Weight.Value.Data
	forGroups(dy.Rows(), []*scratch{&ws.dcols}, func(wk, _, n0, n1 int) {
		for a := n0; a < n1; a += step {
			b := min(a+step, n1)
			m := (b - a) * rows
			dcols := ws.dcols.get(wk, m*pl)
			st.Gemm.Serial(false, false, m, pl, c.Out, 1, dy.Data[a*rows*c.Out:b*rows*c.Out], c.Out, w, pl, 0, dcols, pl)
			col2im(g, dcols, a, b, st.DX.Data)
		}
	})
}
