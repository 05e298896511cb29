package nn

import (
	"fmt"

	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/tensor"
)

// ConvTranspose2D is the transposed convolution (the adjoint of Conv2D with the same kernel,
// stride and padding), as PyTorch's ConvTranspose2d: each input pixel scatters W[c, :, :, :]
// scaled by its value onto a K×K window of the output. Computed as one product
// patches = X·W followed by col2im. Weights are stored [In, K, K, Out].
//
// Output size: H_out = (H − 1)·Stride − 2·Pad + K + OutPad (PyTorch's formula).
type ConvTranspose2D struct {
	In, Out, K, Stride, Pad, OutPad int
	Weight                          *Param // [In, K, K, Out]
	Bias                            *Param // [Out] or nil

	provided convCache // as Conv2D's: the provider's convolution, run backwards
}

// NewConvTranspose2D allocates a transposed convolution with zero weights (see init.go).
func NewConvTranspose2D(name string, in, out, k, stride, pad, outPad int, bias bool) *ConvTranspose2D {
	c := &ConvTranspose2D{In: in, Out: out, K: k, Stride: stride, Pad: pad, OutPad: outPad,
		Weight: NewParam(name+".weight", in, k, k, out)}
	if bias {
		c.Bias = NewParam(name+".bias", out)
	}
	return c
}

func (c *ConvTranspose2D) Params() []*Param {
	if c.Bias == nil {
		return []*Param{c.Weight}
	}
	return []*Param{c.Weight, c.Bias}
}

func (c *ConvTranspose2D) OutShape(in []int) ([]int, error) {
	if len(in) != 3 || in[2] != c.In {
		return nil, fmt.Errorf("%s: input of shape %v, want [H W %d]", c.Weight.Name, in, c.In)
	}
	if c.OutPad >= c.Stride && c.OutPad > 0 {
		return nil, fmt.Errorf("%s: output padding %d must be smaller than the stride %d", c.Weight.Name, c.OutPad, c.Stride)
	}
	oh := (in[0]-1)*c.Stride - 2*c.Pad + c.K + c.OutPad
	ow := (in[1]-1)*c.Stride - 2*c.Pad + c.K + c.OutPad
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("%s: input %v gives an empty output", c.Weight.Name, in)
	}
	return []int{oh, ow, c.Out}, nil
}

// geom describes the output as the "image" and the input as the "grid" of patchGeom.
func (c *ConvTranspose2D) geom(x *tensor.Tensor) patchGeom {
	out, err := c.OutShape(x.Shape[1:])
	if err != nil {
		panic(err)
	}
	return patchGeom{H: out[0], W: out[1], C: c.Out, K: c.K, Stride: c.Stride, Pad: c.Pad, OH: x.Shape[1], OW: x.Shape[2]}
}

// provider returns the provider's convolution for a batch of n, locked until release, or nil:
// the convolution from this layer's output (the image) to its input (the grid), without bias.
func (c *ConvTranspose2D) provider(st *State, g patchGeom, n int) (gemm.Conv, gemm.ConvGeom, func()) {
	cg := gemm.ConvGeom{N: n, H: g.H, W: g.W, C: c.Out, OH: g.OH, OW: g.OW, O: c.In, K: c.K,
		Stride: c.Stride, Pad: c.Pad}
	cv, release := c.provided.acquire(st.Gemm, cg)
	return cv, cg, release
}

func (c *ConvTranspose2D) Forward(st *State, x *tensor.Tensor) *tensor.Tensor {
	g := c.geom(x)
	n := x.Rows()
	st.X = x
	st.Y = tensor.Ensure(st.Y, n, g.H, g.W, c.Out)
	cv, cg, release := c.provider(st, g, n)
	defer release()
	if cv != nil && !gemm.LeavesBackwardData(cv) {
		cv.BackwardData(x.Data, c.Weight.Value.Data, st.Y.Data)
		st.Gemm.CountConv(cg)
		if c.Bias != nil {
			addBias(st.Y.Data, c.Bias.Value.Data)
		}
		return st.Y
	}
	pl, rows, il := g.PatchLen(), g.GridLen(), g.ImageLen()
	step := stepOf(rows * pl)
	y := st.Y.Data
	ws := st.stepState()
	forGroups(n, []*scratch{&ws.cols}, func(wk, _, n0, n1 int) {
		for a := n0; a < n1; a += step {
			b := min(a+step, n1)
			out := y[a*il : b*il]
			if c.Bias != nil {
				for r := 0; r < len(out); r += c.Out {
					copy(out[r:r+c.Out], c.Bias.Value.Data)
				}
			} else {
				clear(out)
			}
			cols := ws.cols.get(wk, (b-a)*rows*pl)
			st.Gemm.Serial(false, false, (b-a)*rows, pl, c.In, 1, x.Data[a*rows*c.In:], c.In, c.Weight.Value.Data, pl, 0, cols, pl)
			col2im(g, cols, a, b, y)
		}
	})
	return st.Y
}

// Backward: patches = im2col(dY); dW += Xᵀ·patches; dX = patches·Wᵀ; db += Σ dY.
func (c *ConvTranspose2D) Backward(st *State, dy *tensor.Tensor, needDX bool) *tensor.Tensor {
	g := c.geom(st.X)
	n := dy.Rows()
	if needDX {
		st.DX = tensor.Ensure(st.DX, st.X.Shape...)
	}
	if c.Bias != nil {
		addColumnSums(c.Bias.Grad.Data, dy.Data, n*g.H*g.W, c.Out, &st.colSums)
	}
	if cv, cg, release := c.provider(st, g, n); cv != nil {
		defer release()
		cv.BackwardWeights(dy.Data, st.X.Data, c.Weight.Grad.Data, nil)
		st.Gemm.CountConv(cg)
		if !needDX {
			return nil
		}
		cv.Forward(dy.Data, c.Weight.Value.Data, nil, st.DX.Data)
		st.Gemm.CountConv(cg)
		return st.DX
	}
	pl, rows := g.PatchLen(), g.GridLen()
	step := stepOf(rows * pl)
	size := c.In * pl
	groups := groupsOf(n)
	ws := st.stepState()
	partials := zeroed(&ws.partials, groups*size)
	x, w := st.X.Data, c.Weight.Value.Data
	forGroups(n, []*scratch{&ws.cols}, func(wk, gi, n0, n1 int) {
		part := partials[gi*size : (gi+1)*size]
		for a := n0; a < n1; a += step {
			b := min(a+step, n1)
			m := (b - a) * rows
			cols := ws.cols.get(wk, m*pl)
			im2col(g, dy.Data, a, b, cols)
			xa := x[a*rows*c.In : b*rows*c.In]
			st.Gemm.Serial(true, false, c.In, pl, m, 1, xa, c.In, cols, pl, 1, part, pl)
			if needDX {
				st.Gemm.Serial(false, true, m, c.In, pl, 1, cols, pl, w, pl, 0, st.DX.Data[a*rows*c.In:b*rows*c.In], c.In)
			}
		}
	})
	addPartials(c.Weight.Grad.Data, partials, groups)
	if !needDX {
		return nil
	}
	return st.DX
}
