package checkpoint

import (
	"fmt"
	"math/bits"
	"slices"
)

// DType is a safetensors element type, spelled as in the header's "dtype" field.
type DType string

// The supported element types. All are stored little-endian.
const (
	F32 DType = "F32" // IEEE 754 binary32
	F64 DType = "F64" // IEEE 754 binary64
	I64 DType = "I64" // two's-complement signed 64-bit integer
	U8  DType = "U8"  // unsigned byte
)

// Size returns the number of bytes per element, or 0 for an unsupported dtype.
func (d DType) Size() int {
	switch d {
	case F32:
		return 4
	case F64, I64:
		return 8
	case U8:
		return 1
	}
	return 0
}

// Tensor is one named tensor. Exactly the data slice that matches DType holds the elements,
// row-major, numel(Shape) of them; the others are empty. A nil or empty Shape is a scalar
// (one element).
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	F32   []float32
	F64   []float64
	I64   []int64
	U8    []uint8
}

// File is the content of one safetensors file. The zero value is an empty file.
type File struct {
	// Metadata is the header's "__metadata__" object. Read always sets it (empty when the
	// file has none); Write omits the object when the map is empty.
	Metadata map[string]string
	// Tensors in data-offset order: Read returns them so, and Write lays them out so.
	Tensors []Tensor
}

// Get returns the tensor with the given name.
func (f *File) Get(name string) (*Tensor, bool) {
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			return &f.Tensors[i], true
		}
	}
	return nil, false
}

// AddF32 appends a float32 tensor. The file refers to data, it does not copy it. It panics
// when len(data) does not match shape, a mistake in the calling code.
func (f *File) AddF32(name string, shape []int, data []float32) {
	f.add(Tensor{Name: name, DType: F32, Shape: slices.Clone(shape), F32: data}, len(data))
}

// AddF64 appends a float64 tensor, as AddF32 does.
func (f *File) AddF64(name string, shape []int, data []float64) {
	f.add(Tensor{Name: name, DType: F64, Shape: slices.Clone(shape), F64: data}, len(data))
}

// AddI64 appends an int64 tensor, as AddF32 does.
func (f *File) AddI64(name string, shape []int, data []int64) {
	f.add(Tensor{Name: name, DType: I64, Shape: slices.Clone(shape), I64: data}, len(data))
}

// AddU8 appends a byte tensor, as AddF32 does. Opaque bytes (a generator's state) fit a
// one-dimensional shape: AddU8(name, []int{len(b)}, b).
func (f *File) AddU8(name string, shape []int, data []uint8) {
	f.add(Tensor{Name: name, DType: U8, Shape: slices.Clone(shape), U8: data}, len(data))
}

func (f *File) add(t Tensor, n int) {
	want, err := numel(t.Shape)
	if err != nil {
		panic(fmt.Sprintf("checkpoint: tensor %s: %v", t.Name, err))
	}
	if uint64(n) != want {
		panic(fmt.Sprintf("checkpoint: tensor %s: shape %v holds %d elements, data has %d", t.Name, t.Shape, want, n))
	}
	f.Tensors = append(f.Tensors, t)
}

// F32 returns the elements of the float32 tensor name after checking that it exists, is F32
// and has exactly the given shape (none for a scalar). The slice is the tensor's own, not a
// copy.
func (f *File) F32(name string, shape ...int) ([]float32, error) {
	t, err := f.lookup(name, F32, shape)
	if err != nil {
		return nil, err
	}
	return t.F32, nil
}

// F64 returns the elements of the float64 tensor name, checked as F32 checks.
func (f *File) F64(name string, shape ...int) ([]float64, error) {
	t, err := f.lookup(name, F64, shape)
	if err != nil {
		return nil, err
	}
	return t.F64, nil
}

// I64 returns the elements of the int64 tensor name, checked as F32 checks.
func (f *File) I64(name string, shape ...int) ([]int64, error) {
	t, err := f.lookup(name, I64, shape)
	if err != nil {
		return nil, err
	}
	return t.I64, nil
}

// U8 returns the elements of the byte tensor name, checked as F32 checks.
func (f *File) U8(name string, shape ...int) ([]uint8, error) {
	t, err := f.lookup(name, U8, shape)
	if err != nil {
		return nil, err
	}
	return t.U8, nil
}

func (f *File) lookup(name string, d DType, shape []int) (*Tensor, error) {
	t, ok := f.Get(name)
	if !ok {
		return nil, fmt.Errorf("checkpoint: no tensor %s", name)
	}
	if t.DType != d {
		return nil, fmt.Errorf("checkpoint: tensor %s has dtype %s, model wants %s", name, t.DType, d)
	}
	if !slices.Equal(t.Shape, shape) {
		return nil, fmt.Errorf("checkpoint: tensor %s has shape %v, model wants %v", name, t.Shape, shape)
	}
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return t, nil
}

// check reports a tensor whose data slices disagree with its dtype and shape.
func (t *Tensor) check() error {
	n, err := numel(t.Shape)
	if err != nil {
		return fmt.Errorf("tensor %s: %v", t.Name, err)
	}
	if t.DType.Size() == 0 {
		return fmt.Errorf("tensor %s: unsupported dtype %q (want F32, F64, I64 or U8)", t.Name, t.DType)
	}
	lens := []struct {
		d DType
		n int
	}{{F32, len(t.F32)}, {F64, len(t.F64)}, {I64, len(t.I64)}, {U8, len(t.U8)}}
	for _, l := range lens {
		switch {
		case l.d == t.DType && uint64(l.n) != n:
			return fmt.Errorf("tensor %s: shape %v holds %d elements, %s data has %d", t.Name, t.Shape, n, l.d, l.n)
		case l.d != t.DType && l.n != 0:
			return fmt.Errorf("tensor %s has dtype %s but %d %s elements", t.Name, t.DType, l.n, l.d)
		}
	}
	return nil
}

// numel returns the number of elements of a shape, refusing negative dimensions and counts
// that overflow an int.
func numel(shape []int) (uint64, error) {
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > maxInt {
			return 0, fmt.Errorf("shape %v has too many elements", shape)
		}
		n = lo
	}
	return n, nil
}

const maxInt = uint64(^uint(0) >> 1)
