package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// naive is the oracle: the definition of the product, accumulated in float64.
func naive(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) []float32 {
	out := append([]float32(nil), c...)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			out[i*ldc+j] = float32(float64(alpha)*s + float64(beta)*float64(c[i*ldc+j]))
		}
	}
	return out
}

func random(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

type gemmCase struct {
	m, n, k        int
	tA, tB         bool
	alpha, beta    float32
	padA, padB, pC int
}

var gemmCases = []gemmCase{
	{m: 1, n: 1, k: 1, alpha: 1},
	{m: 3, n: 5, k: 7, alpha: 1, beta: 0},
	{m: 3, n: 5, k: 7, tA: true, alpha: 0.5, beta: 2, padA: 3},
	{m: 17, n: 9, k: 33, tB: true, alpha: -1, beta: 1, padB: 2, pC: 5},
	{m: 128, n: 392, k: 784, tB: true, alpha: 1},           // dense forward, split by columns
	{m: 392, n: 784, k: 128, tA: true, alpha: 1, beta: 1},  // weight gradient, split by rows
	{m: 784, n: 128, k: 392, tA: true, tB: true, alpha: 1}, // both transposed
	{m: 4096, n: 16, k: 75, tB: true, alpha: 1, pC: 3},     // im2col convolution
	{m: 20, n: 30, k: 0, alpha: 1, beta: 0.5},              // empty inner dimension
}

func (tc gemmCase) run(t *testing.T, ctx *Context, r *rand.Rand) {
	ar, ac := tc.m, tc.k
	if tc.tA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.tB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := ac+tc.padA, bc+tc.padB, tc.n+tc.pC
	a := random(r, max(ar*lda, 1))
	b := random(r, max(br*ldb, 1))
	c := random(r, tc.m*ldc)
	want := naive(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	ctx.Mul(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	// float32 products of k terms in [-1, 1]: the error grows like √k·ε·(typical |sum|).
	tol := 1e-5 * math.Sqrt(float64(tc.k)+1) * 4
	for i := range tc.m {
		for j := range tc.n {
			g, w := c[i*ldc+j], want[i*ldc+j]
			if d := math.Abs(float64(g - w)); d > tol*(1+math.Abs(float64(w))) {
				t.Fatalf("C[%d,%d] = %v, want %v (|diff| %.3g > tol %.3g)", i, j, g, w, d, tol)
			}
		}
		// Padding columns of C must be untouched.
		for j := tc.n; j < ldc; j++ {
			if c[i*ldc+j] != want[i*ldc+j] {
				t.Fatalf("padding C[%d,%d] changed", i, j)
			}
		}
	}
}

func TestMulMatchesDefinition(t *testing.T) {
	for _, name := range Providers() {
		t.Run(name, func(t *testing.T) {
			ctx := withProvider(t, name)
			r := rand.New(rand.NewPCG(1, 2))
			for _, tc := range gemmCases {
				t.Run(fmt.Sprintf("%dx%dx%d_tA%v_tB%v", tc.m, tc.n, tc.k, tc.tA, tc.tB), func(t *testing.T) {
					tc.run(t, ctx, r)
				})
			}
		})
	}
}

// MulBias gives the bits of filling every row of C with the bias and then Mul with β = 1, for
// products split by rows, by columns and not at all; C's padding stays untouched.
func TestMulBias(t *testing.T) {
	for _, name := range Providers() {
		ctx := withProvider(t, name)
		r := rand.New(rand.NewPCG(3, 4))
		for _, tc := range gemmCases {
			ar, ac, br, bc := tc.m, tc.k, tc.k, tc.n
			if tc.tA {
				ar, ac = ac, ar
			}
			if tc.tB {
				br, bc = bc, br
			}
			lda, ldb, ldc := ac+tc.padA, bc+tc.padB, tc.n+tc.pC
			a, b, bias := random(r, max(ar*lda, 1)), random(r, max(br*ldb, 1)), random(r, tc.n)
			want, got := random(r, tc.m*ldc), make([]float32, tc.m*ldc)
			copy(got, want)
			for i := range tc.m {
				copy(want[i*ldc:i*ldc+tc.n], bias)
			}
			ctx.Mul(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, 1, want, ldc)
			ctx.MulBias(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, bias, got, ldc)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s %+v: C[%d] = %v, filled first %v", name, tc, i, got[i], want[i])
				}
			}
		}
	}
}

func withProvider(t *testing.T, name string) *Context {
	c, err := New(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The result must not depend on how many goroutines compute it.
func TestMulDeterministicAcrossGOMAXPROCS(t *testing.T) {
	for _, name := range Providers() {
		t.Run(name, func(t *testing.T) {
			ctx := withProvider(t, name)
			r := rand.New(rand.NewPCG(3, 4))
			m, n, k := 256, 392, 784
			a, b := random(r, m*k), random(r, n*k)
			var first []float32
			for _, procs := range []int{1, 2, 3, 8} {
				old := runtime.GOMAXPROCS(procs)
				c := make([]float32, m*n)
				ctx.Mul(false, true, m, n, k, 1, a, k, b, k, 0, c, n)
				runtime.GOMAXPROCS(old)
				if first == nil {
					first = c
					continue
				}
				for i := range c {
					if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
						t.Fatalf("GOMAXPROCS=%d: C[%d] = %v, GOMAXPROCS=1 gave %v", procs, i, c[i], first[i])
					}
				}
			}
		})
	}
}

func TestProvidersAgree(t *testing.T) {
	names := Providers()
	if len(names) < 2 {
		t.Skip("skipped: only one provider compiled in (built without cgo)")
	}
	r := rand.New(rand.NewPCG(5, 6))
	m, n, k := 64, 100, 300
	a, b := random(r, m*k), random(r, k*n)
	out := map[string][]float32{}
	for _, name := range names {
		ctx := withProvider(t, name)
		c := make([]float32, m*n)
		ctx.Mul(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		out[name] = c
	}
	x, y := out[names[0]], out[names[1]]
	for i := range x {
		if d := math.Abs(float64(x[i] - y[i])); d > 1e-4 {
			t.Fatalf("C[%d]: %s %v, %s %v", i, names[0], x[i], names[1], y[i])
		}
	}
}

func TestNewUnknown(t *testing.T) {
	if _, err := New("cublas"); err == nil {
		t.Fatal("New of an unknown provider succeeded")
	}
}

func TestMulPanicsOnShortSlices(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a too-short A")
		}
	}()
	Default().Mul(false, false, 4, 4, 4, 1, make([]float32, 15), 4, make([]float32, 16), 4, 0, make([]float32, 16), 4)
}

func BenchmarkMul(b *testing.B) {
	ctx := Default()
	for _, s := range []struct{ m, n, k int }{{128, 392, 784}, {128, 784, 392}, {392, 784, 128}, {8192, 64, 1600}} {
		b.Run(fmt.Sprintf("%s/%dx%dx%d", Default().Name(), s.m, s.n, s.k), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			a, bb, c := random(r, s.m*s.k), random(r, s.k*s.n), make([]float32, s.m*s.n)
			b.ResetTimer()
			for range b.N {
				ctx.Mul(false, false, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// The peak probe must measure a positive, finite rate.
func TestMeasurePeak(t *testing.T) {
	g := Default().MeasurePeak(256, 2)
	if !(g > 0.1) || math.IsInf(g, 0) {
		t.Fatalf("MeasurePeak(256) = %v GFLOP/s", g)
	}
}

// A counter counts 2·m·n·k per product, only on the contexts that hold it.
func TestCounter(t *testing.T) {
	var k Counter
	plain := Default()
	counted := plain.Counting(&k)
	a, b, c := make([]float32, 6), make([]float32, 12), make([]float32, 8)
	plain.Mul(false, false, 2, 4, 3, 1, a, 3, b, 4, 0, c, 4)
	counted.Mul(false, false, 2, 4, 3, 1, a, 3, b, 4, 0, c, 4)
	counted.Serial(false, false, 2, 4, 3, 1, a, 3, b, 4, 0, c, 4)
	if got := k.Take(); got != 2*2*2*4*3 {
		t.Errorf("counted %d FLOPs, want %d", got, 2*2*2*4*3)
	}
	if got := k.Take(); got != 0 {
		t.Errorf("Take did not reset: %d", got)
	}
}

// FGRELU_GEMM selects Default's provider; a name that is none is EnvError's error.
func TestDefaultFromEnv(t *testing.T) {
	t.Setenv("FGRELU_GEMM", "gonum")
	if got := Default().Name(); got != "gonum" || EnvError() != nil {
		t.Errorf("FGRELU_GEMM=gonum: Default is %s, EnvError %v", got, EnvError())
	}
	t.Setenv("FGRELU_GEMM", "cublas")
	if EnvError() == nil {
		t.Error("FGRELU_GEMM=cublas: no EnvError")
	}
	if got := Default().Name(); got != Providers()[0] {
		t.Errorf("FGRELU_GEMM=cublas: Default is %s, want the compiled-in %s", got, Providers()[0])
	}
}

// The convolution probe runs with a provider that has convolutions, and says 0 for im2col.
func TestMeasureConvPeak(t *testing.T) {
	if g := (&Context{Conv: Im2Col}).MeasureConvPeak(1); g != 0 {
		t.Errorf("im2col: MeasureConvPeak = %v, want 0", g)
	}
	if nativeConv == nil {
		t.Skip("skipped: no convolution provider compiled in")
	}
	if g := (&Context{Conv: nativeConv}).MeasureConvPeak(1); !(g > 0.1 && g < 1e5) {
		t.Errorf("%s: MeasureConvPeak = %v GFLOP/s", nativeConv.Name(), g)
	}
}
