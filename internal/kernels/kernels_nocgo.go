//go:build !cgo

package kernels

func sigmoid(x, y []float32) { sigmoidGo(x, y) }

func bceLogits(z, y, t []float32, scale float32, dz []float32) float64 {
	return bceLogitsGo(z, y, t, scale, dz)
}

func adam(w, g, m, v []float32, c AdamConsts) {
	adamGo(w, g, m, v, c)
}
