package experiment

import (
	"fmt"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/stats"
)

// Claim is one claim of the paper, defined once: the experiment sections, the sensitivity
// study, the report and verdicts.md all derive from these definitions (docs/METHODS.md gives
// the project's reading of each, with the paper's section).
type Claim struct {
	ID      string // unique: section/name
	Section string // the experiment that tests it
	Text    string // what is compared, as a row label
	// A and B are the variants compared as A − B; B.label "" makes a one-sample test of A
	// against Threshold.
	A, B    arm
	Measure measure
	// PerSeed, when set, replaces A, B and Measure: it gives one value per seed (a trend over
	// several configurations), tested one-sample against Threshold.
	PerSeed func(a *analysis, prefix string) (bySeed map[uint64]float64, diverged int)
	Kind    stats.Kind
	Dir     stats.Direction
	// Margin is the claim's margin as a fraction of B's mean (0: none); Threshold the value a
	// one-sample claim is tested against. Both read the verdict settings.
	Margin    func(v config.Verdicts) float64
	Threshold func(v config.Verdicts) float64
	// Why explains the test and the margin in one sentence.
	Why string
}

// arm is one variant of a comparison: a run label and the pass that stands for the model
// (0 = its last).
type arm struct {
	label string
	pass  int
}

func fmtG(v float64) string { return fmt.Sprintf("%g", v) }

func improvement(v config.Verdicts) float64 { return v.ImprovementMargin }

// superior is a claim that A's measure is below (Less) or above (Greater) B's.
func superior(section, id, text string, a, b arm, m measure, dir stats.Direction, why string) Claim {
	return Claim{ID: section + "/" + id, Section: section, Text: text, A: a, B: b, Measure: m,
		Kind: stats.Superiority, Dir: dir, Margin: improvement, Why: why}
}

const (
	whyDirection = "The paper states a direction, not a size: any improvement counts (verdicts.improvement_margin)."
	whyEarly     = "“Converges faster” read as a lower test loss after the first epoch."
)

// claims lists every claim of the paper the reproduction tests, in the paper's order. The
// grid's comparisons depend on the profile's cells.
func claims(p Profile) []Claim {
	std, fb := arm{lStandard, 1}, arm{lPartial, 0}
	var cs []Claim
	for _, sec := range []string{"mnist-ae", "mnist-ae-b10"} {
		cs = append(cs, superior(sec, "lower-loss", "feedback (pass 2) − standard, final test loss",
			arm{lPartial, 2}, std, finalLoss, stats.Less, whyDirection))
	}
	t2 := arm{timestepsLabel(2), 0}
	cs = append(cs, superior("timesteps", "two-help", "T=2 − T=1, final test loss (two passes help)",
		t2, arm{timestepsLabel(1), 0}, finalLoss, stats.Less, whyDirection))
	for _, t := range []int{4, 6, 8} {
		cs = append(cs, Claim{ID: fmt.Sprintf("timesteps/T%d", t), Section: "timesteps",
			Text: fmt.Sprintf("T=%d − T=2, final test loss (no more than a negligible improvement)", t),
			A:    arm{timestepsLabel(t), 0}, B: t2, Measure: finalLoss, Kind: stats.NonSuperiority, Dir: stats.Less,
			Margin: func(v config.Verdicts) float64 { return v.Negligible },
			Why:    "“No or negligible improvement” is non-superiority: T > 2 may be worse, but not better than T = 2 by more than verdicts.negligible of its loss."})
	}
	cs = append(cs,
		superior("comprehensive", "faster", "comprehensive − standard, test loss after epoch 1 (converges faster)",
			arm{lComprehensive, 0}, arm{lStandard, 0}, lossAtEpoch1, stats.Less, whyEarly),
		superior("comprehensive", "beats-partial", "comprehensive − partial, final test loss",
			arm{lComprehensive, 0}, fb, finalLoss, stats.Less, whyDirection),
		Claim{ID: "histogram/majority", Section: "histogram", Text: "fraction of gains at the maximum (“the overwhelming majority”)",
			A: fb, Measure: atMax, Kind: stats.Superiority, Dir: stats.Greater,
			Threshold: func(v config.Verdicts) float64 { return v.Majority },
			Why:       "One-sample test of the per-run fraction against verdicts.majority: “overwhelming” is read as more than nine in ten, not more than half."},
		superior("constant-gain", "single-early", "single constant gain − standard, test loss after epoch 1 (steeper early)",
			arm{lConstSingle, 0}, std, lossAtEpoch1, stats.Less, whyEarly),
		superior("constant-gain", "single-final", "single constant gain − standard, final test loss (worse final)",
			arm{lConstSingle, 0}, std, finalLoss, stats.Greater, whyDirection),
		superior("constant-gain", "multi-early", "multiple constant gains − comprehensive feedback, test loss after epoch 1 (fastest early)",
			arm{lConstMulti, 0}, arm{lComprehensive, 0}, lossAtEpoch1, stats.Less, whyEarly),
		Claim{ID: "constant-gain/multi-on-par", Section: "constant-gain", Text: "multiple constant gains − standard, final test loss (on par)",
			A: arm{lConstMulti, 0}, B: std, Measure: finalLoss, Kind: stats.Equivalence,
			Margin: func(v config.Verdicts) float64 { return v.OnPar },
			Why:    "“On par” is equivalence within ± verdicts.on_par of the standard model's loss, by two one-sided tests."},
		superior("noise", "rise", "feedback (last pass) − standard, rise of the test loss from σ = 0 to σ = 2",
			fb, std, noiseRise(2), stats.Less, "Robustness is how little the loss rises under noise, whatever the clean loss; the paper's figures show σ = 2."),
		superior("noise", "mean-rise", "feedback (last pass) − standard, mean rise over the noise levels σ > 0",
			fb, std, meanNoiseRise, stats.Less, "The whole sweep in one number per run."),
	)
	cs = append(cs, gridClaims(p)...)
	for _, g := range []struct{ id, label, text string }{
		{"gain-vs-both", lThreshold, "gain only − gain + threshold, final test loss (gain only best)"},
		{"gain-vs-threshold", lThresholdOnly, "gain only − threshold only, final test loss (gain only best)"},
	} {
		cs = append(cs, superior("threshold", g.id, g.text, fb, arm{g.label, 0}, finalLoss, stats.Less, whyDirection))
	}
	cs = append(cs,
		superior("threshold", "both-beat-standard", "gain + threshold − standard, final test loss", arm{lThreshold, 0}, std, finalLoss, stats.Less, whyDirection),
		superior("threshold", "only-beats-standard", "threshold only − standard, final test loss", arm{lThresholdOnly, 0}, std, finalLoss, stats.Less, whyDirection),
		Claim{ID: "contrast/grows", Section: "contrast", Text: "slope of the pass difference over the contrast factor (grows with c)",
			A: arm{lPartial, 0}, Measure: contrastSlope, Kind: stats.Superiority, Dir: stats.Greater,
			Threshold: func(config.Verdicts) float64 { return 0 },
			Why:       "A trend: one least-squares slope per run over every contrast factor, tested one-sample against 0."},
		superior("cifar-ae", "no-bn", "feedback − standard without BN, final test loss",
			arm{lCifarFB, 0}, arm{lCifarStd, 1}, finalLoss, stats.Less, whyDirection),
		Claim{ID: "cifar-ae/bn", Section: "cifar-ae", Text: "feedback + BN − standard + BN, final test loss (feedback cannot improve)",
			A: arm{lCifarFBBN, 0}, B: arm{lCifarStdBN, 1}, Measure: finalLoss, Kind: stats.NonSuperiority, Dir: stats.Less,
			Margin: func(v config.Verdicts) float64 { return v.CannotImprove },
			Why:    "“Cannot improve” is non-superiority: a worse feedback model supports it; an improvement larger than verdicts.cannot_improve contradicts it."},
		superior("cifar-noise", "small-noise", "feedback − standard, rise of the test loss from σ = 0 to σ = 0.5 (more sensitive to small noise)",
			arm{lCifarFB, 0}, arm{lCifarStd, 1}, noiseRise(0.5), stats.Greater, "Sensitivity is the rise of the loss under noise, whatever the clean loss."),
		superior("cifar-noise", "mean-rise", "feedback − standard, mean rise over the noise levels σ > 0",
			arm{lCifarFB, 0}, arm{lCifarStd, 1}, meanNoiseRise, stats.Greater, "The whole sweep in one number per run."),
		superior("cifar-cls", "accuracy", "feedback − no feedback, final test accuracy",
			arm{lCifarClsFB, 0}, arm{lCifarClsStd, 0}, finalAccuracy, stats.Greater, "“Marginally better”: any improvement counts (verdicts.improvement_margin)."),
	)
	return append(cs, deadUnitClaims()...)
}

// claimsOf returns the claims of one section.
func claimsOf(p Profile, section string) []Claim {
	var out []Claim
	for _, c := range claims(p) {
		if c.Section == section {
			out = append(out, c)
		}
	}
	return out
}

// claimByID returns a claim.
func claimByID(p Profile, id string) (Claim, error) {
	for _, c := range claims(p) {
		if c.ID == id {
			return c, nil
		}
	}
	return Claim{}, fmt.Errorf("experiment: no claim %q", id)
}
