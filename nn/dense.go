package nn

import (
	"fmt"

	"github.com/fgrelu/fgrelu/internal/par"
	"github.com/fgrelu/fgrelu/tensor"
)

// Dense is a fully connected layer, y = x·Wᵀ + b, with W stored [out, in] as PyTorch stores it.
// An input with more than two dimensions is flattened per example (channels-last order).
type Dense struct {
	In, Out int
	Weight  *Param // [Out, In]
	Bias    *Param // [Out], nil for a layer without bias
}

// NewDense allocates a dense layer named name (parameters "name.weight", "name.bias"), with
// zero weights: call an initialiser from init.go.
func NewDense(name string, in, out int, bias bool) *Dense {
	d := &Dense{In: in, Out: out, Weight: NewParam(name+".weight", out, in)}
	if bias {
		d.Bias = NewParam(name+".bias", out)
	}
	return d
}

func (d *Dense) Params() []*Param {
	if d.Bias == nil {
		return []*Param{d.Weight}
	}
	return []*Param{d.Weight, d.Bias}
}

func (d *Dense) OutShape(in []int) ([]int, error) {
	if tensor.Numel(in) != d.In {
		return nil, fmt.Errorf("%s: input of shape %v has %d values per example, want %d", d.Weight.Name, in, tensor.Numel(in), d.In)
	}
	return []int{d.Out}, nil
}

// Forward: Y = X·Wᵀ + b, with Y filled with the bias so that the product (β = 1) adds the rest;
// each block of the product fills its own part (gemm.MulBias).
func (d *Dense) Forward(st *State, x *tensor.Tensor) *tensor.Tensor {
	n := x.Rows()
	if x.Cols() != d.In {
		panic(fmt.Sprintf("%s: input %v, want %d values per example", d.Weight.Name, x.Shape, d.In))
	}
	st.X = x
	st.Y = tensor.Ensure(st.Y, n, d.Out)
	y := st.Y.Data
	if d.Bias != nil {
		st.Gemm.MulBias(false, true, n, d.Out, d.In, 1, x.Data, d.In, d.Weight.Value.Data, d.In, d.Bias.Value.Data, y, d.Out)
	} else {
		st.Gemm.Mul(false, true, n, d.Out, d.In, 1, x.Data, d.In, d.Weight.Value.Data, d.In, 0, y, d.Out)
	}
	return st.Y
}

// Backward: dW += dYᵀ·X, db += Σ_rows dY, dX = dY·W. The weight gradient and the input
// gradient are independent products of the same size; they run side by side, each on one
// goroutine, which keeps both cores busier than splitting each product in turn. Without the
// input gradient (a first layer) the weight gradient is split over the cores instead.
func (d *Dense) Backward(st *State, dy *tensor.Tensor, needDX bool) *tensor.Tensor {
	n := dy.Rows()
	if !needDX {
		// The weight gradient alone: split over the cores rather than left on one.
		st.Gemm.Mul(true, false, d.Out, d.In, n, 1, dy.Data, d.Out, st.X.Data, d.In, 1, d.Weight.Grad.Data, d.In)
		if d.Bias != nil {
			addColumnSums(d.Bias.Grad.Data, dy.Data, n, d.Out, &st.colSums)
		}
		return nil
	}
	st.DX = tensor.Ensure(st.DX, st.X.Shape...)
	par.Do(2, func(task int) {
		if task == 0 {
			st.Gemm.Serial(true, false, d.Out, d.In, n, 1, dy.Data, d.Out, st.X.Data, d.In, 1, d.Weight.Grad.Data, d.In)
			if d.Bias != nil {
				addColumnSums(d.Bias.Grad.Data, dy.Data, n, d.Out, &st.colSums)
			}
		} else {
			st.Gemm.Serial(false, false, n, d.In, d.Out, 1, dy.Data, d.Out, d.Weight.Value.Data, d.In, 0, st.DX.Data, d.In)
		}
	})
	return st.DX
}
