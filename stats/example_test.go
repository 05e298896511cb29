package stats_test

import (
	"fmt"

	"github.com/fgrelu/fgrelu/stats"
)

func ExampleSummarize() {
	// Final test losses of five repeats.
	losses := []float64{0.101, 0.098, 0.104, 0.099, 0.103}
	s := stats.Summarize(losses, 0.95)
	fmt.Printf("n=%d mean=%.4f sd=%.4f 95%% CI [%.4f, %.4f]\n", s.N, s.Mean, s.SD, s.CILow, s.CIHigh)
	// Output:
	// n=5 mean=0.1010 sd=0.0025 95% CI [0.0978, 0.1042]
}

func ExampleCompare() {
	// Claim: feedback ends with a lower loss than no feedback.
	feedback := []float64{0.092, 0.095, 0.093, 0.096, 0.094}
	none := []float64{0.101, 0.098, 0.104, 0.099, 0.103}
	c := stats.Compare(feedback, none, 0.05, stats.Less)
	fmt.Printf("diff %.4f [%.4f, %.4f], p=%.4f, d=%.1f: %s\n", c.Diff, c.CILow, c.CIHigh, c.P, c.D, c.Verdict)

	// Claim: a third model ends at the same loss as no feedback ("ends ≈
	// standard"), taken to mean within ±5 % of the standard's mean loss.
	other := []float64{0.100, 0.102, 0.099, 0.101, 0.103}
	e := stats.Equivalent(other, none, 0.05*stats.Mean(none), 0.05)
	fmt.Printf("diff %.4f, 90%% CI [%.4f, %.4f] within ±%.4f: %s\n", e.Diff, e.CILow, e.CIHigh, e.Margin, e.Verdict)
	// Output:
	// diff -0.0070 [-0.0102, -0.0038], p=0.0014, d=-3.3: supported
	// diff 0.0000, 90% CI [-0.0026, 0.0026] within ±0.0051: supported
}

func ExampleDecide() {
	// Final test losses of six repeats; repeat r of both models used seed r+1,
	// so the runs are paired.
	feedback := []float64{0.1093, 0.1096, 0.1180, 0.1094, 0.1095, 0.1097}
	standard := []float64{0.1101, 0.1104, 0.1185, 0.1099, 0.1106, 0.1102}
	t, err := stats.Decide(feedback, standard, stats.Paired,
		stats.Hypothesis{Kind: stats.Superiority, Direction: stats.Less})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %s, median %.5f, p = %.4f\n", t.Method(), t.Verdict, t.MedianDiff, t.P)

	// "No more than a negligible improvement" (within 1 % of the reference) is
	// non-superiority: here the first model is better by more than that.
	t, _ = stats.Decide(feedback, standard, stats.Paired,
		stats.Hypothesis{Kind: stats.NonSuperiority, Direction: stats.Less, Margin: 0.0001})
	fmt.Printf("%s: %s\n", t.Claim(), t.Verdict)
	// Output:
	// paired sign-flip permutation (exact), 6 pairs: supported, median -0.00065, p = 0.0156
	// δ > −0.0001 (not lower by more than 0.0001): contradicted
}
