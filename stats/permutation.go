package stats

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// maxExact is the largest number of rearrangements a permutation test
// enumerates; beyond it, it draws mcDraws of them at random (with a fixed
// seed, so the p-values are reproducible).
const (
	maxExact = 1 << 20
	mcDraws  = 1 << 16
)

// shifts holds what an exact permutation test of a mean difference needs to
// answer any null hypothesis "the true shift is δ₀" at once.
//
// Rearranging the data (flipping the signs of a subset F of paired
// differences, or swapping a subset S of sample a with an equally large
// subset T of sample b) makes the mean-difference statistic of the data
// shifted by δ at least as large as the observed one exactly when the
// rearrangement's "swap value" w is at most δ, with
//
//	w = mean_F(d)                    (sign flips of paired differences d),
//	w = (Σ_S a − Σ_T b) / |S|        (two samples, |S| = |T| ≥ 1).
//
// Hence P(statistic ≥ observed | shift δ) = (1 + #{w ≤ δ}) / N, N counting the
// identity, and the (1 − α) one-sided confidence bounds are order statistics of
// the w (Hartigan 1969, "Using subsample values as typical values", JASA 64;
// Lehmann & Romano 2005, Testing Statistical Hypotheses, §5.9 and §15.2).
// Exact under the null that the rearrangements are equally likely: differences
// symmetric about δ (sign flips), or samples that differ by a pure shift δ
// (two samples); docs/METHODS.md says when that is an assumption.
type shifts struct {
	w     []float64 // sorted swap values, identity excluded
	n     float64   // rearrangements counted, identity included
	exact bool      // every rearrangement enumerated
}

// pAbove is the one-sided p-value of "the true shift exceeds b0".
func (s shifts) pAbove(b0 float64) float64 {
	k, _ := slices.BinarySearchFunc(s.w, b0, func(w, t float64) int {
		if w <= t {
			return -1
		}
		return 1
	})
	return (1 + float64(k)) / s.n
}

// pBelow is the one-sided p-value of "the true shift is below b0".
func (s shifts) pBelow(b0 float64) float64 {
	k, _ := slices.BinarySearchFunc(s.w, b0, func(w, t float64) int {
		if w < t {
			return -1
		}
		return 1
	})
	return (1 + float64(len(s.w)-k)) / s.n
}

// bounds returns the one-sided (1 − alpha) lower and upper confidence bounds of
// the shift, so [low, high] is a (1 − 2·alpha) interval. They are infinite
// when no rearrangement is rare enough: with N rearrangements the smallest
// attainable p-value is 1/N.
func (s shifts) bounds(alpha float64) (low, high float64) {
	// Rejected below w[c]: 1 + c < alpha·N, c the largest such integer ≥ 0.
	c := int(math.Ceil(alpha*s.n-1)) - 1
	if c < 0 || len(s.w) == 0 {
		return math.Inf(-1), math.Inf(1)
	}
	return s.w[c], s.w[len(s.w)-1-c]
}

// signFlips returns the swap values of the sign-flip test of paired
// differences d (or of a one-sample test of d against 0): the means of every
// non-empty subset of d.
func signFlips(d []float64) shifts {
	n := len(d)
	if n == 0 {
		return shifts{n: 1, exact: true}
	}
	if n <= 20 {
		total := 1 << n
		w := make([]float64, 0, total-1)
		for mask := 1; mask < total; mask++ {
			sum := 0.0
			for m := mask; m != 0; m &= m - 1 {
				sum += d[bits.TrailingZeros(uint(m))]
			}
			w = append(w, sum/float64(bits.OnesCount(uint(mask))))
		}
		slices.Sort(w)
		return shifts{w: w, n: float64(total), exact: true}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	w := make([]float64, 0, mcDraws)
	for len(w) < mcDraws {
		sum, k := 0.0, 0
		for _, v := range d {
			if rng.IntN(2) == 1 {
				sum += v
				k++
			}
		}
		if k > 0 {
			w = append(w, sum/float64(k))
		}
	}
	slices.Sort(w)
	return shifts{w: w, n: float64(len(w) + 1)}
}

// subsetSums returns, by subset size k, the sums of every subset of x.
func subsetSums(x []float64) [][]float64 {
	out := make([][]float64, len(x)+1)
	for mask := 0; mask < 1<<len(x); mask++ {
		sum := 0.0
		for m := mask; m != 0; m &= m - 1 {
			sum += x[bits.TrailingZeros(uint(m))]
		}
		k := bits.OnesCount(uint(mask))
		out[k] = append(out[k], sum)
	}
	return out
}

// twoSample returns the swap values of the two-sample permutation test of
// mean(a) − mean(b).
func twoSample(a, b []float64) shifts {
	na, nb := len(a), len(b)
	if na == 0 || nb == 0 {
		return shifts{n: 1, exact: true}
	}
	total := binomial(na+nb, na)
	if total <= maxExact && na <= 20 && nb <= 20 {
		sa, sb := subsetSums(a), subsetSums(b)
		w := make([]float64, 0, int(total)-1)
		for k := 1; k <= min(na, nb); k++ {
			for _, x := range sa[k] {
				for _, y := range sb[k] {
					w = append(w, (x-y)/float64(k))
				}
			}
		}
		slices.Sort(w)
		return shifts{w: w, n: total, exact: true}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pool := append(append([]float64(nil), a...), b...)
	idx := make([]int, na+nb)
	w := make([]float64, 0, mcDraws)
	for len(w) < mcDraws {
		for i := range idx {
			idx[i] = i
		}
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		// The first na positions form the new sample a: S are a's values that
		// left, T are b's values that joined.
		sumS, sumT, k := 0.0, 0.0, 0
		inA := make([]bool, na+nb)
		for _, i := range idx[:na] {
			inA[i] = true
		}
		for i := range na {
			if !inA[i] {
				sumS += pool[i]
				k++
			}
		}
		for i := na; i < na+nb; i++ {
			if inA[i] {
				sumT += pool[i]
			}
		}
		if k > 0 {
			w = append(w, (sumS-sumT)/float64(k))
		}
	}
	slices.Sort(w)
	return shifts{w: w, n: float64(len(w) + 1)}
}

// binomial returns the binomial coefficient C(n, k) as a float64.
func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return math.Round(r)
}
