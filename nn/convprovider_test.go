package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/fgrelu/fgrelu/gemm"
	"github.com/fgrelu/fgrelu/tensor"
)

// convCase is one convolution layer and an input for it: the project's networks' layers at a
// small batch, and odd shapes (no padding, a stride of 3, more images than groups).
type convCase struct {
	name                       string
	transposed                 bool
	in, out, k, s, p, op, h, w int
	n                          int
	im2colOnly                 bool // oneDNN refuses it on every machine: the layer falls back to im2col
}

var convCases = []convCase{
	{"cifar-cls C1", false, 3, 64, 5, 1, 2, 0, 32, 32, 4, false},
	{"cifar-cls C2", false, 64, 64, 5, 1, 2, 0, 16, 16, 4, false},
	{"cifar-ae E1", false, 3, 16, 5, 2, 2, 0, 32, 32, 3, false},
	{"cifar-ae E2", false, 16, 16, 5, 2, 2, 0, 16, 16, 3, false},
	{"cifar-ae D1", true, 16, 16, 5, 2, 2, 1, 8, 8, 3, false},
	{"cifar-ae D2", true, 16, 3, 5, 2, 2, 1, 16, 16, 3, false},
	{"odd conv", false, 2, 3, 3, 2, 0, 0, 7, 8, 11, false}, // a column no window reaches
	{"odd convT", true, 3, 2, 4, 3, 0, 2, 3, 3, 2, false},
	{"stride 3, pad 4", false, 4, 4, 3, 3, 4, 0, 2, 14, 1, false}, // gemm-based in oneDNN: declined
	{"batch of one", false, 4, 3, 3, 1, 1, 0, 5, 7, 1, false},
	// A 1×1 kernel with a row and column no window reaches: oneDNN's weight gradient was wrong
	// there, so it refuses it and the layer falls back to im2col.
	{"1×1 stride 2, even image", false, 3, 4, 1, 2, 0, 0, 6, 6, 2, true},
}

// geom is the case's convolution as the provider sees it (a transposed one run backwards).
func (tc convCase) geom() gemm.ConvGeom {
	if tc.transposed {
		h := (tc.h-1)*tc.s - 2*tc.p + tc.k + tc.op
		w := (tc.w-1)*tc.s - 2*tc.p + tc.k + tc.op
		return gemm.ConvGeom{N: tc.n, H: h, W: w, C: tc.out, OH: tc.h, OW: tc.w, O: tc.in, K: tc.k, Stride: tc.s, Pad: tc.p}
	}
	oh, ow := (tc.h+2*tc.p-tc.k)/tc.s+1, (tc.w+2*tc.p-tc.k)/tc.s+1
	return gemm.ConvGeom{N: tc.n, H: tc.h, W: tc.w, C: tc.in, OH: oh, OW: ow, O: tc.out, K: tc.k, Stride: tc.s, Pad: tc.p, Bias: true}
}

// layer builds the case's layer with PyTorch-default random weights and a random bias.
func (tc convCase) layer(r *rand.Rand) Layer {
	if tc.transposed {
		c := NewConvTranspose2D("ct", tc.in, tc.out, tc.k, tc.s, tc.p, tc.op, true)
		InitWeights(Torch, c.Weight, c.Bias, r)
		return c
	}
	c := NewConv2D("c", tc.in, tc.out, tc.k, tc.s, tc.p, true)
	InitWeights(Torch, c.Weight, c.Bias, r)
	return c
}

// convResults runs a forward and a backward of the case's layer with the convolution provider
// and returns the output, the input gradient and the parameter gradients, in that order.
func convResults(tc convCase, provider gemm.ConvProvider) [][]float32 {
	r := rand.New(rand.NewPCG(11, uint64(tc.in*100+tc.out)))
	l := tc.layer(r)
	x := randTensor(r, 1, tc.n, tc.h, tc.w, tc.in)
	st := &State{Train: true, First: true, Gemm: &gemm.Context{Conv: provider}}
	y := l.Forward(st, x)
	dy := randTensor(r, 1, y.Shape...)
	ZeroGrads(l.Params())
	dx := l.Backward(st, dy, true)
	out := [][]float32{clone(y), clone(dx)}
	for _, p := range l.Params() {
		out = append(out, clone(p.Grad))
	}
	return out
}

func clone(t *tensor.Tensor) []float32 { return append([]float32(nil), t.Data...) }

// Every convolution provider computes what im2col computes, up to float32 rounding in another
// order: each value within 1e-5 of the largest magnitude of its tensor (a value sums up to
// K²·C = 1600 products here, so its rounding error grows with the tensor's scale, not its own).
func TestConvProvidersAgree(t *testing.T) {
	names := []string{"y", "dx", "dW", "db"}
	for _, name := range gemm.ConvProviders() {
		if name == gemm.Im2Col.Name() {
			continue
		}
		p, err := gemm.NewConvProvider(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range convCases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				// oneDNN declines some geometries on some instruction sets (its gemm-based
				// implementations); the 1×1 case always, the classifier's C2 never.
				cv, _ := p.NewConv(tc.geom())
				if tc.im2colOnly && cv != nil || tc.name == "cifar-cls C2" && cv == nil {
					t.Fatalf("%s made a convolution: %v", name, cv != nil)
				}
				t.Logf("%s computes it: %v", name, cv != nil)
				// Where oneDNN has cifar-ae's D2, it leaves the transposed convolution's forward
				// (its input gradient kernels with 3 channels) to im2col: the mixed path agrees too.
				if cv != nil && tc.name == "cifar-ae D2" && !gemm.LeavesBackwardData(cv) {
					t.Fatalf("%s computes the input gradient of a 3-channel image", name)
				}
				want, got := convResults(tc, gemm.Im2Col), convResults(tc, p)
				for i := range want {
					scale := 0.0
					for _, v := range want[i] {
						scale = max(scale, math.Abs(float64(v)))
					}
					for j := range want[i] {
						if d := math.Abs(float64(got[i][j] - want[i][j])); d > 1e-5*scale || math.IsNaN(float64(got[i][j])) {
							t.Fatalf("%s[%d] = %v, im2col %v (largest |value| %v)", names[i], j, got[i][j], want[i][j], scale)
						}
					}
				}
			})
		}
	}
	if len(gemm.ConvProviders()) == 1 {
		t.Skip("skipped: no convolution provider but im2col compiled in (built without cgo or with noonednn)")
	}
}

// onThread runs f on a goroutine locked to an OS thread that exits with it: a fresh thread,
// which is what Go may hand any goroutine between two cgo calls.
func onThread(f func()) {
	done := make(chan any)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		defer func() { done <- recover() }()
		f()
	}()
	if p := <-done; p != nil {
		panic(p)
	}
}

// A provider's convolution made on one OS thread gives the same results run on another, also
// on a thread that has made smaller convolutions first and on a fresh one. oneDNN's own scratch
// memory is per thread for its gemm-based convolutions, which crashed or wrote past the end of a
// smaller one here; those are now declined (and every convolution brings its own scratch memory
// anyway), so this test keeps cross-thread use covered for the kernels oneDNN does run.
func TestConvProvidersOnOtherThreads(t *testing.T) {
	for _, name := range gemm.ConvProviders() {
		p, err := gemm.NewConvProvider(name)
		if err != nil {
			t.Fatal(err)
		}
		// cifar-ae's E1 and the classifier's C2 at a small batch.
		for _, tc := range []convCase{convCases[2], convCases[1]} {
			r := rand.New(rand.NewPCG(1, 2))
			big := tc.layer(r)
			x := randTensor(r, 1, tc.n, tc.h, tc.w, tc.in)
			ref := &State{Train: true, Gemm: &gemm.Context{Conv: gemm.Im2Col}}
			dy := randTensor(r, 1, big.Forward(ref, x).Shape...)
			want := clone(big.Backward(ref, dy, true))
			small := randTensor(r, 1, 1, tc.h/2, tc.w/2, tc.in)
			ctx := &gemm.Context{Conv: p}
			st, stSmall := &State{Train: true, Gemm: ctx}, &State{Train: true, Gemm: ctx}
			onThread(func() { big.Forward(st, x); big.Backward(st, dy, true) })
			var got []float32
			onThread(func() {
				ySmall := big.Forward(stSmall, small) // another geometry, made on this thread
				big.Backward(stSmall, randTensor(r, 1, ySmall.Shape...), true)
				big.Forward(st, x)
				got = clone(big.Backward(st, dy, true))
			})
			var fresh []float32
			onThread(func() { fresh = clone(big.Backward(st, dy, true)) }) // a thread that made nothing
			for _, res := range [][]float32{got, fresh} {
				for i := range want {
					if d := math.Abs(float64(res[i] - want[i])); d > 1e-4 {
						t.Fatalf("%s, %s: dx[%d] = %v on another thread, im2col %v", name, tc.name, i, res[i], want[i])
					}
				}
			}
		}
	}
}

// The tests above once more with oneDNN held to its AVX2 code (ONEDNN_MAX_CPU_ISA, read when the
// library starts, so in a child process) and Winograd's convolutions and the elementwise kernels
// too (FGRELU_KERNEL_ISA): what a machine without AVX-512 runs. oneDNN picks other
// implementations there (gemm-based ones for some layers).
func TestConvProvidersOnAVX2(t *testing.T) {
	if os.Getenv("ONEDNN_MAX_CPU_ISA") != "" {
		t.Skip("skipped: this process already runs with ONEDNN_MAX_CPU_ISA set")
	}
	if len(gemm.ConvProviders()) == 1 {
		t.Skip("skipped: no convolution provider but im2col compiled in")
	}
	if testing.Short() {
		t.Skip("skipped in -short mode")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^(TestConvProvidersAgree|TestConvProvidersOnOtherThreads|TestConvProviderISA)$",
		"-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "ONEDNN_MAX_CPU_ISA=AVX2", "FGRELU_KERNEL_ISA=avx2")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("with ONEDNN_MAX_CPU_ISA=AVX2: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestConvProvidersAgree") {
		t.Fatalf("the child ran no agreement test:\n%s", out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "convolutions in") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

// TestConvProviderISA logs the providers and the instruction set oneDNN runs.
func TestConvProviderISA(t *testing.T) {
	for _, name := range gemm.ConvProviders() {
		p, _ := gemm.NewConvProvider(name)
		t.Log((&gemm.Context{Conv: p}).Describe())
	}
}

// Every convolution provider gives the same bits whatever GOMAXPROCS is now (oneDNN fixes its
// thread count when it is first used).
func TestConvProvidersDeterministicAcrossGOMAXPROCS(t *testing.T) {
	for _, name := range gemm.ConvProviders() {
		p, err := gemm.NewConvProvider(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range convCases[1:2] {
			var first [][]float32
			for _, procs := range []int{1, 2, 3} {
				old := runtime.GOMAXPROCS(procs)
				got := convResults(tc, p)
				runtime.GOMAXPROCS(old)
				if first == nil {
					first = got
					continue
				}
				for i := range got {
					for j := range got[i] {
						if math.Float32bits(got[i][j]) != math.Float32bits(first[i][j]) {
							t.Fatalf("%s, %s, GOMAXPROCS=%d: result %d value %d differs", name, tc.name, procs, i, j)
						}
					}
				}
			}
		}
	}
}

// The PyTorch-fixture and finite-difference tests of this package run the compiled-in default
// provider; this one names which, so that a log shows what they checked.
func ExampleConv2D_provider() {
	ctx := &gemm.Context{Conv: gemm.Im2Col}
	c := NewConv2D("c", 1, 1, 3, 1, 1, false)
	c.Weight.Value.Data[4] = 2 // the centre tap: y = 2·x
	x := tensor.New(1, 2, 2, 1)
	copy(x.Data, []float32{1, 2, 3, 4})
	y := c.Forward(&State{Gemm: ctx}, x)
	fmt.Println(ctx.ConvName(), y.Data)
	// Output: im2col [2 4 6 8]
}

// BenchmarkConvProviders times the forward, the weight gradient and the input gradient of the
// classifier's two convolutions and the autoencoder's first and last at batch 128, per provider:
//
//	go test ./nn -run - -bench ConvProviders
func BenchmarkConvProviders(b *testing.B) {
	for _, name := range gemm.ConvProviders() {
		p, err := gemm.NewConvProvider(name)
		if err != nil {
			b.Fatal(err)
		}
		for _, i := range []int{0, 1, 2, 5} { // cifar-cls C1, C2; cifar-ae E1, D2
			tc := convCases[i]
			tc.n = 128
			r := rand.New(rand.NewPCG(1, 1))
			l := tc.layer(r)
			x := randTensor(r, 1, tc.n, tc.h, tc.w, tc.in)
			st := &State{Train: true, First: true, Gemm: &gemm.Context{Conv: p}}
			dy := randTensor(r, 1, l.Forward(st, x).Shape...)
			for _, part := range []string{"forward", "weights", "input"} {
				b.Run(name+"/"+strings.ReplaceAll(tc.name, " ", "-")+"/"+part, func(b *testing.B) {
					for b.Loop() {
						switch part {
						case "forward":
							l.Forward(st, x)
						case "weights":
							l.Backward(st, dy, false)
						case "input":
							l.Backward(st, dy, true)
						}
					}
				})
			}
		}
	}
}
