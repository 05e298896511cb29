package kernels

// Sigmoid writes y[i] = 1/(1 + e^(−x[i])).
func Sigmoid(x, y []float32) {
	if len(x) != len(y) {
		panic("kernels: Sigmoid lengths differ")
	}
	if len(x) > 0 {
		sigmoid(x, y)
	}
}

// BCELogits returns Σ ℓ_i, ℓ = max(z, 0) − t·z − log(max(y, 1 − y)) (binary cross-entropy of
// y = σ(z) against t), and when dz is not nil writes dz[i] = scale·(y[i] − t[i]).
func BCELogits(z, y, t []float32, scale float32, dz []float32) float64 {
	if len(y) != len(z) || len(t) != len(z) || (dz != nil && len(dz) != len(z)) {
		panic("kernels: BCELogits lengths differ")
	}
	if len(z) == 0 {
		return 0
	}
	return bceLogits(z, y, t, scale, dz)
}

// AdamConsts are the scalars of one Adam step, each rounded to float32 once from a float64
// computation, as PyTorch's CPU Adam passes its Python-float scalars to float32 kernels:
// C1 = 1 − β1 and C2 = 1 − β2 (not 1 − float32(β)), Step = lr/(1 − β1^t), Sq = √(1 − β2^t).
type AdamConsts struct {
	B1, B2, C1, C2, Step, Sq, Eps float32
}

// Adam applies the update of Kingma & Ba (2015) in PyTorch's arrangement:
// m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; w ← w − step·m/(√v/sq + ε).
func Adam(w, g, m, v []float32, c AdamConsts) {
	if len(g) != len(w) || len(m) != len(w) || len(v) != len(w) {
		panic("kernels: Adam lengths differ")
	}
	if len(w) > 0 {
		adam(w, g, m, v, c)
	}
}

// ISA names the version of the compiled kernels this process runs ("avx512", "avx2", "scalar"),
// or "go" without cgo: what the CPU has, capped by FGRELU_KERNEL_ISA.
func ISA() string {
	switch isa() {
	case isaAVX512:
		return "avx512"
	case isaAVX2:
		return "avx2"
	case isaScalar:
		return "scalar"
	}
	return "go"
}

// The instruction-set caps of setISACap, as cpu.h numbers them.
const (
	isaScalar = iota
	isaAVX2
	isaAVX512
)
