package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultLevel is the confidence level used when a level argument is 0.
const DefaultLevel = 0.95

// Mean returns the arithmetic mean Σxᵢ/n of xs, or NaN when xs is empty.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return stat.Mean(xs, nil)
}

// Variance returns the sample variance Σ(xᵢ − x̄)²/(n − 1) of xs (Bessel's
// correction), or NaN when xs has fewer than 2 values.
func Variance(xs []float64) float64 {
	if len(xs) < 2 {
		return math.NaN()
	}
	_, v := stat.MeanVariance(xs, nil)
	return v
}

// StdDev returns the sample standard deviation √Variance(xs) (n − 1 in the
// denominator), or NaN when xs has fewer than 2 values.
func StdDev(xs []float64) float64 {
	return math.Sqrt(Variance(xs))
}

// Summary describes one sample: its size, mean, sample standard deviation and
// a Student-t confidence interval of the mean at Level.
type Summary struct {
	N             int
	Mean, SD      float64
	CILow, CIHigh float64
	Level         float64 // the confidence level of [CILow, CIHigh], e.g. 0.95
}

// String formats the summary as "mean [low, high] (n=N)".
func (s Summary) String() string {
	return fmt.Sprintf("%.4g [%.4g, %.4g] (n=%d)", s.Mean, s.CILow, s.CIHigh, s.N)
}

// Summarize returns the size, mean, sample standard deviation and the
// two-sided Student-t confidence interval of the mean of xs,
//
//	x̄ ± t_{1−(1−level)/2, n−1} · s/√n   (Student 1908),
//
// at the given level (0 means DefaultLevel, 0.95).
//
// Degenerate samples: with N = 0 every field but N and Level is NaN; with
// N = 1 the mean is the value, SD is NaN and the interval is (−Inf, +Inf) (one
// value says nothing about the spread); when every value is equal the
// interval is [mean, mean]. NaN values propagate to Mean, SD and the interval.
// Summarize panics when level is outside (0, 1), a programming mistake.
func Summarize(xs []float64, level float64) Summary {
	level = checkLevel(level)
	s := Summary{N: len(xs), Level: level}
	switch len(xs) {
	case 0:
		s.Mean, s.SD, s.CILow, s.CIHigh = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return s
	case 1:
		s.Mean, s.SD = xs[0], math.NaN()
		if math.IsNaN(xs[0]) {
			s.CILow, s.CIHigh = math.NaN(), math.NaN()
		} else {
			s.CILow, s.CIHigh = math.Inf(-1), math.Inf(1)
		}
		return s
	}
	m, v := stat.MeanVariance(xs, nil)
	s.Mean, s.SD = m, math.Sqrt(v)
	half := tQuantile(1-(1-level)/2, float64(len(xs)-1)) * s.SD / math.Sqrt(float64(len(xs)))
	if s.SD == 0 {
		half = 0
	}
	s.CILow, s.CIHigh = m-half, m+half
	return s
}

// checkLevel returns level, or DefaultLevel for 0, and panics outside (0, 1).
func checkLevel(level float64) float64 {
	if level == 0 {
		return DefaultLevel
	}
	if !(level > 0 && level < 1) {
		panic(fmt.Sprintf("stats: confidence level %v outside (0, 1)", level))
	}
	return level
}

// tQuantile returns the p-quantile of Student's t with df (possibly
// fractional) degrees of freedom, NaN for NaN or non-positive df.
func tQuantile(p, df float64) float64 {
	if !(df > 0) {
		return math.NaN()
	}
	if math.IsInf(df, 1) {
		return distuv.UnitNormal.Quantile(p)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

// tTwoSided returns the two-sided tail probability P(|T| ≥ |t|) of Student's
// t with df degrees of freedom, computed as 2·F(−|t|) to keep small p-values
// accurate.
func tTwoSided(t, df float64) float64 {
	if math.IsNaN(t) || !(df > 0) {
		return math.NaN()
	}
	if math.IsInf(t, 0) {
		return 0
	}
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(-math.Abs(t))
}
