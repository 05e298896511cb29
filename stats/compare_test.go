package stats

import (
	"math"
	"testing"
)

func TestCompare(t *testing.T) {
	e1, e2 := welchExamples[0], welchExamples[1]
	for _, c := range []struct {
		name string
		a, b []float64
		dir  Direction
		want string
	}{
		// Example 1: 95 % CI of a − b is [−3.98, −0.35], excludes 0 below.
		{"ex1 a<b", e1.a, e1.b, Less, Supported},
		{"ex1 a>b", e1.a, e1.b, Greater, Contradicted},
		{"ex1 a≠b", e1.a, e1.b, Differ, Supported},
		{"ex1 b>a", e1.b, e1.a, Greater, Supported},
		{"ex1 b<a", e1.b, e1.a, Less, Contradicted},
		// Example 2: [−3.70, 0.65] contains 0.
		{"ex2 a<b", e2.a, e2.b, Less, Inconclusive},
		{"ex2 a>b", e2.a, e2.b, Greater, Inconclusive},
		{"ex2 a≠b", e2.a, e2.b, Differ, Inconclusive},
		// Degenerate samples are never decided.
		{"n=1", []float64{1}, []float64{5, 6}, Less, Inconclusive},
		{"empty", nil, []float64{5, 6}, Less, Inconclusive},
		{"NaN", []float64{1, math.NaN()}, []float64{5, 6}, Less, Inconclusive},
		// Constant samples: the difference is exact.
		{"constant", []float64{1, 1}, []float64{2, 2}, Less, Supported},
		{"constant equal", []float64{1, 1}, []float64{1, 1}, Differ, Inconclusive},
	} {
		got := Compare(c.a, c.b, 0.05, c.dir)
		if got.Verdict != c.want {
			t.Errorf("%s: verdict %q, want %q (%v)", c.name, got.Verdict, c.want, got)
		}
	}

	c := Compare(e1.a, e1.b, 0, Less)
	check(t, "Diff", c.Diff, e1.diff, 1e-12)
	check(t, "CILow", c.CILow, e1.low95, 1e-9)
	check(t, "CIHigh", c.CIHigh, e1.high95, 1e-9)
	check(t, "P", c.P, e1.p, 1e-9)
	check(t, "D", c.D, e1.d, 1e-12)
	check(t, "G", c.G, e1.g, 1e-12)
	check(t, "MeanA-MeanB", c.MeanA-c.MeanB, e1.diff, 1e-12)
	if c.NA != 15 || c.NB != 15 || c.Level != 0.95 || c.Margin != 0 {
		t.Errorf("NA, NB, Level, Margin = %d, %d, %v, %v", c.NA, c.NB, c.Level, c.Margin)
	}
	// At alpha = 0.01 the 99 % CI of example 1 contains 0 (p = 0.021).
	if v := Compare(e1.a, e1.b, 0.01, Less).Verdict; v != Inconclusive {
		t.Errorf("alpha 0.01: %q, want inconclusive", v)
	}
}

// The CI decision and the p-value decision agree (CI excludes 0 ⟺ p < alpha).
func TestCompareAgreesWithP(t *testing.T) {
	for _, e := range welchExamples {
		for _, alpha := range []float64{0.01, 0.02, 0.03, 0.04, 0.05, 0.1, 0.2} {
			c := Compare(e.a, e.b, alpha, Differ)
			if (c.Verdict == Supported) != (c.P < alpha) {
				t.Errorf("alpha %v: verdict %q but p = %v", alpha, c.Verdict, c.P)
			}
		}
	}
}

func TestEquivalent(t *testing.T) {
	e1 := welchExamples[0]
	for _, c := range []struct {
		name   string
		margin float64
		want   string
	}{
		{"wide margin", 4, Supported},        // 90 % CI [−3.67, −0.66] inside ±4
		{"straddles", 1, Inconclusive},       // CI crosses −1
		{"narrow margin", 0.3, Contradicted}, // CI entirely below −0.3
	} {
		got := Equivalent(e1.a, e1.b, c.margin, 0.05)
		if got.Verdict != c.want {
			t.Errorf("%s: %q, want %q (%v)", c.name, got.Verdict, c.want, got)
		}
		if got.Level != 0.90 || got.Margin != c.margin {
			t.Errorf("%s: Level %v Margin %v", c.name, got.Level, got.Margin)
		}
		check(t, c.name+" CILow", got.CILow, e1.low90, 1e-9)
		check(t, c.name+" CIHigh", got.CIHigh, e1.high90, 1e-9)
	}
	for i, e := range welchExamples {
		check(t, "TOST p margin 1", Equivalent(e.a, e.b, 1, 0).P, e.tost1, 1e-9)
		check(t, "TOST p margin 4", Equivalent(e.a, e.b, 4, 0).P, e.tost4, 1e-9)
		// TOST decision agrees with the CI decision.
		for _, m := range []float64{1, 2, 3, 4, 5} {
			c := Equivalent(e.a, e.b, m, 0.05)
			if (c.Verdict == Supported) != (c.P < 0.05) {
				t.Errorf("example %d margin %v: verdict %q, p %v", i+1, m, c.Verdict, c.P)
			}
		}
	}
	if v := Equivalent([]float64{1}, []float64{1, 1}, 1, 0).Verdict; v != Inconclusive {
		t.Errorf("n=1: %q", v)
	}
	if c := Equivalent([]float64{1, 1}, []float64{1.5, 1.5}, 1, 0); c.Verdict != Supported || c.P != 0 {
		t.Errorf("constant within margin: %v", c)
	}
}

func TestComparePanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	a, b := []float64{1, 2}, []float64{3, 4}
	mustPanic("alpha 1", func() { Compare(a, b, 1, Less) })
	mustPanic("direction 2", func() { Compare(a, b, 0.05, 2) })
	mustPanic("margin 0", func() { Equivalent(a, b, 0, 0.05) })
	mustPanic("margin NaN", func() { Equivalent(a, b, math.NaN(), 0.05) })
	mustPanic("alpha 0.5", func() { Equivalent(a, b, 1, 0.5) })
}
