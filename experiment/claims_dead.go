package experiment

import (
	"fmt"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/stats"
)

// deadSection is the experiment that asks what dead units explain.
const deadSection = "dead-units"

// deadUnitClaims are the project's own questions about dead bottleneck units (issue 14,
// docs/METHODS.md "Dead units"), tested with the machinery of the paper's claims: does feedback
// leave fewer dead units, does its effect on the loss survive among runs with as many dead
// units, and does the second pass revive units the first left dead?
func deadUnitClaims() []Claim {
	const sec = deadSection
	std := arm{lStandard, 1}
	var cs []Claim
	for _, v := range []struct{ id, label string }{
		{"partial", lPartial}, {"comprehensive", lComprehensive}, {"constant-single", lConstSingle},
		{"constant-multi", lConstMulti}, {"T4", timestepsLabel(4)},
	} {
		cs = append(cs, superior(sec, "fewer-"+v.id, v.label+" − standard, dead bottleneck units",
			arm{v.label, 0}, std, deadBottleneck, stats.Less,
			"If feedback lowers the loss by keeping bottleneck units alive, it leaves fewer of them dead; more dead units contradict that."))
	}
	zero := func(config.Verdicts) float64 { return 0 }
	cs = append(cs,
		Claim{ID: sec + "/matched", Section: sec,
			Text:    "partial feedback − standard, final test loss, seeds where both end with as many dead bottleneck units",
			PerSeed: matchedOnDead(arm{lPartial, 0}, std), Kind: stats.Superiority, Dir: stats.Less, Threshold: zero,
			Why: "Stratified: only the seeds whose two runs end with the same number of dead bottleneck units, so the number cannot explain the difference; fewer pairs, so less power."},
		Claim{ID: sec + "/adjusted", Section: sec,
			Text:    "partial feedback − standard, final test loss adjusted for dead bottleneck units",
			PerSeed: adjustedForDead(arm{lPartial, 0}, std), Kind: stats.Superiority, Dir: stats.Less, Threshold: zero,
			Why: "Regression: each seed's loss difference minus the within-model slope of loss on dead units times the difference in dead units (the slope is estimated from the same runs, which this test does not account for)."},
	)
	for _, v := range []struct{ id, label string }{{"partial", lPartial}, {"comprehensive", lComprehensive}} {
		cs = append(cs, Claim{ID: sec + "/revive-" + v.id, Section: sec,
			Text: v.label + ", bottleneck units dead in pass 1 and alive in the last pass",
			A:    arm{v.label, 0}, Measure: revived, Kind: stats.Superiority, Dir: stats.Greater, Threshold: zero,
			Why: "One-sample against 0 per run. A gain gate cannot revive units of the layer it gates (its input is the same on every pass), but the bottleneck's input changes with the gain."})
	}
	return cs
}

// deadPair is one seed's runs of two models: final test losses and dead bottleneck units.
type deadPair struct{ lossA, lossB, deadA, deadB float64 }

// deadPairs returns, by seed, the seeds both arms finished with a probe record.
func deadPairs(an *analysis, a, b arm) map[uint64]deadPair {
	la, lb := an.bySeed(a, finalLoss), an.bySeed(b, finalLoss)
	da, db := an.bySeed(a, deadBottleneck), an.bySeed(b, deadBottleneck)
	out := map[uint64]deadPair{}
	for s, va := range la {
		vb, ok1 := lb[s]
		ka, ok2 := da[s]
		kb, ok3 := db[s]
		if ok1 && ok2 && ok3 {
			out[s] = deadPair{va, vb, ka, kb}
		}
	}
	return out
}

// matchedOnDead gives, per seed whose runs of a and b end with the same number of dead
// bottleneck units, the difference of their final test losses a − b.
func matchedOnDead(a, b arm) func(*analysis, string) (map[uint64]float64, int) {
	return func(an *analysis, prefix string) (map[uint64]float64, int) {
		A, B := arm{prefix + a.label, a.pass}, arm{prefix + b.label, b.pass}
		out := map[uint64]float64{}
		for s, p := range deadPairs(an, A, B) {
			if p.deadA == p.deadB {
				out[s] = p.lossA - p.lossB
			}
		}
		return out, an.diverged[A.label] + an.diverged[B.label]
	}
}

// adjustedForDead gives, per seed, the difference of final test losses a − b minus β times the
// difference of dead bottleneck units, β being the pooled within-model least-squares slope of
// loss on dead units (each model's runs centred on their own means: the analysis of covariance
// estimate, e.g. Snedecor & Cochran 1989, §18.2). Without spread in dead units there is no slope
// and no value.
func adjustedForDead(a, b arm) func(*analysis, string) (map[uint64]float64, int) {
	return func(an *analysis, prefix string) (map[uint64]float64, int) {
		A, B := arm{prefix + a.label, a.pass}, arm{prefix + b.label, b.pass}
		div := an.diverged[A.label] + an.diverged[B.label]
		beta, ok := withinSlope(an, A, B)
		if !ok {
			return nil, div
		}
		out := map[uint64]float64{}
		for s, p := range deadPairs(an, A, B) {
			out[s] = (p.lossA - p.lossB) - beta*(p.deadA-p.deadB)
		}
		return out, div
	}
}

// withinSlope is the pooled within-model slope Σ(x−x̄ₘ)(y−ȳₘ) / Σ(x−x̄ₘ)² of final loss y on dead
// units x over the models' runs, false when no model's dead units vary.
func withinSlope(an *analysis, arms ...arm) (float64, bool) {
	sxy, sxx := 0.0, 0.0
	for _, x := range arms {
		loss, dead := an.bySeed(x, finalLoss), an.bySeed(x, deadBottleneck)
		var xs, ys []float64
		for s, y := range loss {
			if d, ok := dead[s]; ok {
				xs, ys = append(xs, d), append(ys, y)
			}
		}
		mx, my := stats.Mean(xs), stats.Mean(ys)
		for i := range xs {
			sxy += (xs[i] - mx) * (ys[i] - my)
			sxx += (xs[i] - mx) * (xs[i] - mx)
		}
	}
	if sxx == 0 {
		return 0, false
	}
	return sxy / sxx, true
}

// deadUnitVariants are the models whose dead bottleneck units the report shows, in order.
var deadUnitVariants = []string{lStandard, lPartial, lComprehensive, lConstSingle, lConstMulti, timestepsLabel(4)}

func fmtDead(x float64) string { return fmt.Sprintf("%.2g", x) }
