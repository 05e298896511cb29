package stats

import (
	"math"
	"slices"
)

// Holm returns the Holm–Bonferroni adjusted p-values of a family of tests, in
// the order given: with p₍₁₎ ≤ … ≤ p₍ₖ₎ sorted,
//
//	p̃₍ᵢ₎ = max_{j ≤ i} min(1, (k − j + 1)·p₍ⱼ₎)
//
// (Holm 1979, "A simple sequentially rejective multiple test procedure",
// Scand. J. Statist. 6). Rejecting every hypothesis with p̃ < α controls the
// family-wise error rate at α. NaN p-values stay NaN and do not count in k.
func Holm(ps []float64) []float64 {
	idx := make([]int, 0, len(ps))
	for i, p := range ps {
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		switch {
		case ps[i] < ps[j]:
			return -1
		case ps[i] > ps[j]:
			return 1
		}
		return 0
	})
	out := make([]float64, len(ps))
	for i := range out {
		out[i] = math.NaN()
	}
	k, run := len(idx), 0.0
	for j, i := range idx {
		run = math.Max(run, math.Min(1, float64(k-j)*ps[i]))
		out[i] = run
	}
	return out
}

// AdjustHolm adjusts the P of every test of a family with Holm and sets each
// test's PAdj and verdict accordingly. The family is the sub-claims of one
// section (docs/METHODS.md, "Multiplicity").
func AdjustHolm(ts []Test) {
	ps := make([]float64, len(ts))
	for i, t := range ts {
		ps[i] = t.P
	}
	for i, p := range Holm(ps) {
		ts[i].setAdjusted(p)
	}
}
