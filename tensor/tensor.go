package tensor

import (
	"fmt"
	"strings"
)

// Tensor is a dense row-major float32 array. Data has exactly Numel(Shape) elements.
type Tensor struct {
	Shape []int
	Data  []float32
}

// New allocates a zero tensor of the given shape. A negative dimension is a programming
// mistake and panics.
func New(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, Numel(shape))}
}

// FromData wraps data (not copied) in a tensor of the given shape. It returns an error when
// the length does not match the shape.
func FromData(data []float32, shape ...int) (*Tensor, error) {
	if n := Numel(shape); n != len(data) {
		return nil, fmt.Errorf("tensor: %d values do not fill shape %v (%d values)", len(data), shape, n)
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}, nil
}

// Numel is the number of elements of a shape.
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("tensor: negative dimension in shape %v", shape))
		}
		n *= d
	}
	return n
}

// Len is the number of elements.
func (t *Tensor) Len() int { return len(t.Data) }

// Rows is the size of the first dimension (the batch), or 1 for a scalar.
func (t *Tensor) Rows() int {
	if len(t.Shape) == 0 {
		return 1
	}
	return t.Shape[0]
}

// Cols is the number of elements per row: Len()/Rows().
func (t *Tensor) Cols() int {
	r := t.Rows()
	if r == 0 {
		return 0
	}
	return len(t.Data) / r
}

// Zero sets every element to 0.
func (t *Tensor) Zero() { clear(t.Data) }

// Fill sets every element to v.
func (t *Tensor) Fill(v float32) {
	for i := range t.Data {
		t.Data[i] = v
	}
}

// Clone returns a deep copy.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// CopyFrom copies src's values into t; the element counts must match.
func (t *Tensor) CopyFrom(src *Tensor) {
	if len(src.Data) != len(t.Data) {
		panic(fmt.Sprintf("tensor: copy of %v into %v", src.Shape, t.Shape))
	}
	copy(t.Data, src.Data)
}

// Reshape returns a view with another shape over the same data.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	if Numel(shape) != len(t.Data) {
		panic(fmt.Sprintf("tensor: cannot reshape %v to %v", t.Shape, shape))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: t.Data}
}

// RowSlice returns a view of rows [i, j) of the first dimension.
func (t *Tensor) RowSlice(i, j int) *Tensor {
	c := t.Cols()
	shape := append([]int{j - i}, t.Shape[1:]...)
	return &Tensor{Shape: shape, Data: t.Data[i*c : j*c]}
}

// SameShape reports whether a and b have identical shapes.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Ensure returns t when it already has the given shape, and otherwise a new zero tensor of
// that shape. Layers use it to allocate their per-pass buffers once per batch size.
func Ensure(t *Tensor, shape ...int) *Tensor {
	if t != nil && SameShape(t.Shape, shape) {
		return t
	}
	if t != nil && cap(t.Data) >= Numel(shape) {
		t.Shape = append(t.Shape[:0], shape...)
		t.Data = t.Data[:Numel(shape)]
		return t
	}
	return New(shape...)
}

// String prints the shape and the first few values, for debugging and error messages.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v[", t.Shape)
	for i, v := range t.Data {
		if i == 6 {
			b.WriteString(" …")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.4g", v)
	}
	b.WriteByte(']')
	return b.String()
}

// MustShape panics with a message naming what when t's shape is not want. It guards the
// boundaries of layers and models, where a wrong shape is a programming mistake.
func MustShape(what string, t *Tensor, want ...int) {
	if !SameShape(t.Shape, want) {
		panic(fmt.Sprintf("%s: shape %v, want %v", what, t.Shape, want))
	}
}
