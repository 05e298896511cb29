package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Init names a weight initialisation scheme.
type Init string

const (
	// Glorot: W ~ U(−a, a), a = √(6/(fan_in + fan_out)), biases 0 (Glorot & Bengio 2010).
	// The project's default.
	Glorot Init = "glorot"
	// He: W ~ N(0, 2/fan_in), biases 0 (He et al. 2015, arXiv 1502.01852).
	He Init = "he"
	// Torch: PyTorch's default for Linear and Conv layers, W and b ~ U(−1/√fan_in, 1/√fan_in)
	// (kaiming_uniform with a = √5).
	Torch Init = "torch"
)

// ParseInit checks an initialisation name.
func ParseInit(s string) (Init, error) {
	switch Init(s) {
	case Glorot, He, Torch:
		return Init(s), nil
	}
	return "", fmt.Errorf("unknown initialisation %q (want glorot, he or torch)", s)
}

// Fans returns fan_in and fan_out of a weight shape as PyTorch computes them: dimension 1
// times the kernel size, and dimension 0 times the kernel size. For our OHWI convolution
// weights [Out, K, K, In] that is In·K² and Out·K²; for transposed convolutions [In, K, K, Out]
// it is Out·K² and In·K², matching PyTorch's [In, Out, K, K] layout.
func Fans(shape []int) (fanIn, fanOut int) {
	switch len(shape) {
	case 1:
		return shape[0], shape[0]
	case 2:
		return shape[1], shape[0]
	case 4:
		rf := shape[1] * shape[2]
		return shape[3] * rf, shape[0] * rf
	}
	panic(fmt.Sprintf("nn: no fans for weight shape %v", shape))
}

// InitWeights sets a weight (and its bias, which may be nil) by the scheme.
func InitWeights(scheme Init, w, b *Param, r *rand.Rand) {
	fanIn, fanOut := Fans(w.Value.Shape)
	switch scheme {
	case Glorot, "":
		a := math.Sqrt(6 / float64(fanIn+fanOut))
		uniform(w.Value.Data, a, r)
		if b != nil {
			b.Value.Zero()
		}
	case He:
		sd := math.Sqrt(2 / float64(fanIn))
		for i := range w.Value.Data {
			w.Value.Data[i] = float32(r.NormFloat64() * sd)
		}
		if b != nil {
			b.Value.Zero()
		}
	case Torch:
		a := 1 / math.Sqrt(float64(fanIn))
		uniform(w.Value.Data, a, r)
		if b != nil {
			uniform(b.Value.Data, a, r)
		}
	default:
		panic(fmt.Sprintf("nn: unknown initialisation %q", scheme))
	}
}

func uniform(xs []float32, a float64, r *rand.Rand) {
	for i := range xs {
		xs[i] = float32((2*r.Float64() - 1) * a)
	}
}
