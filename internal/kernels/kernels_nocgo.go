//go:build !cgo

package kernels

func sigmoid(x, y []float32) { sigmoidGo(x, y) }

func bceLogits(z, y, t []float32, scale float32, dz []float32) float64 {
	return bceLogitsGo(z, y, t, scale, dz)
}

func adam(w, g, m, v []float32, c AdamConsts) {
	adamGo(w, g, m, v, c)
}

func im2col(g Patches, x []float32, n0, n1 int, cols []float32) { im2colGo(g, x, n0, n1, cols) }

func col2im(g Patches, cols []float32, n0, n1 int, x []float32) { col2imGo(g, cols, n0, n1, x) }

func maxPoolForward(p Pool, x, y []float32, arg []uint8) { maxPoolForwardGo(p, x, y, arg) }

func maxPoolBackward(p Pool, dy []float32, arg []uint8, dx []float32) {
	maxPoolBackwardGo(p, dy, arg, dx)
}

func gateForward(g Gate, x, y []float32) { gateForwardGo(g, x, y) }

func gateBackward(g Gate, x, dy, dx, dmu []float32) { gateBackwardGo(g, x, dy, dx, dmu) }

func reluForward(x, y []float32, c float32) { reluForwardGo(x, y, c) }

func reluBackward(s, dy, dx []float32, c float32) { reluBackwardGo(s, dy, dx, c) }

func setISACap(int) int { return isaAVX512 } // one version only

func isa() int { return -1 } // Go

func columnSums(a, b []float32, rows, cols int, s, q []float64) { columnSumsGo(a, b, rows, cols, s, q) }

func batchNormApply(x, mean, inv, gamma, beta, xhat, y []float32, rows, cols int) {
	batchNormApplyGo(x, mean, inv, gamma, beta, xhat, y, rows, cols)
}

func batchNormDX(dy, xhat, scale, meanDy, meanDyX, dx []float32, rows, cols int) {
	batchNormDXGo(dy, xhat, scale, meanDy, meanDyX, dx, rows, cols)
}
