package stats

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Test is the outcome of testing a Hypothesis on per-seed samples: the
// verdict, the exact permutation numbers that decide it, and the t-based and
// power numbers that explain it. Decide builds one; Holm adjusts a family.
type Test struct {
	Hypothesis Hypothesis
	Design     Design
	// NA and NB are the sample sizes (pairs: both the number of pairs;
	// one-sample: NB is 0).
	NA, NB int
	// Threshold is the value a one-sample test compares with.
	Threshold float64
	// MeanDiff is δ̂ = mean(a) − mean(b) (or − Threshold). MedianDiff is the
	// median of the paired differences, or median(a) − median(b) unpaired.
	MeanDiff, MedianDiff float64
	// [Low, High] is the exact permutation confidence interval of δ at Level
	// = 1 − 2·alpha (each end a one-sided bound at 1 − alpha); infinite ends
	// mean the design has too few rearrangements to bound δ at all.
	Low, High, Level float64
	// TLow, THigh: the Student-t (paired, one-sample) or Welch (unpaired)
	// interval at the same level, for readers used to it.
	TLow, THigh float64
	// Effect is the standardised effect: d_z = mean(d)/sd(d) for paired
	// differences and one-sample tests, Cohen's d unpaired (Cohen 1988,
	// §2.2 and §2.3.5).
	Effect float64
	// PSupport and PContradict are the exact one-sided p-values of the
	// claim and of its negation at the boundary; P is the smaller of the two
	// and PAdj its Holm adjustment within a family (P alone: PAdj = P).
	PSupport, PContradict, P, PAdj float64
	// Exact is false when the permutation distribution was sampled.
	Exact bool
	// MDE is the smallest distance of δ beyond the boundary that this design
	// detects with 80 % power (+Inf when the exact test cannot reach alpha
	// at all); Needed is the number of repeats (pairs, or per sample) that
	// would detect the observed distance, 0 when unknown.
	MDE    float64
	Needed int
	// Verdict is Supported, Contradicted or Inconclusive.
	Verdict string
}

// Method names the test in words, for a report row.
func (t Test) Method() string {
	how := "exact"
	if !t.Exact {
		how = "sampled"
	}
	switch t.Design {
	case Paired:
		return fmt.Sprintf("paired sign-flip permutation (%s), %d pairs", how, t.NA)
	case OneSample:
		return fmt.Sprintf("one-sample sign-flip permutation (%s) against %.4g, n = %d", how, t.Threshold, t.NA)
	}
	return fmt.Sprintf("two-sample permutation (%s), n = %d / %d", how, t.NA, t.NB)
}

// Claim says the claim in words: kind, direction and margin.
func (t Test) Claim() string {
	h := t.Hypothesis
	m := fmt.Sprintf("%.4g", h.Margin)
	b := h.boundary()
	bs := strings.ReplaceAll(fmt.Sprintf("%.4g", b), "-", "−") // a minus sign, as the report prints
	if b == 0 {
		bs = "0"
	}
	switch {
	case h.Kind == Equivalence:
		return "|δ| < " + m
	case h.Kind == Superiority && h.Direction == Less:
		return "δ < " + bs
	case h.Kind == Superiority:
		return "δ > " + bs
	case h.Direction == Less:
		return "δ > " + bs + " (not lower by more than " + m + ")"
	}
	return "δ < " + bs + " (not higher by more than " + m + ")"
}

// Decide tests h on the samples a and b of the given design (for OneSample
// use DecideOneSample). Paired samples must have equal lengths. NaN values are
// an error; samples too small to decide give an inconclusive Test, not an
// error.
func Decide(a, b []float64, design Design, h Hypothesis) (Test, error) {
	if err := h.validate(); err != nil {
		return Test{}, err
	}
	for _, x := range [][]float64{a, b} {
		if slices.ContainsFunc(x, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }) {
			return Test{}, fmt.Errorf("stats: a sample holds a non-finite value")
		}
	}
	t := Test{Hypothesis: h, Design: design, NA: len(a), NB: len(b)}
	var sh shifts
	switch design {
	case Paired:
		if len(a) != len(b) {
			return Test{}, fmt.Errorf("stats: paired samples of %d and %d values", len(a), len(b))
		}
		d := diffs(a, b)
		sh = signFlips(d)
		t.MeanDiff, t.MedianDiff = Mean(d), Median(d)
		t.Effect = Mean(d) / StdDev(d)
		t.TLow, t.THigh = tInterval(d, 1-2*alpha(h))
		t.MDE, t.Needed = pairedPower(d, h)
	case Unpaired:
		sh = twoSample(a, b)
		t.MeanDiff, t.MedianDiff = Mean(a)-Mean(b), Median(a)-Median(b)
		t.Effect = CohensD(a, b)
		w := welchParts(a, b)
		t.TLow, t.THigh = w.low(1-2*alpha(h)), w.high(1-2*alpha(h))
		t.MDE, t.Needed = unpairedPower(a, b, h)
	default:
		return Test{}, fmt.Errorf("stats: design %v: use DecideOneSample", design)
	}
	t.decide(sh)
	return t, nil
}

// DecideOneSample tests h on δ = mean(x) − threshold with the exact sign-flip
// test of x[i] − threshold (Fisher 1935, §21; symmetric about δ under the null).
func DecideOneSample(x []float64, threshold float64, h Hypothesis) (Test, error) {
	if err := h.validate(); err != nil {
		return Test{}, err
	}
	if slices.ContainsFunc(x, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }) {
		return Test{}, fmt.Errorf("stats: the sample holds a non-finite value")
	}
	d := make([]float64, len(x))
	for i, v := range x {
		d[i] = v - threshold
	}
	t := Test{Hypothesis: h, Design: OneSample, NA: len(x), Threshold: threshold}
	sh := signFlips(d)
	t.MeanDiff, t.MedianDiff = Mean(d), Median(d)
	t.Effect = Mean(d) / StdDev(d)
	t.TLow, t.THigh = tInterval(d, 1-2*alpha(h))
	t.MDE, t.Needed = pairedPower(d, h)
	t.decide(sh)
	return t, nil
}

func alpha(h Hypothesis) float64 {
	if h.Alpha == 0 {
		return DefaultAlpha
	}
	return h.Alpha
}

// decide fills the interval, the p-values and the verdict from the
// permutation distribution.
func (t *Test) decide(sh shifts) {
	h := t.Hypothesis
	al := alpha(h)
	t.Exact = sh.exact
	t.Level = 1 - 2*al
	t.Low, t.High = sh.bounds(al)
	if len(sh.w) == 0 { // no data
		t.Low, t.High = math.NaN(), math.NaN()
	}
	switch h.Kind {
	case Equivalence:
		// Supported: both δ > −m and δ < m; contradicted: δ > m or δ < −m.
		t.PSupport = math.Max(sh.pAbove(-h.Margin), sh.pBelow(h.Margin))
		t.PContradict = math.Min(sh.pAbove(h.Margin), sh.pBelow(-h.Margin))
	default:
		b0 := h.boundary()
		toward, away := sh.pBelow(b0), sh.pAbove(b0)
		if h.Direction == Greater {
			toward, away = away, toward
		}
		t.PSupport, t.PContradict = toward, away
		if h.Kind == NonSuperiority {
			t.PSupport, t.PContradict = away, toward
		}
	}
	t.P = math.Min(t.PSupport, t.PContradict)
	t.setAdjusted(t.P)
}

// setAdjusted sets PAdj and the verdict it gives: the claim's side decides
// when its (adjusted) p-value is below alpha. The two sides are one-sided
// tests of opposite hypotheses, so at most one can be below 1/2.
func (t *Test) setAdjusted(pAdj float64) {
	t.PAdj = pAdj
	t.Verdict = Inconclusive
	if pAdj < alpha(t.Hypothesis) {
		if t.PSupport <= t.PContradict {
			t.Verdict = Supported
		} else {
			t.Verdict = Contradicted
		}
	}
}

func diffs(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return d
}

// tInterval is the Student-t interval of the mean of d at level.
func tInterval(d []float64, level float64) (low, high float64) {
	s := Summarize(d, level)
	return s.CILow, s.CIHigh
}
