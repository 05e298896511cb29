package kernels

// ReLUForward writes y = c·max(x, 0) with Go's max (NaN stays NaN, −0 gives +0); c = 1 is the
// plain rectifier, other c > 0 the constant-gain control's.
func ReLUForward(x, y []float32, c float32) {
	if len(x) != len(y) {
		panic("kernels: ReLUForward lengths differ")
	}
	if len(x) > 0 {
		reluForward(x, y, c)
	}
}

// ReLUBackward writes dx = c·dy where s > 0 and 0 elsewhere; s is the rectifier's input or its
// output (for c > 0 both are positive at the same places). dx may be dy.
func ReLUBackward(s, dy, dx []float32, c float32) {
	if len(s) != len(dy) || len(dx) != len(dy) {
		panic("kernels: ReLUBackward lengths differ")
	}
	if len(s) > 0 {
		reluBackward(s, dy, dx, c)
	}
}

// reluForwardGo and reluBackwardGo are the Go versions (the fallback without cgo, and the
// tests' reference).
func reluForwardGo(x, y []float32, c float32) {
	for i, v := range x {
		y[i] = c * max(v, 0)
	}
}

func reluBackwardGo(s, dy, dx []float32, c float32) {
	for i, v := range s {
		if v > 0 {
			dx[i] = c * dy[i]
		} else {
			dx[i] = 0
		}
	}
}
