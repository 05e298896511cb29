package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fgrelu/fgrelu/tensor"
)

func TestNewFGReLURejectsBadSettings(t *testing.T) {
	for _, c := range []struct{ beta, eta, constant float64 }{
		{1, 5, 0}, {1.2, 5, 0}, {0, 5, 0}, {-0.1, 5, 0}, {0.95, 0, 0}, {0.95, -1, 0}, {math.NaN(), 5, 0},
	} {
		if _, err := NewFGReLU("E1", Gain, c.beta, c.eta, c.constant); err == nil {
			t.Errorf("beta_max=%v eta=%v accepted", c.beta, c.eta)
		}
	}
	if _, err := NewFGReLU("E1", ConstantGain, 0.95, 5, 0); err == nil {
		t.Error("constant gain 0 accepted")
	}
}

func TestGainValues(t *testing.T) {
	g, _ := NewFGReLU("E1", Gain, 0.95, 5, 0)
	for _, c := range []struct{ mu, gain float64 }{
		{0, 1},
		{5, 20},   // saturation starts at μ_D = η: 1/(1 − 0.95)
		{100, 20}, // saturated
		{2.5, 1 / (1 - 0.475)},
		{-5, 1 / 1.95}, // negative feedback lowers the gain, never below 0
		{-1e9, 1 / (1 + 0.19e9)},
	} {
		got, _ := g.GainOf(c.mu)
		if math.Abs(got-c.gain) > 1e-12*c.gain {
			t.Errorf("gain(%v) = %v, want %v", c.mu, got, c.gain)
		}
		if got <= 0 {
			t.Errorf("gain(%v) = %v ≤ 0", c.mu, got)
		}
	}
	// At the kink the saturated side's derivative (0) is used.
	if _, d := g.GainOf(5); d != 0 {
		t.Errorf("gain'(η) = %v, want 0 (saturated side)", d)
	}
}

// fgLoss evaluates L = Σ r·f for the gate.
func fgLoss(g *FGReLU, s, mu, r *tensor.Tensor) float64 {
	return dot(r, g.Forward(&State{}, s, mu))
}

func TestFGReLUGradients(t *testing.T) {
	for _, mode := range []GateMode{Gain, GainThreshold, ThresholdOnly, ConstantGain} {
		for _, shape := range [][]int{{4, 6}, {3, 2, 2, 5}} { // dense, and filter-wise (conv)
			t.Run(mode.String(), func(t *testing.T) {
				r := rand.New(rand.NewPCG(11, uint64(len(shape))))
				g, err := NewFGReLU("E1", mode, 0.9, 0.5, 3)
				if err != nil {
					t.Fatal(err)
				}
				if g.Alpha != nil {
					g.Alpha.Value.Data[0] = 0.3
				}
				ch := shape[len(shape)-1]
				s := randTensor(r, 1, shape...)
				mu := randTensor(r, 1, shape[0], ch) // spans negative, below η and saturated
				const h = 1e-3
				// Keep finite differences off the kinks: u = s + αμ away from 0, kμ away from β_max.
				alpha := float32(0)
				if g.Alpha != nil {
					alpha = g.Alpha.Value.Data[0]
				}
				for i := range mu.Data {
					if math.Abs(float64(mu.Data[i])-0.5) < 20*h {
						mu.Data[i] += 0.1
					}
				}
				per := s.Cols()
				for i := range s.Data {
					m := mu.Data[(i/per)*ch+i%ch]
					if u := s.Data[i] + alpha*m; math.Abs(float64(u)) < 20*h {
						s.Data[i] += 0.1
					}
				}
				proj := randTensor(r, 1, shape...)
				st := &State{}
				g.Forward(st, s, mu)
				ZeroGrads(g.Params())
				ds, dmu := g.Backward(st, proj)
				numeric := func(v []float32, i int) float64 {
					old := v[i]
					v[i] = old + h
					up := fgLoss(g, s, mu, proj)
					v[i] = old - h
					down := fgLoss(g, s, mu, proj)
					v[i] = old
					return (up - down) / (2 * h)
				}
				for i := range s.Data {
					if n := numeric(s.Data, i); !close(float64(ds.Data[i]), n, 2e-3) {
						t.Errorf("∂L/∂μ_S[%d]: analytic %v, numeric %v", i, ds.Data[i], n)
					}
				}
				if mode.UsesFeedback() {
					for i := range mu.Data {
						if n := numeric(mu.Data, i); !close(float64(dmu.Data[i]), n, 2e-3) {
							t.Errorf("∂L/∂μ_D[%d] (μ_D=%v): analytic %v, numeric %v", i, mu.Data[i], dmu.Data[i], n)
						}
					}
				} else if dmu != nil {
					t.Errorf("constant gain returned a μ_D gradient")
				}
				if g.Alpha != nil {
					if n := numeric(g.Alpha.Value.Data, 0); !close(float64(g.Alpha.Grad.Data[0]), n, 2e-3) {
						t.Errorf("∂L/∂α: analytic %v, numeric %v", g.Alpha.Grad.Data[0], n)
					}
				}
			})
		}
	}
}

// With μ_D = 0 (the first pass) every gain mode is a plain ReLU.
func TestFGReLUFirstPassIsReLU(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	s := randTensor(r, 1, 3, 8)
	for _, mode := range []GateMode{Gain, GainThreshold, ThresholdOnly} {
		g, _ := NewFGReLU("E1", mode, 0.95, 5, 0)
		zero := tensor.New(3, 8)
		a := g.Forward(&State{}, s, nil).Clone()
		b := g.Forward(&State{}, s, zero)
		for i := range s.Data {
			want := max(s.Data[i], 0)
			if a.Data[i] != want || b.Data[i] != want {
				t.Fatalf("%v: f(%v, 0) = %v / %v, want %v", mode, s.Data[i], a.Data[i], b.Data[i], want)
			}
		}
	}
}

// The gate commutes with max pooling (CommutesWithMaxPool): for every mode, with gains above
// and below 1 and windows holding exact ties and neighbouring floats, pooling the gate's output
// and gating the pooled μ_S give the same bits. Where two different inputs of a window gate to
// the same rounded value, the pooled-first backward routes the gradient to the larger μ_S rather
// than the first in the window (the only difference a training step can see); the test counts
// such windows and checks that the two μ_S lie within 4 units in the last place.
func TestGateCommutesWithMaxPool(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	const n, h, w, c = 6, 8, 8, 5
	s := tensor.New(n, h, w, c)
	for i := range s.Data {
		s.Data[i] = float32(r.NormFloat64())
		switch r.IntN(8) {
		case 0: // a tie with the previous row of the window
			if i >= w*c {
				s.Data[i] = s.Data[i-w*c]
			}
		case 1: // a neighbouring float
			if i >= c {
				s.Data[i] = math.Nextafter32(s.Data[i-c], float32(math.Inf(1)))
			}
		}
	}
	mu := tensor.New(n, c)
	for i := range mu.Data {
		mu.Data[i] = float32(r.NormFloat64() * 8) // gains from below 1/2 to the saturated 20
	}
	pool := &MaxPool2D{Size: 2}
	ties := 0
	for _, mode := range []GateMode{Gain, GainThreshold, ThresholdOnly, ConstantGain} {
		g, err := NewFGReLU("C", mode, 0.95, 5, 0.7)
		if err != nil {
			t.Fatal(err)
		}
		if g.Alpha != nil {
			g.Alpha.Value.Data[0] = 0.3
		}
		if !CommutesWithMaxPool(g) {
			t.Fatalf("%v: does not commute", mode)
		}
		gateFirst := &State{Train: true}
		pooledLater := &State{Train: true}
		a := pool.Forward(pooledLater, g.Forward(gateFirst, s, mu))
		poolFirst := &State{Train: true}
		gatedLater := &State{Train: true}
		b := g.Forward(gatedLater, pool.Forward(poolFirst, s), mu)
		for i := range a.Data {
			if math.Float32bits(a.Data[i]) != math.Float32bits(b.Data[i]) {
				t.Fatalf("%v: output %d: pool(gate) %v, gate(pool) %v", mode, i, a.Data[i], b.Data[i])
			}
			if pooledLater.argmax[i] != poolFirst.argmax[i] && a.Data[i] != 0 {
				ties++ // equal gated values from different μ_S: the larger μ_S won
				at := func(arg uint8) float32 {
					ch, ox, oy, b := i%c, i/c%(w/2), i/c/(w/2)%(h/2), i/c/(w/2)/(h/2)
					y, x := 2*oy+int(arg)/2, 2*ox+int(arg)%2
					return s.Data[((b*h+y)*w+x)*c+ch]
				}
				first, larger := at(pooledLater.argmax[i]), at(poolFirst.argmax[i])
				if ulps := int64(math.Float32bits(larger)) - int64(math.Float32bits(first)); !(larger > first) || ulps > 4 {
					t.Fatalf("%v: output %d: the gate made μ_S %v and %v equal", mode, i, first, larger)
				}
			}
		}
	}
	t.Logf("%d windows of %d (4 modes) where different μ_S gated to the same positive value", ties, 4*n*h*w*c/4)
	for _, u := range []*Ungated{{Activation{Kind: ReLU}}, {Activation{Kind: Identity}}} {
		if !CommutesWithMaxPool(u) {
			t.Errorf("%v does not commute", u.Kind)
		}
	}
	if CommutesWithMaxPool(&Ungated{Activation{Kind: Sigmoid}}) || CommutesWithMaxPool(&Ungated{Activation{Kind: ReLU, Slope: 0.01}}) {
		t.Error("a sigmoid or a leaky ReLU, whose rounding makes ties, said to commute")
	}
}
