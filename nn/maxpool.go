package nn

import (
	"fmt"

	"github.com/fgrelu/fgrelu/internal/par"
	"github.com/fgrelu/fgrelu/tensor"
)

// MaxPool2D is max pooling over non-overlapping Size×Size windows (stride = Size) of
// channels-last images; rows and columns that do not fill a window are dropped, as in
// PyTorch's default. Among equal values the first in the window wins.
type MaxPool2D struct{ Size int }

func (m *MaxPool2D) Params() []*Param { return nil }

func (m *MaxPool2D) OutShape(in []int) ([]int, error) {
	if len(in) != 3 || in[0] < m.Size || in[1] < m.Size {
		return nil, fmt.Errorf("maxpool: input of shape %v, want [H W C] with H, W ≥ %d", in, m.Size)
	}
	return []int{in[0] / m.Size, in[1] / m.Size, in[2]}, nil
}

func (m *MaxPool2D) Forward(st *State, x *tensor.Tensor) *tensor.Tensor {
	n, h, w, c := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	s := m.Size
	oh, ow := h/s, w/s
	st.X = x
	st.Y = tensor.Ensure(st.Y, n, oh, ow, c)
	if cap(st.Index) < st.Y.Len() {
		st.Index = make([]int32, st.Y.Len())
	}
	st.Index = st.Index[:st.Y.Len()]
	xs, ys, idx := x.Data, st.Y.Data, st.Index
	par.For(n, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			for i := range oh {
				for j := range ow {
					o := ((b*oh+i)*ow + j) * c
					first := ((b*h+i*s)*w + j*s) * c
					for ch := range c {
						best := int32(first + ch)
						for di := range s {
							for dj := range s {
								k := int32(((b*h+i*s+di)*w+j*s+dj)*c + ch)
								if xs[k] > xs[best] {
									best = k
								}
							}
						}
						ys[o+ch], idx[o+ch] = xs[best], best
					}
				}
			}
		}
	})
	return st.Y
}

// Backward sends each output gradient to the input that won its window.
func (m *MaxPool2D) Backward(st *State, dy *tensor.Tensor, needDX bool) *tensor.Tensor {
	if !needDX {
		return nil
	}
	st.DX = tensor.Ensure(st.DX, st.X.Shape...)
	st.DX.Zero()
	dx := st.DX.Data
	// Windows do not overlap, so every input receives from at most one output: no races.
	elementwise(len(dy.Data), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dx[st.Index[i]] += dy.Data[i]
		}
	})
	return st.DX
}
