package nn

import (
	"fmt"
	"math"

	"github.com/fgrelu/fgrelu/internal/kernels"
	"github.com/fgrelu/fgrelu/internal/par"
	"github.com/fgrelu/fgrelu/tensor"
)

// Target is what a loss compares the network's output with: an image to reconstruct (X) or
// class labels (Labels).
type Target struct {
	X      *tensor.Tensor
	Labels []int
}

// Loss compares the output layer with the target. It is given both the output layer's
// pre-activation z and its activation y, so that a loss fused with its activation (sigmoid with
// cross-entropy, softmax with cross-entropy) can use the numerically stable form.
type Loss interface {
	// Name is the config name: "bce", "mse" or "softmax-ce".
	Name() string
	// Output is the activation the output layer must have.
	Output() ActKind
	// Eval returns the mean loss over the batch. When dz is not nil it also writes
	// scale·∂loss/∂z into dz (shape of z).
	Eval(z, y *tensor.Tensor, t Target, scale float32, dz *tensor.Tensor) float64
}

// ParseLoss returns the loss of a config name.
func ParseLoss(name string) (Loss, error) {
	switch name {
	case "bce":
		return SigmoidBCE{}, nil
	case "mse":
		return SigmoidMSE{}, nil
	case "softmax-ce":
		return SoftmaxCE{}, nil
	}
	return nil, fmt.Errorf("unknown loss %q (want bce, mse or softmax-ce)", name)
}

// SigmoidBCE is binary cross-entropy of a sigmoid output against targets in [0, 1], averaged
// over all elements: ℓ = −[x·log y + (1−x)·log(1−y)], y = σ(z). In terms of z,
// ℓ = max(z, 0) − x·z + log(1 + e^(−|z|)), and log(1 + e^(−|z|)) = −log(max(y, 1−y)), which
// needs no second exponential. ∂ℓ/∂z = y − x.
type SigmoidBCE struct{}

func (SigmoidBCE) Name() string    { return "bce" }
func (SigmoidBCE) Output() ActKind { return Sigmoid }

func (SigmoidBCE) Eval(z, y *tensor.Tensor, t Target, scale float32, dz *tensor.Tensor) float64 {
	checkTarget(z, t)
	n := len(z.Data)
	g := scale / float32(n)
	sum := par.Sum(n, par.ElementGrain, func(lo, hi int) float64 {
		var d []float32
		if dz != nil {
			d = dz.Data[lo:hi]
		}
		return kernels.BCELogits(z.Data[lo:hi], y.Data[lo:hi], t.X.Data[lo:hi], g, d)
	})
	return sum / float64(n)
}

// SigmoidMSE is the mean squared error of a sigmoid output: ℓ = (y − x)², averaged over all
// elements; ∂ℓ/∂z = 2(y − x)·y(1 − y).
type SigmoidMSE struct{}

func (SigmoidMSE) Name() string    { return "mse" }
func (SigmoidMSE) Output() ActKind { return Sigmoid }

func (SigmoidMSE) Eval(z, y *tensor.Tensor, t Target, scale float32, dz *tensor.Tensor) float64 {
	checkTarget(z, t)
	ys, xs := y.Data, t.X.Data
	n := len(ys)
	g := 2 * scale / float32(n)
	sum := par.Sum(n, par.ElementGrain, func(lo, hi int) float64 {
		var s float64
		for i := lo; i < hi; i++ {
			d := ys[i] - xs[i]
			s += float64(d) * float64(d)
			if dz != nil {
				dz.Data[i] = g * d * ys[i] * (1 - ys[i])
			}
		}
		return s
	})
	return sum / float64(n)
}

// SoftmaxCE is the cross-entropy of softmax(z) against class labels, averaged over the batch:
// ℓ = log Σ_k e^(z_k) − z_label, computed after subtracting max_k z_k; ∂ℓ/∂z = softmax(z) − onehot.
type SoftmaxCE struct{}

func (SoftmaxCE) Name() string    { return "softmax-ce" }
func (SoftmaxCE) Output() ActKind { return Identity }

// softmaxRowGrain is the rows per chunk of the softmax loss: each row costs an exponential per
// class, so far fewer rows than par.ElementGrain values make a chunk worth a goroutine.
const softmaxRowGrain = 64

func (SoftmaxCE) Eval(z, _ *tensor.Tensor, t Target, scale float32, dz *tensor.Tensor) float64 {
	n, k := z.Rows(), z.Cols()
	if len(t.Labels) != n {
		panic(fmt.Sprintf("softmax-ce: %d labels for a batch of %d", len(t.Labels), n))
	}
	g := float64(scale) / float64(n)
	sum := par.Sum(n, softmaxRowGrain, func(lo, hi int) float64 {
		var s float64
		for b := lo; b < hi; b++ {
			row := z.Data[b*k : (b+1)*k]
			m := row[0]
			for _, v := range row {
				m = max(m, v)
			}
			var e float64
			for _, v := range row {
				e += math.Exp(float64(v - m))
			}
			lab := t.Labels[b]
			s += math.Log(e) - float64(row[lab]-m)
			if dz != nil {
				d := dz.Data[b*k : (b+1)*k]
				for j, v := range row {
					p := math.Exp(float64(v-m)) / e
					if j == lab {
						p--
					}
					d[j] = float32(g * p)
				}
			}
		}
		return s
	})
	return sum / float64(n)
}

// Correct counts the examples whose largest logit is their label.
func Correct(z *tensor.Tensor, labels []int) int {
	n, k := z.Rows(), z.Cols()
	c := 0
	for b := range n {
		row := z.Data[b*k : (b+1)*k]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best == labels[b] {
			c++
		}
	}
	return c
}

func checkTarget(z *tensor.Tensor, t Target) {
	if t.X == nil || t.X.Len() != z.Len() {
		panic(fmt.Sprintf("loss: output %v and target do not match", z.Shape))
	}
}
