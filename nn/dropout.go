package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/fgrelu/fgrelu/internal/par"
	"github.com/fgrelu/fgrelu/tensor"
)

// Dropout zeroes each unit with probability P and scales the others by 1/(1 − P) (Srivastava
// et al. 2014, inverted form). The mask is drawn on the first pass of a training step and
// reused in every later pass, so a dropped unit is dropped in all passes: the paper's rule
// (section 3.1), without which dropped units would still send feedback from earlier passes.
// In evaluation it is the identity.
type Dropout struct {
	P float64
}

func (d *Dropout) Params() []*Param { return nil }

func (d *Dropout) OutShape(in []int) ([]int, error) {
	if d.P < 0 || d.P >= 1 {
		return nil, fmt.Errorf("dropout: rate %v, must lie in [0, 1)", d.P)
	}
	return in, nil
}

// drawMask draws one seed per example from the step's generator, then each example's mask
// from its own generator, in parallel: the mask depends on the seed alone.
func (d *Dropout) drawMask(st *State, r *rand.Rand, n, per int) {
	if cap(st.mask) < n*per {
		st.mask = make([]uint8, n*per)
	}
	st.mask = st.mask[:n*per]
	mask := st.mask
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = r.Uint64()
	}
	threshold := uint64(d.P * (1 << 53))
	par.For(n, rowGrain(per), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			g := rand.NewPCG(seeds[b], 0x9e3779b97f4a7c15) // the source itself: no interface call per value
			m := mask[b*per : (b+1)*per]
			for i := range m {
				// 0 (dropped) when the 53-bit draw is below the threshold, else 1, without a
				// branch: half the draws go each way at P = 0.5, and a mispredicted branch per
				// value took as long as the draw itself. Both are below 2⁵³, so the difference
				// wraps round to its top bit exactly when the draw is the smaller.
				m[i] = uint8((g.Uint64()>>11-threshold)>>63) ^ 1
			}
		}
	})
}

func (d *Dropout) Forward(st *State, x *tensor.Tensor) *tensor.Tensor {
	if !st.Train || d.P == 0 {
		return x // not kept in st.Y: st.Y is this layer's own buffer, x is not
	}
	n, per := x.Rows(), x.Cols()
	step := st.stepState()
	if st.First || len(step.mask) != n*per {
		if st.Rand == nil {
			panic("dropout: training pass without a random generator")
		}
		d.drawMask(step, st.Rand, n, per)
	}
	st.Y = tensor.Ensure(st.Y, x.Shape...)
	xs, ys, m, scale := x.Data, st.Y.Data, step.mask, d.scales()
	elementwise(len(xs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ys[i] = xs[i] * scale[m[i]]
		}
	})
	return st.Y
}

// scales maps a mask byte to the factor it stands for: 0 (dropped) or 1/(1 − P) (kept). The
// mask is kept in bytes, a quarter of the memory of factors, and multiplied by the same floats.
func (d *Dropout) scales() [2]float32 {
	return [2]float32{0, float32(1 / (1 - d.P))}
}

func (d *Dropout) Backward(st *State, dy *tensor.Tensor, needDX bool) *tensor.Tensor {
	if !needDX {
		return nil
	}
	if !st.Train || d.P == 0 {
		return dy
	}
	st.DX = tensor.Ensure(st.DX, dy.Shape...)
	ds, dx, m, scale := dy.Data, st.DX.Data, st.stepState().mask, d.scales()
	elementwise(len(ds), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dx[i] = ds[i] * scale[m[i]]
		}
	})
	return st.DX
}
