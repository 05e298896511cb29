package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice(r *rand.Rand, n int, lo, hi float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = lo + (hi-lo)*r.Float32()
	}
	return s
}

func TestExpLogAgainstMath(t *testing.T) {
	for x := float32(-87); x < 88; x += 0.173 {
		want := math.Exp(float64(x))
		if got := float64(Expf(x)); math.Abs(got-want) > 2.5e-7*want {
			t.Fatalf("Expf(%v) = %v, want %v", x, got, want)
		}
	}
	for _, x := range []float32{1.2e-38, 1e-5, 0.1, 0.5, 0.70710677, 0.7071068, 1, 1.5, 2, 10, 1e10, 3e38} {
		want := math.Log(float64(x))
		if got := float64(Logf(x)); math.Abs(got-want) > 2.5e-7*max(1, math.Abs(want)) {
			t.Fatalf("Logf(%v) = %v, want %v", x, got, want)
		}
	}
}

// The compiled kernels and the Go versions must agree bit for bit.
func TestKernelsMatchGo(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 1000 + 37
	z := randSlice(r, n, -30, 30)
	z[0], z[1] = 0, -100
	y1, y2 := make([]float32, n), make([]float32, n)
	Sigmoid(z, y1)
	sigmoidGo(z, y2)
	for i := range y1 {
		if math.Float32bits(y1[i]) != math.Float32bits(y2[i]) {
			t.Fatalf("sigmoid(%v): %v vs Go %v", z[i], y1[i], y2[i])
		}
		want := 1 / (1 + math.Exp(-float64(z[i])))
		if math.Abs(float64(y1[i])-want) > 3e-7*want+1e-37 {
			t.Fatalf("sigmoid(%v) = %v, want %v", z[i], y1[i], want)
		}
	}
	tg := randSlice(r, n, 0, 1)
	d1, d2 := make([]float32, n), make([]float32, n)
	l1 := BCELogits(z, y1, tg, 0.5, d1)
	l2 := bceLogitsGo(z, y1, tg, 0.5, d2)
	if l1 != l2 {
		t.Fatalf("BCE sum %v vs Go %v", l1, l2)
	}
	var want float64
	for i := range z {
		zi, ti := float64(z[i]), float64(tg[i])
		want += ti*math.Log1p(math.Exp(-zi)) + (1-ti)*math.Log1p(math.Exp(zi))
		if math.Float32bits(d1[i]) != math.Float32bits(d2[i]) {
			t.Fatalf("BCE gradient %d differs", i)
		}
	}
	if math.Abs(l1-want) > 1e-5*want {
		t.Fatalf("BCE sum %v, want %v", l1, want)
	}
	if BCELogits(z, y1, tg, 1, nil) != l1 {
		t.Fatal("BCE sum depends on whether the gradient is wanted")
	}
	w1, g, m1, v1 := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1), randSlice(r, n, -0.1, 0.1), randSlice(r, n, 0, 0.01)
	w2, m2, v2 := append([]float32(nil), w1...), append([]float32(nil), m1...), append([]float32(nil), v1...)
	c := AdamConsts{B1: 0.9, B2: 0.999, C1: 0.1, C2: 0.001, Step: 1e-3, Sq: 0.3, Eps: 1e-8}
	Adam(w1, g, m1, v1, c)
	adamGo(w2, g, m2, v2, c)
	for i := range w1 {
		if w1[i] != w2[i] || m1[i] != m2[i] || v1[i] != v2[i] {
			t.Fatalf("Adam element %d differs: %v %v", i, w1[i], w2[i])
		}
	}
}

// The compiled kernels' scalar and AVX2 versions (what a CPU without AVX2, or without
// AVX-512, runs) agree with the Go versions too: every comparison again, with the faster
// versions switched off.
func TestNarrowerKernelsMatchGo(t *testing.T) {
	for _, isa := range []struct {
		name string
		cap  int
	}{{"scalar", isaScalar}, {"AVX2", isaAVX2}} {
		old := setISACap(isa.cap)
		for name, test := range map[string]func(*testing.T){
			"sigmoid, BCE, Adam": TestKernelsMatchGo, "patches": TestPatchesMatchGo, "max pooling": TestMaxPoolMatchesGo,
			"gate": TestGateMatchesGo, "rectifier": TestReLUMatchesGo, "batch norm": TestBatchNormMatchesGo,
		} {
			t.Run(isa.name+"/"+name, test)
		}
		setISACap(old)
	}
}
