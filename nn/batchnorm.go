package nn

import (
	"fmt"
	"math"
	"slices"

	"github.com/fgrelu/fgrelu/internal/kernels"
	"github.com/fgrelu/fgrelu/internal/par"
	"github.com/fgrelu/fgrelu/tensor"
)

// BatchNorm normalises each channel (the last dimension) over the batch and all positions
// (Ioffe & Szegedy 2015, arXiv 1502.03167): y = γ·(x − μ)/√(σ² + ε) + β. In training, μ and σ²
// (biased) are the batch's, and the running averages move by Momentum towards them, the
// running variance towards the unbiased estimate, as PyTorch's BatchNorm does. In evaluation
// the running averages are used. In a network of T passes each pass normalises with its own
// batch statistics and updates the running averages, as a PyTorch module called T times would.
type BatchNorm struct {
	C        int
	Eps      float64 // 0 → 1e-5
	Momentum float64 // 0 → 0.1
	Gamma    *Param  // [C], initialised to 1
	Beta     *Param  // [C], initialised to 0
	Mean     *Param  // running mean [C] (a buffer, not learned)
	Var      *Param  // running variance [C] (a buffer, not learned)
}

// NewBatchNorm allocates batch normalisation over c channels with γ = 1, β = 0, running mean 0
// and running variance 1.
func NewBatchNorm(name string, c int) *BatchNorm {
	b := &BatchNorm{C: c, Gamma: NewParam(name+".weight", c), Beta: NewParam(name+".bias", c),
		Mean: NewParam(name+".running_mean", c), Var: NewParam(name+".running_var", c)}
	b.Gamma.Value.Fill(1)
	b.Var.Value.Fill(1)
	return b
}

func (b *BatchNorm) Params() []*Param  { return []*Param{b.Gamma, b.Beta} }
func (b *BatchNorm) Buffers() []*Param { return []*Param{b.Mean, b.Var} }

func (b *BatchNorm) OutShape(in []int) ([]int, error) {
	if len(in) == 0 || in[len(in)-1] != b.C {
		return nil, fmt.Errorf("%s: input of shape %v, want %d channels last", b.Gamma.Name, in, b.C)
	}
	return in, nil
}

func (b *BatchNorm) eps() float64      { return cmp0(b.Eps, 1e-5) }
func (b *BatchNorm) momentum() float64 { return cmp0(b.Momentum, 0.1) }

func cmp0(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// columnStats returns per-column Σx and Σx² of a rows×cols matrix in float64, reproducibly, with
// the chunks' partial sums in *parts (grown as needed: kept by the caller, so that a training
// step allocates nothing that the garbage collector must later find).
func columnStats(x []float32, rows, cols int, parts *[]float64) (sum, sq []float64) {
	c := par.Chunks(rows, par.RowGrain(par.ColumnGrain, cols))
	*parts = slices.Grow((*parts)[:0], 2*c*cols)[:2*c*cols]
	p := *parts
	clear(p) // ColumnSums adds to them
	par.Do(c, func(i int) {
		lo, hi := par.Bounds(i, c, rows)
		s, q := p[2*i*cols:(2*i+1)*cols], p[(2*i+1)*cols:(2*i+2)*cols]
		rows := x[lo*cols : hi*cols]
		kernels.ColumnSums(rows, rows, hi-lo, cols, s, q)
	})
	return addParts(p, c, cols)
}

// addParts adds the c chunks' pairs of partial column sums in p, in chunk order, into the
// first pair's storage and returns it.
func addParts(p []float64, c, cols int) (a, b []float64) {
	a, b = p[:cols], p[cols:2*cols]
	for i := 1; i < c; i++ {
		for j := range cols {
			a[j] += p[2*i*cols+j]
			b[j] += p[(2*i+1)*cols+j]
		}
	}
	return a, b
}

// normSaved is what batch norm's backward needs of its forward.
type normSaved struct {
	xhat  *tensor.Tensor // the normalised input (x − μ)/√(σ² + ε)
	inv   *tensor.Tensor // 1/√(σ² + ε) per channel
	parts []float64      // partial column sums of the forward's statistics and the backward's
	mean  []float32      // the mean per channel the forward subtracts (batch or running)
}

// Forward. Saved: x̂ and 1/√(σ² + ε) per channel.
func (b *BatchNorm) Forward(st *State, x *tensor.Tensor) *tensor.Tensor {
	c := b.C
	rows := x.Len() / c
	st.X = x
	st.Y = tensor.Ensure(st.Y, x.Shape...)
	st.norm.xhat = tensor.Ensure(st.norm.xhat, x.Shape...)
	st.norm.inv = tensor.Ensure(st.norm.inv, c)
	xhat, inv := st.norm.xhat, st.norm.inv
	st.norm.mean = slices.Grow(st.norm.mean[:0], c)[:c]
	mean := st.norm.mean
	if st.Train {
		sum, sq := columnStats(x.Data, rows, c, &st.norm.parts)
		m := b.momentum()
		for j := range c {
			mu := sum[j] / float64(rows)
			v := max(sq[j]/float64(rows)-mu*mu, 0)
			mean[j] = float32(mu)
			inv.Data[j] = float32(1 / math.Sqrt(v+b.eps()))
			unbiased := v
			if rows > 1 {
				unbiased = v * float64(rows) / float64(rows-1)
			}
			b.Mean.Value.Data[j] = float32((1-m)*float64(b.Mean.Value.Data[j]) + m*mu)
			b.Var.Value.Data[j] = float32((1-m)*float64(b.Var.Value.Data[j]) + m*unbiased)
		}
	} else {
		for j := range c {
			mean[j] = b.Mean.Value.Data[j]
			inv.Data[j] = float32(1 / math.Sqrt(float64(b.Var.Value.Data[j])+b.eps()))
		}
	}
	g, be := b.Gamma.Value.Data, b.Beta.Value.Data
	xs, ys, hs := x.Data, st.Y.Data, xhat.Data
	par.For(rows, par.RowGrain(par.ElementGrain, c), func(lo, hi int) {
		kernels.BatchNormApply(xs[lo*c:hi*c], mean, inv.Data, g, be, hs[lo*c:hi*c], ys[lo*c:hi*c], hi-lo, c)
	})
	return st.Y
}

// Backward (training statistics): dγ = Σ dy·x̂, dβ = Σ dy and
// dx = γ·inv/N · (N·dy − Σdy − x̂·Σ(dy·x̂)), the gradient through the batch mean and variance.
// In evaluation mode the statistics are constants and dx = γ·inv·dy.
func (b *BatchNorm) Backward(st *State, dy *tensor.Tensor, needDX bool) *tensor.Tensor {
	c := b.C
	rows := dy.Len() / c
	xhat, inv := st.norm.xhat.Data, st.norm.inv.Data
	k := par.Chunks(rows, par.RowGrain(par.ColumnGrain, c))
	st.norm.parts = slices.Grow(st.norm.parts[:0], 2*k*c)[:2*k*c]
	parts := st.norm.parts
	clear(parts) // ColumnSums adds to them
	par.Do(k, func(i int) {
		lo, hi := par.Bounds(i, k, rows)
		s, q := parts[2*i*c:(2*i+1)*c], parts[(2*i+1)*c:(2*i+2)*c]
		kernels.ColumnSums(dy.Data[lo*c:hi*c], xhat[lo*c:hi*c], hi-lo, c, s, q)
	})
	sumDy, sumDyX := addParts(parts, k, c)
	for j := range c {
		b.Gamma.Grad.Data[j] += float32(sumDyX[j])
		b.Beta.Grad.Data[j] += float32(sumDy[j])
	}
	if !needDX {
		return nil
	}
	st.DX = tensor.Ensure(st.DX, dy.Shape...)
	g := b.Gamma.Value.Data
	scale, meanDy, meanDyX := make([]float32, c), make([]float32, c), make([]float32, c)
	for j := range c {
		scale[j] = g[j] * inv[j]
		if st.Train {
			meanDy[j] = float32(sumDy[j] / float64(rows))
			meanDyX[j] = float32(sumDyX[j] / float64(rows))
		}
	}
	dx, ds := st.DX.Data, dy.Data
	par.For(rows, par.RowGrain(par.ElementGrain, c), func(lo, hi int) {
		kernels.BatchNormDX(ds[lo*c:hi*c], xhat[lo*c:hi*c], scale, meanDy, meanDyX, dx[lo*c:hi*c], hi-lo, c)
	})
	return st.DX
}
