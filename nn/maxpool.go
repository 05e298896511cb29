package nn

import (
	"fmt"

	"github.com/fgrelu/fgrelu/internal/kernels"
	"github.com/fgrelu/fgrelu/internal/par"
	"github.com/fgrelu/fgrelu/tensor"
)

// MaxPool2D is max pooling over non-overlapping Size×Size windows (stride = Size) of
// channels-last images; rows and columns that do not fill a window are dropped, as in
// PyTorch's default. Among equal values the first in the window wins.
type MaxPool2D struct{ Size int }

// Argmax is what a max pooling's Forward saved in st: for each output, the position within its
// window (row-major, di·Size + dj) of the input that won (nil for other layers). A byte per
// output, not an index: a quarter of the memory. Tests read it to see which input won.
func (st *State) Argmax() []uint8 { return st.argmax }

func (m *MaxPool2D) Params() []*Param { return nil }

func (m *MaxPool2D) OutShape(in []int) ([]int, error) {
	if m.Size*m.Size > 256 {
		return nil, fmt.Errorf("maxpool: window %d×%d, at most 16×16", m.Size, m.Size)
	}
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
	if cap(st.argmax) < st.Y.Len() {
		st.argmax = make([]uint8, st.Y.Len())
	}
	st.argmax = st.argmax[:st.Y.Len()]
	// Images in parallel; within a window the first of equal values wins (kernels.Pool).
	per, out := h*w*c, oh*ow*c
	par.For(n, rowGrain(per), func(lo, hi int) {
		kernels.MaxPoolForward(kernels.Pool{N: hi - lo, H: h, W: w, C: c, S: s},
			x.Data[lo*per:hi*per], st.Y.Data[lo*out:hi*out], st.argmax[lo*out:hi*out])
	})
	return st.Y
}

// Backward sends each output gradient to the input that won its window.
func (m *MaxPool2D) Backward(st *State, dy *tensor.Tensor, needDX bool) *tensor.Tensor {
	if !needDX {
		return nil
	}
	n, h, w, c := st.X.Shape[0], st.X.Shape[1], st.X.Shape[2], st.X.Shape[3]
	s := m.Size
	oh, ow := h/s, w/s
	st.DX = tensor.Ensure(st.DX, st.X.Shape...)
	// Windows do not overlap, so every input receives from at most one output: no races.
	per, out := h*w*c, oh*ow*c
	par.For(n, rowGrain(out), func(lo, hi int) {
		kernels.MaxPoolBackward(kernels.Pool{N: hi - lo, H: h, W: w, C: c, S: s},
			dy.Data[lo*out:hi*out], st.argmax[lo*out:hi*out], st.DX.Data[lo*per:hi*per])
	})
	return st.DX
}
