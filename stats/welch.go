package stats

import (
	"math"

	"gonum.org/v1/gonum/stat"
)

// moments returns n, mean and sample variance (NaN variance for n < 2).
func moments(xs []float64) (n, mean, variance float64) {
	switch len(xs) {
	case 0:
		return 0, math.NaN(), math.NaN()
	case 1:
		return 1, xs[0], math.NaN()
	}
	m, v := stat.MeanVariance(xs, nil)
	return float64(len(xs)), m, v
}

// welch holds the pieces shared by Welch, MeanDiffCI, Compare and Equivalent.
type welch struct {
	diff, se, df float64
	ok           bool // both samples have at least 2 values
}

// welchParts computes x̄_a − x̄_b, its standard error √(s_a²/n_a + s_b²/n_b) and
// the Welch–Satterthwaite degrees of freedom
//
//	ν = (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1))
//
// (Welch 1947, eq. 9; Satterthwaite 1946). ν is NaN when both variances are 0.
func welchParts(a, b []float64) welch {
	na, ma, va := moments(a)
	nb, mb, vb := moments(b)
	w := welch{diff: ma - mb}
	if na < 2 || nb < 2 {
		w.se, w.df = math.NaN(), math.NaN()
		return w
	}
	w.ok = true
	qa, qb := va/na, vb/nb
	w.se = math.Sqrt(qa + qb)
	w.df = (qa + qb) * (qa + qb) / (qa*qa/(na-1) + qb*qb/(nb-1))
	return w
}

// Welch returns Welch's unequal-variance two-sample t statistic for
// mean(a) − mean(b), its Welch–Satterthwaite degrees of freedom (fractional)
// and the two-sided p-value P(|T_df| ≥ |t|) (Welch 1947):
//
//	t = (x̄_a − x̄_b) / √(s_a²/n_a + s_b²/n_b)
//
// With fewer than 2 values in either sample all three are NaN. When both
// samples are constant the standard error is 0 and df is NaN: t is ±Inf and p
// is 0 if the means differ, t is 0 and p is 1 if they are equal.
func Welch(a, b []float64) (t, df, p float64) {
	w := welchParts(a, b)
	switch {
	case !w.ok || math.IsNaN(w.diff) || math.IsNaN(w.se):
		return math.NaN(), math.NaN(), math.NaN()
	case w.se == 0 && w.diff == 0:
		return 0, math.NaN(), 1
	case w.se == 0:
		return math.Copysign(math.Inf(1), w.diff), math.NaN(), 0
	}
	t = w.diff / w.se
	return t, w.df, tTwoSided(t, w.df)
}

// MeanDiffCI returns d = mean(a) − mean(b) and its two-sided confidence
// interval at level (0 means DefaultLevel) from Welch's t distribution:
//
//	d ± t_{1−(1−level)/2, ν} · √(s_a²/n_a + s_b²/n_b)
//
// with ν the Welch–Satterthwaite degrees of freedom (see Welch). When either
// sample has a single value the interval is (−Inf, +Inf); when either is empty
// or holds NaN, everything is NaN; when both are constant the interval is
// [d, d]. It panics when level is outside (0, 1).
func MeanDiffCI(a, b []float64, level float64) (diff, low, high float64) {
	level = checkLevel(level)
	w := welchParts(a, b)
	return w.diff, w.low(level), w.high(level)
}

func (w welch) half(level float64) float64 {
	switch {
	case math.IsNaN(w.diff):
		return math.NaN()
	case !w.ok:
		return math.Inf(1)
	case w.se == 0:
		return 0
	}
	return tQuantile(1-(1-level)/2, w.df) * w.se
}

func (w welch) low(level float64) float64  { return w.diff - w.half(level) }
func (w welch) high(level float64) float64 { return w.diff + w.half(level) }

// CohensD returns Cohen's d for mean(a) − mean(b) with the pooled standard
// deviation (Cohen 1988, §2.2):
//
//	d = (x̄_a − x̄_b) / s_p,  s_p² = ((n_a−1)s_a² + (n_b−1)s_b²) / (n_a+n_b−2)
//
// It is NaN when either sample has fewer than 2 values, ±Inf when both are
// constant with different means, and NaN when both are constant and equal.
func CohensD(a, b []float64) float64 {
	na, ma, va := moments(a)
	nb, mb, vb := moments(b)
	if na < 2 || nb < 2 {
		return math.NaN()
	}
	sp := math.Sqrt(((na-1)*va + (nb-1)*vb) / (na + nb - 2))
	return (ma - mb) / sp
}

// HedgesG returns Hedges' g, Cohen's d corrected for its small-sample bias
// with the exact factor (Hedges 1981, eq. 6e)
//
//	g = J(m)·d,  J(m) = Γ(m/2) / (√(m/2) · Γ((m−1)/2)),  m = n_a + n_b − 2,
//
// which is ≈ 1 − 3/(4m − 1). NaN where CohensD is NaN.
func HedgesG(a, b []float64) float64 {
	d := CohensD(a, b)
	if math.IsNaN(d) {
		return d
	}
	m := float64(len(a) + len(b) - 2)
	lg1, _ := math.Lgamma(m / 2)
	lg2, _ := math.Lgamma((m - 1) / 2)
	j := math.Exp(lg1-lg2) / math.Sqrt(m/2)
	return j * d
}
