package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fgrelu/fgrelu/tensor"
)

// Direct loops from the definitions of convolution and transposed convolution, in float64:
// the oracle for the im2col forward passes.

func directConv(x *tensor.Tensor, c *Conv2D) []float64 {
	n, h, w := x.Shape[0], x.Shape[1], x.Shape[2]
	out, _ := c.OutShape(x.Shape[1:])
	oh, ow := out[0], out[1]
	y := make([]float64, n*oh*ow*c.Out)
	for b := range n {
		for i := range oh {
			for j := range ow {
				for o := range c.Out {
					s := 0.0
					if c.Bias != nil {
						s = float64(c.Bias.Value.Data[o])
					}
					for kh := range c.K {
						for kw := range c.K {
							ih, iw := i*c.Stride-c.Pad+kh, j*c.Stride-c.Pad+kw
							if ih < 0 || ih >= h || iw < 0 || iw >= w {
								continue
							}
							for ci := range c.In {
								s += float64(x.Data[((b*h+ih)*w+iw)*c.In+ci]) *
									float64(c.Weight.Value.Data[((o*c.K+kh)*c.K+kw)*c.In+ci])
							}
						}
					}
					y[((b*oh+i)*ow+j)*c.Out+o] = s
				}
			}
		}
	}
	return y
}

func directConvT(x *tensor.Tensor, c *ConvTranspose2D) []float64 {
	n, h, w := x.Shape[0], x.Shape[1], x.Shape[2]
	out, _ := c.OutShape(x.Shape[1:])
	oh, ow := out[0], out[1]
	y := make([]float64, n*oh*ow*c.Out)
	for b := range n {
		for i := range oh {
			for j := range ow {
				for o := range c.Out {
					if c.Bias != nil {
						y[((b*oh+i)*ow+j)*c.Out+o] = float64(c.Bias.Value.Data[o])
					}
				}
			}
		}
		for ih := range h {
			for iw := range w {
				for ci := range c.In {
					v := float64(x.Data[((b*h+ih)*w+iw)*c.In+ci])
					for kh := range c.K {
						for kw := range c.K {
							i, j := ih*c.Stride-c.Pad+kh, iw*c.Stride-c.Pad+kw
							if i < 0 || i >= oh || j < 0 || j >= ow {
								continue
							}
							for o := range c.Out {
								y[((b*oh+i)*ow+j)*c.Out+o] += v * float64(c.Weight.Value.Data[((ci*c.K+kh)*c.K+kw)*c.Out+o])
							}
						}
					}
				}
			}
		}
	}
	return y
}

func compare(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(float64(got[i])-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestConvForwardMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, tc := range []struct{ in, out, k, s, p, h, w, n int }{
		{3, 16, 5, 2, 2, 32, 32, 3}, // the CIFAR autoencoder's first layer
		{3, 8, 5, 1, 2, 12, 12, 2},  // the classifier's 'same' convolution
		{2, 3, 3, 2, 0, 7, 8, 20},   // odd sizes, no padding, more images than groups
	} {
		c := NewConv2D("c", tc.in, tc.out, tc.k, tc.s, tc.p, true)
		InitWeights(Torch, c.Weight, c.Bias, r)
		x := randTensor(r, 1, tc.n, tc.h, tc.w, tc.in)
		y := c.Forward(&State{}, x)
		compare(t, "conv", y.Data, directConv(x, c), 1e-5)
	}
}

func TestConvTransposeForwardMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, tc := range []struct{ in, out, k, s, p, op, h, w, n int }{
		{16, 16, 5, 2, 2, 1, 8, 8, 3}, // the CIFAR autoencoder's decoder: 8×8 → 16×16
		{16, 3, 5, 2, 2, 1, 16, 16, 2},
		{2, 3, 3, 1, 1, 0, 5, 4, 11},
		{3, 2, 4, 3, 0, 2, 3, 3, 2},
	} {
		c := NewConvTranspose2D("ct", tc.in, tc.out, tc.k, tc.s, tc.p, tc.op, true)
		InitWeights(Torch, c.Weight, c.Bias, r)
		x := randTensor(r, 1, tc.n, tc.h, tc.w, tc.in)
		y := c.Forward(&State{}, x)
		compare(t, "convT", y.Data, directConvT(x, c), 1e-5)
	}
}

func TestOutShapes(t *testing.T) {
	conv := NewConv2D("c", 3, 16, 5, 2, 2, true)
	if got, _ := conv.OutShape([]int{32, 32, 3}); !tensor.SameShape(got, []int{16, 16, 16}) {
		t.Errorf("conv 32×32 stride 2 pad 2: %v", got)
	}
	if _, err := conv.OutShape([]int{32, 32, 1}); err == nil {
		t.Error("conv accepted 1 channel for 3")
	}
	ct := NewConvTranspose2D("t", 16, 16, 5, 2, 2, 1, true)
	if got, _ := ct.OutShape([]int{8, 8, 16}); !tensor.SameShape(got, []int{16, 16, 16}) {
		t.Errorf("convT 8×8 stride 2 pad 2 outpad 1: %v", got)
	}
	bad := NewConvTranspose2D("t", 16, 16, 5, 2, 2, 2, true)
	if _, err := bad.OutShape([]int{8, 8, 16}); err == nil {
		t.Error("convT accepted output padding ≥ stride")
	}
	if got, _ := (&MaxPool2D{Size: 2}).OutShape([]int{5, 4, 3}); !tensor.SameShape(got, []int{2, 2, 3}) {
		t.Errorf("maxpool 5×4: %v", got)
	}
	d := NewDense("d", 12, 3, true)
	if _, err := d.OutShape([]int{2, 2, 2}); err == nil {
		t.Error("dense accepted 8 inputs for 12")
	}
}
