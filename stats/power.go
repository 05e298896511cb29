package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Power is stated at 80 % (Cohen 1988, §2.4: the conventional β = 0.2).
const power = 0.8

// maxNeeded caps the search for the repeats a design needs.
const maxNeeded = 1000

// distance returns how far the estimate δ̂ lies from the boundary the claim
// is decided at (for equivalence, from the nearer margin).
func distance(h Hypothesis, est float64) float64 {
	if h.Kind == Equivalence {
		return math.Abs(h.Margin - math.Abs(est))
	}
	return math.Abs(est - h.boundary())
}

// detectable is the distance from the boundary that a one-sided level-alpha
// test with n repeats (per sample) and standard error sd·√(scale/n) detects
// with 80 % power, by the usual normal-theory approximation
//
//	Δ = (t_{1−α, ν} + t_{power, ν}) · sd · √(scale/n)
//
// (Cohen 1988, §2.4; Chow, Shao & Wang 2008, Sample Size Calculations in
// Clinical Research, §3.1 and §3.2) with ν = n − 1 (paired) or 2n − 2
// (two samples, scale 2). It is +Inf when the exact permutation test cannot
// reach alpha with n repeats: its smallest p-value, 1/N, is not below alpha.
func detectable(sd float64, n int, scale, alpha float64, paired bool) float64 {
	nu := float64(n - 1)
	rearr := math.Pow(2, float64(n))
	if !paired {
		nu = float64(2*n - 2)
		rearr = binomial(2*n, n)
	}
	if n < 2 || 1/rearr >= alpha || !(sd >= 0) {
		return math.Inf(1)
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}
	return (t.Quantile(1-alpha) + t.Quantile(power)) * sd * math.Sqrt(scale/float64(n))
}

// needed is the smallest number of repeats with detectable(n) ≤ dist, or 0
// when dist or sd is not a usable number, or more than maxNeeded would do.
func needed(sd, dist, scale, alpha float64, paired bool) int {
	if !(dist > 0) || !(sd > 0) || math.IsInf(dist, 0) {
		return 0
	}
	for n := 2; n <= maxNeeded; n++ {
		if detectable(sd, n, scale, alpha, paired) <= dist {
			return n
		}
	}
	return 0
}

// pairedPower is MDE and Needed for paired differences (and one-sample
// tests) d.
func pairedPower(d []float64, h Hypothesis) (mde float64, n int) {
	sd, al := StdDev(d), alpha(h)
	return detectable(sd, len(d), 1, al, true), needed(sd, distance(h, Mean(d)), 1, al, true)
}

// unpairedPower is MDE and Needed for two independent samples, with the
// pooled SD and the smaller sample's size.
func unpairedPower(a, b []float64, h Hypothesis) (mde float64, n int) {
	na, nb := len(a), len(b)
	sd := math.NaN()
	if na >= 2 && nb >= 2 {
		sd = math.Sqrt((float64(na-1)*Variance(a) + float64(nb-1)*Variance(b)) / float64(na+nb-2))
	}
	al := alpha(h)
	return detectable(sd, min(na, nb), 2, al, false), needed(sd, distance(h, Mean(a)-Mean(b)), 2, al, false)
}

// Detectable is the distance from a claim's boundary that an exact one-sided level-alpha
// permutation test detects with 80 % power: n pairs (or a one-sample test of n values) with
// differences of standard deviation sd when paired, else two samples of n runs with pooled
// standard deviation sd. +Inf when the test cannot reach alpha with n at all. It plans a design
// before its runs exist, from the spread measured in a smaller one.
func Detectable(sd float64, n int, alpha float64, paired bool) float64 {
	return detectable(sd, n, scaleOf(paired), alpha, paired)
}

// Needed is the smallest number of pairs (or runs per side) for which Detectable ≤ dist, or 0
// when none up to 1000 is.
func Needed(sd, dist, alpha float64, paired bool) int {
	return needed(sd, dist, scaleOf(paired), alpha, paired)
}

// scaleOf is the variance factor of a difference of means: 1 for paired differences, 2 for two
// independent samples of equal size.
func scaleOf(paired bool) float64 {
	if paired {
		return 1
	}
	return 2
}
