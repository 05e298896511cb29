package kernels

import "fmt"

// Gate holds, for N examples of Per values in Ch channels (channels-last, Per a multiple of Ch),
// what the feedback-gated ReLU's loops read besides μ_S: α and, per example and channel, the
// gain, its derivative and μ_D (each N·Ch long). See nn.FGReLU for the formulas.
type Gate struct {
	N, Per, Ch       int
	Alpha            float32
	Gain, DGain, MuD []float32
}

func (g Gate) check(n int, xs ...[]float32) {
	if g.N < 0 || g.Ch < 1 || g.Per < g.Ch || g.Per%g.Ch != 0 || len(g.Gain) != g.N*g.Ch || len(g.MuD) != g.N*g.Ch ||
		(g.DGain != nil && len(g.DGain) != g.N*g.Ch) {
		panic(fmt.Sprintf("kernels: gate of %d×%d values in %d channels with %d gains, %d μ_D", g.N, g.Per, g.Ch, len(g.Gain), len(g.MuD)))
	}
	for _, x := range xs {
		if len(x) != n {
			panic(fmt.Sprintf("kernels: gate of %d×%d values given %d", g.N, g.Per, len(x)))
		}
	}
}

// GateForward writes y = max(0, μ_S + α·μ_D)·gain, with Go's max (NaN stays NaN).
func GateForward(g Gate, x, y []float32) {
	g.check(g.N*g.Per, x, y)
	if g.N > 0 {
		gateForward(g, x, y)
	}
}

// GateBackward writes dx = [u > 0]·gain·dy (u = μ_S + α·μ_D; dx may be dy) and
// dmu[b, c] = Σ over the positions of example b and channel c where u > 0 of
// dy·(α·gain + u·gain′), summed in float64 position by position, then rounded.
func GateBackward(g Gate, x, dy, dx, dmu []float32) {
	g.check(g.N*g.Per, x, dy, dx)
	if g.DGain == nil || len(dmu) != g.N*g.Ch {
		panic("kernels: GateBackward needs DGain and N·Ch values of dmu")
	}
	if g.N > 0 {
		gateBackward(g, x, dy, dx, dmu)
	}
}

// gateForwardGo and gateBackwardGo are the Go versions (the fallback without cgo, and the
// tests' reference).
func gateForwardGo(g Gate, x, y []float32) {
	per, ch := g.Per, g.Ch
	for b := range g.N {
		row, out := x[b*per:(b+1)*per], y[b*per:(b+1)*per]
		gb, mb := g.Gain[b*ch:(b+1)*ch], g.MuD[b*ch:(b+1)*ch]
		for p := 0; p < per; p += ch {
			for c := range ch {
				out[p+c] = max(row[p+c]+g.Alpha*mb[c], 0) * gb[c]
			}
		}
	}
}

func gateBackwardGo(g Gate, x, dy, dx, dmu []float32) {
	per, ch, alpha := g.Per, g.Ch, g.Alpha
	acc := make([]float64, ch)
	for b := range g.N {
		row, drow, dout := x[b*per:(b+1)*per], dx[b*per:(b+1)*per], dy[b*per:(b+1)*per]
		gb, dgb, mb := g.Gain[b*ch:(b+1)*ch], g.DGain[b*ch:(b+1)*ch], g.MuD[b*ch:(b+1)*ch]
		clear(acc)
		for p := 0; p < per; p += ch {
			for c := range ch {
				u := row[p+c] + alpha*mb[c]
				if u <= 0 {
					drow[p+c] = 0
					continue
				}
				d := dout[p+c]
				drow[p+c] = d * gb[c]
				acc[c] += float64(d) * (float64(alpha)*float64(gb[c]) + float64(u)*float64(dgb[c]))
			}
		}
		for c := range ch {
			dmu[b*ch+c] = float32(acc[c])
		}
	}
}
