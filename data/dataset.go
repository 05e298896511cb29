package data

import (
	"fmt"
	"math/rand/v2"
)

// Dataset is a labelled set of images kept as raw bytes.
//
// Example i occupies Pixels[i*F : (i+1)*F] with F = H*W*C, stored channels-last: the byte of
// row y, column x, channel c is at i*F + (y*W+x)*C + c. Labels[i] is in [0, Classes).
// ClassNames is empty or has Classes entries.
type Dataset struct {
	Name       string
	Pixels     []uint8 // N*H*W*C bytes, channels-last (N, H, W, C)
	Labels     []uint8 // N labels
	N, H, W, C int
	Classes    int
	ClassNames []string
}

// byteToUnit[b] = b/255 as float32, computed once by a true division so that Gather is a
// table look-up and gives the correctly rounded quotient.
var byteToUnit = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// Features is the number of values per example, H*W*C.
func (d *Dataset) Features() int { return d.H * d.W * d.C }

// Gather writes the examples idx[0], idx[1], … one after the other into dst, each as Features()
// float32 values pixel/255 in channels-last order: dst is then a (len(idx), H, W, C) batch.
// It panics when len(dst) != len(idx)*Features() or an index is out of range: both are
// programming mistakes.
func (d *Dataset) Gather(dst []float32, idx []int) {
	f := d.Features()
	if len(dst) != len(idx)*f {
		panic(fmt.Sprintf("data: Gather into %d floats, want %d examples × %d features = %d",
			len(dst), len(idx), f, len(idx)*f))
	}
	for k, i := range idx {
		if i < 0 || i >= d.N {
			panic(fmt.Sprintf("data: Gather index %d out of range [0, %d) in %s", i, d.N, d.Name))
		}
		src := d.Pixels[i*f : (i+1)*f]
		out := dst[k*f : (k+1)*f]
		out = out[:len(src)] // one bounds check for the loop below
		for j, b := range src {
			out[j] = byteToUnit[b]
		}
	}
}

// GatherLabels writes the labels of the examples idx[0], idx[1], … into dst. It panics when
// len(dst) != len(idx) or an index is out of range.
func (d *Dataset) GatherLabels(dst []int, idx []int) {
	if len(dst) != len(idx) {
		panic(fmt.Sprintf("data: GatherLabels into %d ints, want %d", len(dst), len(idx)))
	}
	for k, i := range idx {
		if i < 0 || i >= d.N {
			panic(fmt.Sprintf("data: GatherLabels index %d out of range [0, %d) in %s", i, d.N, d.Name))
		}
		dst[k] = int(d.Labels[i])
	}
}

// Head returns the first n examples (all of them when n >= N) as a view that shares Pixels
// and Labels with d. Its slices are capped, so appending to them never overwrites d. A
// negative n panics.
func (d *Dataset) Head(n int) *Dataset {
	if n < 0 {
		panic(fmt.Sprintf("data: Head(%d)", n))
	}
	n = min(n, d.N)
	f := d.Features()
	h := *d
	h.N = n
	h.Pixels = d.Pixels[: n*f : n*f]
	h.Labels = d.Labels[:n:n]
	return &h
}

// maxBytes bounds the pixel bytes of one dataset (and the elements of one IDX file): 1 GiB is
// seven times CIFAR-10's training set and keeps every index product far from overflowing.
const maxBytes = 1 << 30

// Validate checks that the sizes agree with each other and every label is below Classes.
func (d *Dataset) Validate() error {
	switch {
	case d.N < 0:
		return fmt.Errorf("data: dataset %q: N = %d is negative", d.Name, d.N)
	case d.H < 1 || d.W < 1 || d.C < 1:
		return fmt.Errorf("data: dataset %q: image size %d×%d×%d must be positive", d.Name, d.H, d.W, d.C)
	case d.Classes < 1 || d.Classes > 256:
		return fmt.Errorf("data: dataset %q: Classes = %d, want 1…256 (labels are bytes)", d.Name, d.Classes)
	case len(d.ClassNames) != 0 && len(d.ClassNames) != d.Classes:
		return fmt.Errorf("data: dataset %q: %d class names for %d classes", d.Name, len(d.ClassNames), d.Classes)
	}
	// Multiply step by step, checking before each product, so that absurd sizes are reported
	// rather than overflowing.
	total := 1
	for _, v := range []int{d.H, d.W, d.C, d.N} {
		if v > 0 && total > maxBytes/v {
			return fmt.Errorf("data: dataset %q: %d×%d×%d×%d bytes is over the %d-byte limit", d.Name, d.N, d.H, d.W, d.C, maxBytes)
		}
		total *= v
	}
	if want := total; len(d.Pixels) != want {
		return fmt.Errorf("data: dataset %q: %d pixel bytes, want N·H·W·C = %d", d.Name, len(d.Pixels), want)
	}
	if len(d.Labels) != d.N {
		return fmt.Errorf("data: dataset %q: %d labels for %d examples", d.Name, len(d.Labels), d.N)
	}
	for i, l := range d.Labels {
		if int(l) >= d.Classes {
			return fmt.Errorf("data: dataset %q: example %d has label %d, want < %d", d.Name, i, l, d.Classes)
		}
	}
	return nil
}

// Permutation returns a random permutation of 0…n-1 drawn from r, so the same generator
// state always gives the same order. It is the Fisher–Yates shuffle as Durstenfeld wrote it
// (Knuth, TAOCP vol. 2, 3rd ed., §3.4.2, Algorithm P), spelled out here rather than taken from
// rand.Perm so that the order depends only on r's stream and this code.
func Permutation(n int, r *rand.Rand) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Batches cuts perm into consecutive batches of the given size; the last batch holds the
// remainder and is kept even when shorter. The batches are capped views of perm. A batch size
// below 1 panics.
func Batches(perm []int, batch int) [][]int {
	if batch < 1 {
		panic(fmt.Sprintf("data: Batches with batch size %d", batch))
	}
	out := make([][]int, 0, (len(perm)+batch-1)/batch)
	for lo := 0; lo < len(perm); lo += batch {
		hi := min(lo+batch, len(perm))
		out = append(out, perm[lo:hi:hi])
	}
	return out
}
