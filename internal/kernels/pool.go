package kernels

import "fmt"

// Pool describes max pooling of N channels-last images of H×W×C over non-overlapping S×S
// windows (stride S); rows and columns that do not fill a window are dropped. The output is
// N×(H/S)×(W/S)×C; for each output, arg holds the position of the input that won within its
// window (row-major, di·S + dj), so S·S ≤ 256.
type Pool struct{ N, H, W, C, S int }

func (p Pool) outLen() int { return p.N * (p.H / p.S) * (p.W / p.S) * p.C }

func (p Pool) check(x, y []float32, arg []uint8) {
	if p.N < 0 || p.S < 1 || p.S*p.S > 256 || p.H < p.S || p.W < p.S || p.C < 1 ||
		len(x) != p.N*p.H*p.W*p.C || len(y) != p.outLen() || len(arg) != p.outLen() {
		panic(fmt.Sprintf("kernels: pool %+v with %d inputs, %d outputs, %d positions", p, len(x), len(y), len(arg)))
	}
}

// MaxPoolForward writes each window's maximum into y and its position into arg. Windows are
// compared in row-major order with a strict >: the first of equal values wins (NaN never does).
func MaxPoolForward(p Pool, x, y []float32, arg []uint8) {
	p.check(x, y, arg)
	if p.N > 0 {
		maxPoolForward(p, x, y, arg)
	}
}

// MaxPoolBackward writes dx: each output's gradient at the input that won its window, zero at
// every other input.
func MaxPoolBackward(p Pool, dy []float32, arg []uint8, dx []float32) {
	p.check(dx, dy, arg)
	if p.N > 0 {
		maxPoolBackward(p, dy, arg, dx)
	}
}

// maxPoolForwardGo and maxPoolBackwardGo are the Go versions (the fallback without cgo, and
// the tests' reference).
func maxPoolForwardGo(p Pool, x, y []float32, arg []uint8) {
	h, w, c, s := p.H, p.W, p.C, p.S
	oh, ow := h/s, w/s
	for b := range p.N {
		for i := range oh {
			for j := range ow {
				o := ((b*oh+i)*ow + j) * c
				out, at := y[o:o+c], arg[o:o+c]
				for di := range s {
					for dj := range s {
						base := ((b*h+i*s+di)*w + j*s + dj) * c
						in := x[base : base+c]
						if di == 0 && dj == 0 {
							copy(out, in)
							clear(at)
							continue
						}
						k := uint8(di*s + dj)
						for ch, v := range in {
							if v > out[ch] {
								out[ch], at[ch] = v, k
							}
						}
					}
				}
			}
		}
	}
}

func maxPoolBackwardGo(p Pool, dy []float32, arg []uint8, dx []float32) {
	h, w, c, s := p.H, p.W, p.C, p.S
	oh, ow := h/s, w/s
	clear(dx)
	for b := range p.N {
		for i := range oh {
			for j := range ow {
				o := ((b*oh+i)*ow + j) * c
				for ch, k := range arg[o : o+c] {
					di, dj := int(k)/s, int(k)%s
					dx[((b*h+i*s+di)*w+j*s+dj)*c+ch] += dy[o+ch]
				}
			}
		}
	}
}
