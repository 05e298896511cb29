package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteAbove is the oracle: the sign-flip p-value of "shift > b0", computed
// by flipping every sign vector of d − b0 and comparing sums directly.
func bruteAbove(d []float64, b0 float64) float64 {
	n := len(d)
	obs := 0.0
	for _, v := range d {
		obs += v - b0
	}
	count := 0
	for mask := 0; mask < 1<<n; mask++ {
		s := 0.0
		for i, v := range d {
			if mask>>i&1 == 1 {
				s -= v - b0
			} else {
				s += v - b0
			}
		}
		if s >= obs-1e-12 {
			count++
		}
	}
	return float64(count) / float64(int(1)<<n)
}

// bruteTwoAbove is the oracle of the two-sample test: every split of the
// pooled a − b0, b into two groups of the original sizes.
func bruteTwoAbove(a, b []float64, b0 float64) float64 {
	pool := []float64{}
	for _, v := range a {
		pool = append(pool, v-b0)
	}
	pool = append(pool, b...)
	na, n := len(a), len(a)+len(b)
	stat := func(mask int) float64 {
		sa, sb := 0.0, 0.0
		for i, v := range pool {
			if mask>>i&1 == 1 {
				sa += v
			} else {
				sb += v
			}
		}
		return sa/float64(na) - sb/float64(n-na)
	}
	obs := stat(1<<na - 1)
	count, total := 0, 0
	for mask := 0; mask < 1<<n; mask++ {
		if popcount(mask) != na {
			continue
		}
		total++
		if stat(mask) >= obs-1e-12 {
			count++
		}
	}
	return float64(count) / float64(total)
}

func popcount(m int) int {
	c := 0
	for ; m != 0; m &= m - 1 {
		c++
	}
	return c
}

func TestPermutationAgreesWithBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := range 30 {
		n := 2 + trial%6
		d := make([]float64, n)
		for i := range d {
			d[i] = math.Round(10*rng.NormFloat64()) / 4 // ties on purpose
		}
		sh := signFlips(d)
		for _, b0 := range []float64{-2, -0.25, 0, 0.5, 1.75} {
			if got, want := sh.pAbove(b0), bruteAbove(d, b0); math.Abs(got-want) > 1e-12 {
				t.Fatalf("sign flips %v, b0 %v: pAbove %v, brute force %v", d, b0, got, want)
			}
			neg := make([]float64, n)
			for i, v := range d {
				neg[i] = -v
			}
			if got, want := sh.pBelow(b0), bruteAbove(neg, -b0); math.Abs(got-want) > 1e-12 {
				t.Fatalf("sign flips %v, b0 %v: pBelow %v, brute force %v", d, b0, got, want)
			}
		}
		a, b := d[:n/2+1], d[n/2:]
		b = append([]float64{1.5}, b...)
		tw := twoSample(a, b)
		for _, b0 := range []float64{-1, 0, 0.75} {
			if got, want := tw.pAbove(b0), bruteTwoAbove(a, b, b0); math.Abs(got-want) > 1e-12 {
				t.Fatalf("two samples %v %v, b0 %v: pAbove %v, brute force %v", a, b, b0, got, want)
			}
		}
	}
}

func TestPermutationBounds(t *testing.T) {
	// Five positive differences: 32 sign vectors; at alpha 0.05 one may lie
	// beyond each bound (1 + 0 < 1.6), so the bounds are the smallest and
	// largest subset means: the smallest and largest value.
	sh := signFlips([]float64{1, 2, 3, 4, 5})
	lo, hi := sh.bounds(0.05)
	if lo != 1 || hi != 5 {
		t.Errorf("bounds [%v, %v], want [1, 5]", lo, hi)
	}
	if p := sh.pAbove(0); p != 1.0/32 {
		t.Errorf("p %v, want 1/32", p)
	}
	// Three pairs: the smallest p-value is 1/8, no bound at 0.05.
	lo, hi = signFlips([]float64{1, 2, 3}).bounds(0.05)
	if !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
		t.Errorf("three pairs: bounds [%v, %v], want infinite", lo, hi)
	}
}

func TestDecideVerdicts(t *testing.T) {
	better := []float64{0.100, 0.101, 0.099, 0.102, 0.100, 0.098}
	worse := []float64{0.110, 0.112, 0.109, 0.111, 0.113, 0.110}
	same := []float64{0.1001, 0.1009, 0.0991, 0.1019, 0.1002, 0.0981}
	for _, c := range []struct {
		name   string
		a, b   []float64
		design Design
		h      Hypothesis
		want   string
	}{
		{"better lowers", better, worse, Paired, Hypothesis{Kind: Superiority, Direction: Less}, Supported},
		{"swapped", worse, better, Paired, Hypothesis{Kind: Superiority, Direction: Less}, Contradicted},
		{"unpaired", better, worse, Unpaired, Hypothesis{Kind: Superiority, Direction: Less}, Supported},
		{"unpaired swapped", worse, better, Unpaired, Hypothesis{Kind: Superiority, Direction: Less}, Contradicted},
		{"greater", worse, better, Paired, Hypothesis{Kind: Superiority, Direction: Greater}, Supported},
		{"tiny gain below margin", same, better, Paired, Hypothesis{Kind: Superiority, Direction: Less, Margin: 0.005}, Contradicted},
		{"no gain", better, same, Paired, Hypothesis{Kind: Superiority, Direction: Less}, Inconclusive},
		{"not better, worse", worse, better, Paired, Hypothesis{Kind: NonSuperiority, Direction: Less, Margin: 0.001}, Supported},
		{"not better, better", better, worse, Paired, Hypothesis{Kind: NonSuperiority, Direction: Less, Margin: 0.001}, Contradicted},
		{"on par", same, better, Paired, Hypothesis{Kind: Equivalence, Margin: 0.005}, Supported},
		{"not on par", worse, better, Paired, Hypothesis{Kind: Equivalence, Margin: 0.005}, Contradicted},
		{"too few", better[:3], worse[:3], Paired, Hypothesis{Kind: Superiority, Direction: Less}, Inconclusive},
	} {
		got, err := Decide(c.a, c.b, c.design, c.h)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.Verdict != c.want {
			t.Errorf("%s: %s, want %s (%+v)", c.name, got.Verdict, c.want, got)
		}
	}
	// Three pairs can never decide: the design's detectable effect is infinite.
	tt, _ := Decide(better[:3], worse[:3], Paired, Hypothesis{Kind: Superiority, Direction: Less})
	if !math.IsInf(tt.MDE, 1) || tt.Needed < 5 {
		t.Errorf("three pairs: MDE %v, needed %d", tt.MDE, tt.Needed)
	}
	if _, err := Decide([]float64{1, math.NaN()}, []float64{1, 2}, Paired, Hypothesis{Direction: Less}); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := Decide(better, worse, Paired, Hypothesis{Kind: Equivalence}); err == nil {
		t.Error("equivalence without a margin accepted")
	}
}

func TestDecideOneSample(t *testing.T) {
	high := []float64{0.95, 0.97, 0.96, 0.99, 0.94}
	low := []float64{0.6, 0.7, 0.65, 0.5, 0.55}
	h := Hypothesis{Kind: Superiority, Direction: Greater}
	for _, c := range []struct {
		x    []float64
		want string
	}{{high, Supported}, {low, Contradicted}, {[]float64{0.95, 0.85, 0.92, 0.88, 0.91}, Inconclusive}} {
		got, err := DecideOneSample(c.x, 0.9, h)
		if err != nil || got.Verdict != c.want {
			t.Errorf("%v against 0.9: %s, want %s (%v)", c.x, got.Verdict, c.want, err)
		}
		if math.Abs(got.Effect) > 100 {
			t.Errorf("one-sample effect size %v", got.Effect)
		}
	}
}

func TestHolm(t *testing.T) {
	got := Holm([]float64{0.01, 0.04, 0.03, math.NaN()})
	want := []float64{0.03, 0.06, 0.06}
	for i, w := range want {
		check(t, "Holm", got[i], w, 1e-12)
	}
	if !math.IsNaN(got[3]) {
		t.Errorf("NaN adjusted to %v", got[3])
	}
	a := []float64{1, 2, 3, 4, 5, 6}
	b := []float64{2.1, 3.2, 4.05, 5.3, 6.2, 7.1}
	t1, _ := Decide(a, b, Paired, Hypothesis{Kind: Superiority, Direction: Less})
	ts := []Test{t1, t1, t1, t1, t1}
	AdjustHolm(ts)
	if t1.Verdict != Supported || ts[0].Verdict != Inconclusive || ts[0].PAdj != 5*t1.P {
		t.Errorf("raw %s p %v; adjusted %s p %v", t1.Verdict, t1.P, ts[0].Verdict, ts[0].PAdj)
	}
}
