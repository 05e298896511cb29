package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Verdicts on a claim.
const (
	// Supported: the data show the claimed effect at the chosen level.
	Supported = "supported"
	// Contradicted: the data show the opposite of the claim at the chosen level.
	Contradicted = "contradicted"
	// Inconclusive: the data show neither (too few repeats, too much spread,
	// or a degenerate sample).
	Inconclusive = "inconclusive"
	// NotRun: no data (the experiment was not run). Compare never returns it;
	// reports use it for claims without results.
	NotRun = "not run"
	// NoClaim: the section shows a result the paper states no claim about (its t-SNE figure).
	NoClaim = "no claim"
)

// Direction is the claimed direction of mean(a) − mean(b).
type Direction int

// Claimed directions for Compare.
const (
	Less    Direction = -1 // claim: mean(a) < mean(b)
	Differ  Direction = 0  // claim: the means differ, in either direction
	Greater Direction = 1  // claim: mean(a) > mean(b)
)

func (d Direction) String() string {
	switch d {
	case Less:
		return "a < b"
	case Differ:
		return "a ≠ b"
	case Greater:
		return "a > b"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// DefaultAlpha is the significance level used when an alpha argument is 0.
const DefaultAlpha = 0.05

// Comparison is the outcome of testing a claim about mean(a) − mean(b).
type Comparison struct {
	NA, NB       int
	MeanA, MeanB float64
	// Diff is mean(a) − mean(b); [CILow, CIHigh] its confidence interval at
	// Level (Welch–Satterthwaite, see MeanDiffCI).
	Diff, CILow, CIHigh float64
	Level               float64
	// T, DF and P are Welch's statistic, degrees of freedom and p-value. For
	// Compare, P is two-sided; for Equivalent it is the TOST p-value.
	T, DF, P float64
	// D is Cohen's d and G Hedges' g of a against b (see CohensD, HedgesG).
	D, G float64
	// Margin is the equivalence margin (Equivalent only, else 0).
	Margin float64
	// Verdict is Supported, Contradicted or Inconclusive.
	Verdict string
}

// String formats the comparison in one line.
func (c Comparison) String() string {
	s := fmt.Sprintf("diff %.4g [%.4g, %.4g] (%.0f%% CI), p=%.3g, d=%.3g, n=%d/%d: %s",
		c.Diff, c.CILow, c.CIHigh, 100*c.Level, c.P, c.D, c.NA, c.NB, c.Verdict)
	if c.Margin != 0 {
		s += fmt.Sprintf(" (margin ±%.4g)", c.Margin)
	}
	return s
}

func checkAlpha(alpha, max float64) float64 {
	if alpha == 0 {
		return DefaultAlpha
	}
	if !(alpha > 0 && alpha < max) {
		panic(fmt.Sprintf("stats: significance level alpha %v outside (0, %v)", alpha, max))
	}
	return alpha
}

func newComparison(a, b []float64, w welch, level float64) Comparison {
	c := Comparison{
		NA: len(a), NB: len(b), MeanA: Mean(a), MeanB: Mean(b),
		Diff: w.diff, CILow: w.low(level), CIHigh: w.high(level), Level: level,
		D: CohensD(a, b), G: HedgesG(a, b),
		Verdict: Inconclusive,
	}
	c.T, c.DF, c.P = Welch(a, b)
	return c
}

// Compare tests the claim that mean(a) − mean(b) has the given direction,
// with Welch's (1 − alpha) confidence interval of the difference (alpha 0 means
// DefaultAlpha, 0.05):
//
//   - Supported when the interval excludes 0 on the claimed side (for Less,
//     CIHigh < 0; for Greater, CILow > 0; for Differ, either);
//   - Contradicted when it excludes 0 on the opposite side (Differ is never
//     contradicted: failing to find a difference is not evidence of none, use
//     Equivalent for that);
//   - Inconclusive otherwise, and whenever the interval is NaN or infinite
//     (fewer than 2 values in a sample, NaN values).
//
// The decision is the same as a two-sided Welch test at level alpha (the
// interval excludes 0 exactly when P < alpha), so a directional claim is
// tested at one-sided level alpha/2: conservative on purpose, since the
// direction comes from the paper, not from our data.
// Compare panics when alpha is outside (0, 1) or direction is not Less,
// Differ or Greater.
func Compare(a, b []float64, alpha float64, direction Direction) Comparison {
	alpha = checkAlpha(alpha, 1)
	if direction < Less || direction > Greater {
		panic(fmt.Sprintf("stats: unknown claimed direction %d", int(direction)))
	}
	c := newComparison(a, b, welchParts(a, b), 1-alpha)
	above, below := c.CILow > 0, c.CIHigh < 0
	switch {
	case direction == Differ && (above || below),
		direction == Greater && above,
		direction == Less && below:
		c.Verdict = Supported
	case direction == Greater && below, direction == Less && above:
		c.Verdict = Contradicted
	}
	return c
}

// Equivalent tests the claim that mean(a) and mean(b) are practically equal
// ("ends ≈ standard"): that |mean(a) − mean(b)| < margin, with margin > 0 in
// the data's units (for a relative claim, pass e.g. 0.02·Mean(b)). It uses
// two one-sided tests at level alpha (Schuirmann 1987), decided with the
// (1 − 2·alpha) Welch confidence interval of the difference (alpha 0 means
// DefaultAlpha, so a 90 % interval):
//
//   - Supported when the interval lies inside (−margin, +margin);
//   - Contradicted when it lies entirely outside [−margin, +margin] (the
//     difference is shown to exceed the margin);
//   - Inconclusive otherwise: the interval straddles a margin, or is NaN or
//     infinite.
//
// The returned P is the TOST p-value max(p₋, p₊), with
// p₋ = P(T_ν ≥ (d + margin)/se) and p₊ = P(T_ν ≤ (d − margin)/se); the claim is
// supported exactly when P < alpha. Level is 1 − 2·alpha. It panics when
// margin is not positive and finite, or alpha is outside (0, 0.5).
func Equivalent(a, b []float64, margin, alpha float64) Comparison {
	alpha = checkAlpha(alpha, 0.5)
	if !(margin > 0) || math.IsInf(margin, 1) {
		panic(fmt.Sprintf("stats: equivalence margin %v is not positive and finite", margin))
	}
	w := welchParts(a, b)
	c := newComparison(a, b, w, 1-2*alpha)
	c.Margin = margin
	c.P = tostP(w, margin)
	switch {
	case c.CILow > -margin && c.CIHigh < margin:
		c.Verdict = Supported
	case c.CILow > margin || c.CIHigh < -margin:
		c.Verdict = Contradicted
	}
	return c
}

// tostP returns the larger of the two one-sided p-values of TOST.
func tostP(w welch, margin float64) float64 {
	switch {
	case !w.ok || math.IsNaN(w.diff):
		return math.NaN()
	case w.se == 0:
		if math.Abs(w.diff) < margin {
			return 0
		}
		return 1
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: w.df}
	pLow := t.CDF(-(w.diff + margin) / w.se) // H0: d ≤ −margin; P(T ≥ x) = F(−x)
	pHigh := t.CDF((w.diff - margin) / w.se) // H0: d ≥ +margin
	return math.Max(pLow, pHigh)
}
