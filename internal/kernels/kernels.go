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

// Adam applies the update of Kingma & Ba (2015) in PyTorch's arrangement:
// m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; w ← w − step·m/(√v/sq + ε), where the caller
// passes step = lr/(1 − β1^t) and sq = √(1 − β2^t).
func Adam(w, g, m, v []float32, b1, b2, step, sq, eps float32) {
	if len(g) != len(w) || len(m) != len(w) || len(v) != len(w) {
		panic("kernels: Adam lengths differ")
	}
	if len(w) > 0 {
		adam(w, g, m, v, b1, b2, step, sq, eps)
	}
}
