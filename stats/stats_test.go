package stats

import (
	"math"
	"testing"
)

// The expected values below come from testdata/oracle.py, an independent
// standard-library Python implementation (exact rational means and variances,
// Student-t CDF by Gauss–Legendre integration of the density, quantiles by
// bisection), and agree with published tables and examples where noted.

// close reports whether got is within tol of want, relative to max(1, |want|).
func close(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func check(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if !close(got, want, tol) {
		t.Errorf("%s = %.15g, want %.15g (tol %g)", name, got, want, tol)
	}
}

func TestTQuantile(t *testing.T) {
	// Oracle values; the integer-df ones match the classic t tables to the
	// digits printed there (12.706, 4.303, 2.365, 2.262, 2.228, 2.042).
	for _, c := range []struct{ p, df, want float64 }{
		{0.975, 1, 12.706204736175227},
		{0.975, 2, 4.302652729749392},
		{0.975, 7, 2.3646242515928027},
		{0.975, 9, 2.2621571627982373},
		{0.975, 10, 2.2281388519862677},
		{0.975, 30, 2.042272456301287},
		{0.95, 25, 1.7081407612519124},
		{0.995, 4.5, 4.272823993011377}, // fractional df, as Welch produces
	} {
		check(t, "tQuantile", tQuantile(c.p, c.df), c.want, 1e-9)
		check(t, "tQuantile lower tail", tQuantile(1-c.p, c.df), -c.want, 1e-9)
	}
	if q := tQuantile(0.975, math.Inf(1)); !close(q, 1.959963984540054, 1e-12) {
		t.Errorf("normal limit: %v", q)
	}
	if !math.IsNaN(tQuantile(0.975, 0)) || !math.IsNaN(tQuantile(0.975, math.NaN())) {
		t.Error("tQuantile with df ≤ 0 or NaN should be NaN")
	}
}

func TestMeanStdDev(t *testing.T) {
	xs := []float64{2, 4, 4, 4, 5, 5, 7, 9} // population SD 2, sample SD √(32/7)
	check(t, "Mean", Mean(xs), 5, 1e-15)
	check(t, "Variance", Variance(xs), 32.0/7, 1e-15)
	check(t, "StdDev", StdDev(xs), math.Sqrt(32.0/7), 1e-15)
	if !math.IsNaN(Mean(nil)) || !math.IsNaN(StdDev([]float64{1})) || !math.IsNaN(Variance(nil)) {
		t.Error("empty / single-value samples should give NaN")
	}
}

func TestSummarize(t *testing.T) {
	xs := []float64{2, 4, 4, 4, 5, 5, 7, 9}
	s := Summarize(xs, 0.95)
	if s.N != 8 || s.Level != 0.95 {
		t.Errorf("N, Level = %d, %v", s.N, s.Level)
	}
	check(t, "Mean", s.Mean, 5, 1e-15)
	check(t, "SD", s.SD, 2.138089935299395, 1e-14)
	check(t, "CILow", s.CILow, 3.212512081763776, 1e-10)
	check(t, "CIHigh", s.CIHigh, 6.7874879182362235, 1e-10)

	s = Summarize(xs, 0.90)
	check(t, "CILow 90%", s.CILow, 3.567833191905197, 1e-10)
	check(t, "CIHigh 90%", s.CIHigh, 6.432166808094803, 1e-10)

	if d := Summarize(xs, 0); d.Level != DefaultLevel || d.CILow != Summarize(xs, 0.95).CILow {
		t.Errorf("level 0 should mean %v, got %+v", DefaultLevel, d)
	}
	if Summarize(xs, 0).String() == "" {
		t.Error("empty String")
	}
}

func TestSummarizeDegenerate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name                string
		xs                  []float64
		mean, sd, low, high float64
	}{
		{"empty", nil, nan, nan, nan, nan},
		{"one value", []float64{3}, 3, nan, -inf, inf},
		{"one NaN", []float64{nan}, nan, nan, nan, nan},
		{"constant", []float64{2, 2, 2}, 2, 0, 2, 2},
		{"with NaN", []float64{1, nan, 3}, nan, nan, nan, nan},
	} {
		s := Summarize(c.xs, 0)
		if s.N != len(c.xs) || !close(s.Mean, c.mean, 0) || !close(s.SD, c.sd, 0) ||
			!close(s.CILow, c.low, 0) || !close(s.CIHigh, c.high, 0) {
			t.Errorf("%s: got %+v", c.name, s)
		}
	}
}

func TestBadLevelPanics(t *testing.T) {
	for _, level := range []float64{-0.1, 1, 1.5, math.NaN()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Summarize with level %v did not panic", level)
				}
			}()
			Summarize([]float64{1, 2}, level)
		}()
	}
}

// Wikipedia, "Welch's t-test", examples 1–3. Published (rounded): example 1
// t = −2.46, ν = 25.0, p = 0.021; example 2 t = −1.57, ν = 9.9, p = 0.149.
var welchExamples = []struct {
	a, b                []float64
	t, df, p            float64
	diff, low95, high95 float64
	low90, high90       float64
	d, g                float64
	tost1, tost4        float64 // TOST p-values with margins 1 and 4
}{
	{
		a: []float64{27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4},
		b: []float64{27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4},
		t: -2.455356398286005, df: 24.988529290231416, p: 0.021378001462868945,
		diff: -2.1666666666666665, low95: -3.98409626714096, high95: -0.34923706619237294,
		low90: -3.673998549750312, high90: -0.659334783583021,
		d: -0.8965693907039226, g: -0.8723011535920728,
		tost1: 0.9009474098385413, tost4: 0.0240871715817238,
	},
	{
		a: []float64{17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8},
		b: []float64{21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8},
		t: -1.565433523598505, df: 9.90474124865083, p: 0.1488416966053293,
		diff: -1.525, low95: -3.698421325375194, high95: 0.6484213253751943,
		low90: -3.2923718146812417, high90: 0.2423718146812417,
		d: -0.8133457272674176, g: -0.791330178702082,
		tost1: 0.699077973531084, tost4: 0.014766517992448769,
	},
	{
		a: []float64{19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0},
		b: []float64{28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7, 23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3},
		t: -2.2255120399698534, df: 24.524634944257347, p: 0.03548453083001146,
		diff: -2.22, low95: -4.276458650120538, high95: -0.16354134987946267,
		low90: -3.9251811481106618, high90: -0.5148188518893384,
		d: -0.6407644074250292, g: -0.623420270168664,
		tost1: 0.8835292808822346, tost4: 0.043366769488969226,
	},
}

func TestWelch(t *testing.T) {
	for i, e := range welchExamples {
		tt, df, p := Welch(e.a, e.b)
		check(t, "t", tt, e.t, 1e-12)
		check(t, "df", df, e.df, 1e-12)
		check(t, "p", p, e.p, 1e-9)
		// Swapping the samples flips t and keeps df and p.
		tt2, df2, p2 := Welch(e.b, e.a)
		if !close(tt2, -tt, 1e-15) || !close(df2, df, 1e-15) || !close(p2, p, 1e-15) {
			t.Errorf("example %d: swapped samples give t=%v df=%v p=%v", i+1, tt2, df2, p2)
		}
		diff, lo, hi := MeanDiffCI(e.a, e.b, 0.95)
		check(t, "diff", diff, e.diff, 1e-12)
		check(t, "low95", lo, e.low95, 1e-9)
		check(t, "high95", hi, e.high95, 1e-9)
		_, lo, hi = MeanDiffCI(e.a, e.b, 0.90)
		check(t, "low90", lo, e.low90, 1e-9)
		check(t, "high90", hi, e.high90, 1e-9)
		check(t, "CohensD", CohensD(e.a, e.b), e.d, 1e-12)
		check(t, "HedgesG", HedgesG(e.a, e.b), e.g, 1e-12)
	}
}

func TestWelchDegenerate(t *testing.T) {
	nan := math.NaN()
	if tt, df, p := Welch([]float64{1}, []float64{1, 2}); !math.IsNaN(tt) || !math.IsNaN(df) || !math.IsNaN(p) {
		t.Errorf("n=1: %v %v %v", tt, df, p)
	}
	if tt, _, p := Welch([]float64{1, 1}, []float64{2, 2}); !math.IsInf(tt, -1) || p != 0 {
		t.Errorf("constant, different: t=%v p=%v", tt, p)
	}
	if tt, _, p := Welch([]float64{1, 1}, []float64{1, 1}); tt != 0 || p != 1 {
		t.Errorf("constant, equal: t=%v p=%v", tt, p)
	}
	if tt, _, p := Welch([]float64{1, nan}, []float64{1, 2}); !math.IsNaN(tt) || !math.IsNaN(p) {
		t.Errorf("NaN value: t=%v p=%v", tt, p)
	}
	if d, lo, hi := MeanDiffCI([]float64{3}, []float64{1, 2}, 0); d != 1.5 || !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
		t.Errorf("MeanDiffCI n=1: %v [%v, %v]", d, lo, hi)
	}
	if d, lo, hi := MeanDiffCI([]float64{3, 3}, []float64{1, 1}, 0); d != 2 || lo != 2 || hi != 2 {
		t.Errorf("MeanDiffCI constant: %v [%v, %v]", d, lo, hi)
	}
	if d, lo, _ := MeanDiffCI(nil, []float64{1, 2}, 0); !math.IsNaN(d) || !math.IsNaN(lo) {
		t.Errorf("MeanDiffCI empty: %v %v", d, lo)
	}
	if !math.IsNaN(CohensD([]float64{1}, []float64{1, 2})) || !math.IsNaN(HedgesG(nil, nil)) {
		t.Error("effect sizes of tiny samples should be NaN")
	}
}

func TestHedgesApproximation(t *testing.T) {
	// The exact J(m) is close to the classic 1 − 3/(4m − 1) (Hedges 1981, eq. 6f).
	a := []float64{1, 2, 3, 4, 5, 6}
	b := []float64{2, 4, 5, 7, 8, 9, 11}
	m := float64(len(a) + len(b) - 2)
	want := CohensD(a, b) * (1 - 3/(4*m-1))
	check(t, "HedgesG vs approximation", HedgesG(a, b), want, 1e-3)
}

// Detectable is (t₀.₉₅,ν + t₀.₈,ν)·sd·√(scale/n); Needed inverts it; too few repeats for the
// exact test detect nothing.
func TestDetectableAndNeeded(t *testing.T) {
	// t quantiles for ν = 9: 1.8331129 (0.95) and 0.8834039 (0.8), by Simpson integration of the
	// density (any t table agrees to its digits).
	want := (1.8331129 + 0.8834039) / math.Sqrt(10)
	if got := Detectable(1, 10, 0.05, true); math.Abs(got-want) > 1e-6 {
		t.Errorf("Detectable(1, 10, paired) = %v, want %v", got, want)
	}
	if got := Needed(1, want+1e-9, 0.05, true); got != 10 {
		t.Errorf("Needed(1, %v) = %d, want 10", want, got)
	}
	if got := Detectable(1, 4, 0.05, true); !math.IsInf(got, 1) {
		t.Errorf("4 pairs (smallest p 1/16) detect %v, want +Inf", got)
	}
	if p, u := Detectable(1, 10, 0.05, true), Detectable(1, 10, 0.05, false); !(u > p) {
		t.Errorf("two samples of 10 detect %v, no more than 10 pairs (%v)", u, p)
	}
}
