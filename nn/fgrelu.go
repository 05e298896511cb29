package nn

import (
	"fmt"

	"github.com/fgrelu/fgrelu/internal/kernels"
	"github.com/fgrelu/fgrelu/internal/par"
	"github.com/fgrelu/fgrelu/tensor"
)

// GateMode selects the variant of the feedback-gated ReLU.
type GateMode int

const (
	// Gain: f = max(0, μ_S)·g(μ_D), the paper's eq. 6.
	Gain GateMode = iota
	// GainThreshold: f = max(0, μ_S + α·μ_D)·g(μ_D), eq. 8, α learned.
	GainThreshold
	// ThresholdOnly: f = max(0, μ_S + α·μ_D), the appendix's threshold-only comparison.
	ThresholdOnly
	// ConstantGain: f = c·max(0, μ_S), the constant-gain control of section 4.3; no feedback.
	ConstantGain
)

var gateModeNames = []string{"gain", "gain+threshold", "threshold-only", "constant-gain"}

func (m GateMode) String() string {
	if int(m) < len(gateModeNames) {
		return gateModeNames[m]
	}
	return fmt.Sprintf("GateMode(%d)", int(m))
}

// ParseGateMode turns a mode name into a GateMode.
func ParseGateMode(s string) (GateMode, error) {
	for i, n := range gateModeNames {
		if n == s {
			return GateMode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown gate mode %q (want one of %v)", s, gateModeNames)
}

// UsesFeedback reports whether the mode reads μ_D.
func (m GateMode) UsesFeedback() bool { return m != ConstantGain }

// UsesGain reports whether μ_D sets a gain.
func (m GateMode) UsesGain() bool { return m == Gain || m == GainThreshold }

// UsesAlpha reports whether the mode has the learned threshold factor α.
func (m GateMode) UsesAlpha() bool { return m == GainThreshold || m == ThresholdOnly }

// FGReLU is the feedback-gated rectified linear unit (Kemmerling, arXiv 2301.02610, eqs. 4–8):
//
//	β(μ_D) = min(β_max/η · μ_D, β_max)                     (eq. 4)
//	gain   = 1 / (1 − β(μ_D))                               (eq. 3)
//	f      = max(0, μ_S + α·μ_D) · gain                     (eq. 8; α = 0 gives eq. 6)
//
// μ_S has shape [N, …, C] and μ_D shape [N, C]: for a dense layer each unit has its own μ_D;
// for a convolution (channels-last) one μ_D per filter is shared by all positions, the paper's
// filter-wise feedback. A nil μ_D means μ_D = 0 (the first pass): gain 1, a plain ReLU.
//
// β_max must lie in (0, 1): 1 divides by zero and more gives a negative slope; η > 0. μ_D < 0
// gives a gain below 1, never negative. At the kink μ_D = η the derivative of the gain is taken
// from the saturated side (0).
type FGReLU struct {
	Mode     GateMode
	BetaMax  float64
	Eta      float64
	Constant float64 // the gain of ConstantGain
	Alpha    *Param  // [1], in the threshold modes
}

// CheckBetaMax says why β_max is invalid, or returns nil: it must lie in (0, 1).
func CheckBetaMax(v float64) error {
	if !(v > 0 && v < 1) {
		return fmt.Errorf("%v, must lie in (0, 1): 1 divides by zero, more gives a negative slope", v)
	}
	return nil
}

// CheckEta says why η is invalid, or returns nil: it must be > 0.
func CheckEta(v float64) error {
	if !(v > 0) {
		return fmt.Errorf("%v, must be > 0", v)
	}
	return nil
}

// NewFGReLU builds a gate; name prefixes the α parameter ("E1" → "E1.alpha"), initialised to 0.
func NewFGReLU(name string, mode GateMode, betaMax, eta, constant float64) (*FGReLU, error) {
	if err := CheckBetaMax(betaMax); err != nil {
		return nil, fmt.Errorf("%s: beta_max = %w", name, err)
	}
	if err := CheckEta(eta); err != nil {
		return nil, fmt.Errorf("%s: eta = %w", name, err)
	}
	if mode == ConstantGain && !(constant > 0) {
		return nil, fmt.Errorf("%s: constant gain = %v, must be > 0", name, constant)
	}
	g := &FGReLU{Mode: mode, BetaMax: betaMax, Eta: eta, Constant: constant}
	if mode.UsesAlpha() {
		g.Alpha = NewParam(name+".alpha", 1)
	}
	return g, nil
}

func (g *FGReLU) Params() []*Param {
	if g.Alpha == nil {
		return nil
	}
	return []*Param{g.Alpha}
}

// GainOf is 1/(1 − min(β_max/η·μ_D, β_max)) and its derivative with respect to μ_D.
func (g *FGReLU) GainOf(muD float64) (gain, dgain float64) {
	k := g.BetaMax / g.Eta
	if k*muD < g.BetaMax {
		gain = 1 / (1 - k*muD)
		return gain, k * gain * gain
	}
	return 1 / (1 - g.BetaMax), 0
}

func (g *FGReLU) alpha() float32 {
	if g.Alpha == nil {
		return 0
	}
	return g.Alpha.Value.Data[0]
}

// fixedGain is the gain of a pass without μ_D: the constant of ConstantGain, else 1.
func (g *FGReLU) fixedGain() float32 {
	if g.Mode == ConstantGain {
		return float32(g.Constant)
	}
	return 1
}

// gateSaved is what the gate's backward needs of its forward, and its μ_D gradient buffer.
type gateSaved struct {
	muD    *tensor.Tensor // μ_D [N, C]; nil when the pass had none (a plain, or constant-gain, ReLU)
	gains  *tensor.Tensor // gain(μ_D) [N, C]
	dgains *tensor.Tensor // gain′(μ_D) [N, C]
	dmuD   *tensor.Tensor // ∂L/∂μ_D [N, C], what Backward returns
}

// Forward computes f from s (μ_S) and muD (μ_D, or nil for zero). State keeps s, μ_D and the
// gains for Backward.
func (g *FGReLU) Forward(st *State, s, muD *tensor.Tensor) *tensor.Tensor {
	n := s.Rows()
	st.X = s
	st.Y = tensor.Ensure(st.Y, s.Shape...)
	if muD == nil || !g.Mode.UsesFeedback() {
		st.gate.muD = nil
		c, xs, ys := g.fixedGain(), s.Data, st.Y.Data
		elementwise(len(xs), func(lo, hi int) { kernels.ReLUForward(xs[lo:hi], ys[lo:hi], c) })
		return st.Y
	}
	ch := muD.Cols()
	if muD.Rows() != n || s.Cols()%ch != 0 {
		panic(fmt.Sprintf("fgrelu: μ_S %v and μ_D %v do not match", s.Shape, muD.Shape))
	}
	// gains[b, c] and their derivatives, in float64 then stored as float32.
	sv := &st.gate
	sv.muD = muD
	sv.gains = tensor.Ensure(sv.gains, n, ch)
	sv.dgains = tensor.Ensure(sv.dgains, n, ch)
	gains, dgains := sv.gains, sv.dgains
	elementwise(len(muD.Data), func(lo, hi int) { // a dense layer has one per unit: 50 k in mnist-ae
		for i, m := range muD.Data[lo:hi] {
			gn, dg := 1.0, 0.0
			if g.Mode.UsesGain() {
				gn, dg = g.GainOf(float64(m))
			}
			gains.Data[lo+i], dgains.Data[lo+i] = float32(gn), float32(dg)
		}
	})
	per := s.Cols() // values per example
	kg := kernels.Gate{Per: per, Ch: ch, Alpha: g.alpha()}
	xs, ys := s.Data, st.Y.Data
	par.For(n, rowGrain(per), func(lo, hi int) {
		k := kg
		k.N, k.Gain, k.MuD = hi-lo, gains.Data[lo*ch:hi*ch], muD.Data[lo*ch:hi*ch]
		kernels.GateForward(k, xs[lo*per:hi*per], ys[lo*per:hi*per])
	})
	return st.Y
}

// Backward returns ds = ∂L/∂μ_S and dmuD = ∂L/∂μ_D (nil on a pass without μ_D) and adds ∂L/∂α:
//
//	u = μ_S + α·μ_D, r = max(0, u), f = r·gain(μ_D)
//	∂f/∂μ_S = [u > 0]·gain
//	∂f/∂μ_D = [u > 0]·α·gain + r·gain′(μ_D),  gain′ = (β_max/η)·gain² below saturation, else 0
//	∂f/∂α   = [u > 0]·gain·μ_D
//
// For filter-wise gates ∂L/∂μ_D and ∂L/∂α sum over positions, in float64.
func (g *FGReLU) Backward(st *State, dy *tensor.Tensor) (ds, dmuD *tensor.Tensor) {
	n := dy.Rows()
	st.DX = gradientBuffer(st, dy) // every value below reads dy[i] before it writes dx[i]
	xs, dys, dxs := st.X.Data, dy.Data, st.DX.Data
	sv := &st.gate
	if sv.muD == nil { // f = c·max(0, μ_S): ∂f/∂μ_S = c where μ_S > 0 (f > 0, as c > 0)
		c := g.fixedGain()
		elementwise(len(xs), func(lo, hi int) { kernels.ReLUBackward(xs[lo:hi], dys[lo:hi], dxs[lo:hi], c) })
		return st.DX, nil
	}
	muD, gains, dgains := sv.muD, sv.gains, sv.dgains
	ch := muD.Cols()
	per := dy.Cols()
	alpha := g.alpha()
	sv.dmuD = tensor.Ensure(sv.dmuD, n, ch)
	dm := sv.dmuD
	if g.Alpha != nil {
		// ∂L/∂α first: the loop below may write dx over dy. Per example, then the examples in
		// order (par.Sum adds its chunks in order), so the sum does not depend on the cores.
		dalpha := par.Sum(n, rowGrain(per), func(lo, hi int) float64 {
			var da float64
			for b := lo; b < hi; b++ {
				row, dout := xs[b*per:(b+1)*per], dys[b*per:(b+1)*per]
				gb, mb := gains.Data[b*ch:(b+1)*ch], muD.Data[b*ch:(b+1)*ch]
				var daRow float64
				for p := 0; p < per; p += ch {
					for c := range ch {
						if u := row[p+c] + alpha*mb[c]; !(u <= 0) {
							daRow += float64(dout[p+c]) * float64(gb[c]) * float64(mb[c])
						}
					}
				}
				da += daRow
			}
			return da
		})
		g.Alpha.Grad.Data[0] += float32(dalpha)
	}
	kg := kernels.Gate{Per: per, Ch: ch, Alpha: alpha}
	par.For(n, rowGrain(per), func(lo, hi int) {
		k := kg
		k.N, k.Gain, k.DGain, k.MuD = hi-lo, gains.Data[lo*ch:hi*ch], dgains.Data[lo*ch:hi*ch], muD.Data[lo*ch:hi*ch]
		kernels.GateBackward(k, xs[lo*per:hi*per], dys[lo*per:hi*per], dxs[lo*per:hi*per], dm.Data[lo*ch:hi*ch])
	})
	return st.DX, dm
}
