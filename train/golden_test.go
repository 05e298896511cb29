package train

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/data"
	"github.com/fgrelu/fgrelu/gemm"
)

// goldenCases are small networks that go through every path of the forward and backward
// passes: feedback into dense and convolutional layers (channel mean and flatten), every
// gate, the constant gain, leaky ReLUs, batch norm below the first gated layer (run on every
// pass), dropout, both losses over passes, Adam and SGD with momentum.
var goldenCases = []struct {
	name string
	sets []string
	h, w int
	c    int
}{
	{"mnist-ae", []string{"model.arch=mnist-ae", "model.bottleneck=10", "model.topology=comprehensive",
		"model.passes=2", "model.gate=gain+threshold", "train.loss_passes=all"}, 28, 28, 1},
	{"conv-bn-dropout", []string{"model.arch=custom", "model.input=[8, 8, 2]", "model.loss=softmax-ce",
		"model.layers=[{name: C1, type: conv, units: 4, kernel: 3, pad: 1, pool: 2, batch_norm: true, dropout: 0.2}," +
			" {name: C2, type: conv, units: 4, kernel: 3, pad: 1, batch_norm: true}," +
			" {name: F, type: dense, units: 8, dropout: 0.3}, {name: OUT, type: dense, units: 3}]",
		"model.topology=custom", "model.edges=[{from: F, to: C2}, {from: OUT, to: F}]",
		"model.passes=3", "model.gate=gain", "train.loss_passes=last"}, 8, 8, 2},
	{"conv-flatten-leaky", []string{"model.arch=custom", "model.input=[8, 8, 1]", "model.loss=mse",
		"model.layers=[{name: C1, type: conv, units: 3, kernel: 3, stride: 2, pad: 1}," +
			" {name: C2, type: conv, units: 2, kernel: 3, pad: 1, dropout: 0.1}, {name: C3, type: conv, units: 2, kernel: 3, pad: 1}," +
			" {name: T1, type: convT, units: 1, kernel: 2, stride: 2}]",
		"model.topology=custom", "model.edges=[{from: C2, to: C1, source: flatten}, {from: C3, to: C1}]",
		"model.constant_gain=1.5", "model.constant_gain_layers=[C2]", "model.leaky_slope=0.01",
		"model.passes=2", "model.gate=threshold-only", "train.loss_passes=all",
		"train.optimizer=sgd", "train.momentum=0.9", "train.lr=0.01"}, 8, 8, 1},
}

// goldenHashes are the SHA-256 of each case's weights, buffers, metrics and a noisy evaluation,
// recorded from the code before the tape refactor (commit 79faa56), per matrix-product provider
// as gemm.DescribeProducts names it, with the convolutions as im2col products: the pure-Go
// provider on amd64 (other architectures may fuse multiply-adds differently), OpenBLAS with the
// kernel it chose on the machine that recorded them, oneDNN with the instruction set it ran
// (recorded when it became a provider). A change to the arithmetic of a training step changes
// them; a change of structure must not. OpenBLAS's mnist-ae was recorded again when the weight
// gradient of a first dense layer came to be split over the cores (nn.Dense.Backward): OpenBLAS
// rounds a few elements of a block differently from the same elements of the whole product
// (its edge kernels), oneDNN and gonum do not, and their hashes stayed. oneDNN's products split
// into at most as many blocks as the machine has cores (gemm.splitsByCores), which its key names:
// the 8-block hashes are the ones recorded before (checked with the core count set to 8), the
// 2-block ones were recorded on a 2-core machine. oneDNN's convolutions are compared with im2col's
// within a stated tolerance instead (nn's TestConvProvidersAgree).
var goldenHashes = map[string]map[string]string{
	"onednn (2.6.3, OpenMP threads, AVX-512 BF16, products in at most 8 blocks)": {
		"mnist-ae":           "50a0db462b011b0c2818e8649962e6982c5a6a30dae023083b30b794f07f8183",
		"conv-bn-dropout":    "2f092abb995b22043703330cc93254bf842deb582a259a3ad13c514ce3157833",
		"conv-flatten-leaky": "c177f64a47394a8c1111322859fb86712059355308dc02cdb1d4b49e07d5ad94",
	},
	"onednn (2.6.3, OpenMP threads, AVX-512 BF16, products in at most 2 blocks)": {
		"mnist-ae":           "946c88e2bdbdaa414b2eed808906bd33c35e8ea01f4a9a0ca39c60c0668a13d7",
		"conv-bn-dropout":    "2f092abb995b22043703330cc93254bf842deb582a259a3ad13c514ce3157833",
		"conv-flatten-leaky": "c177f64a47394a8c1111322859fb86712059355308dc02cdb1d4b49e07d5ad94",
	},
	"gonum (pure Go)": {
		"mnist-ae":           "e80645bd64eaa2eb018e4095bddf416c808aaa0c83441dce032f7e5036e59076",
		"conv-bn-dropout":    "49bc01254a91596386a582e0d8a06d7fe47698834cc6fb2e26d98150bf91e276",
		"conv-flatten-leaky": "c6d1be306aa7fa1636b568d2835c1cf411ad181b18bf622efdf5dd94080e0c0d",
	},
	"openblas (OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64 core=Haswell)": {
		"mnist-ae":           "90e13371b27f27308b9e1f4f39f3c78738eaf8a76c2548e186f2984625a104fd",
		"conv-bn-dropout":    "2118cd2f4913a0fbd1d8ad67e08d79867946ba84d96ef92fe68d25357d7ee83f",
		"conv-flatten-leaky": "c177f64a47394a8c1111322859fb86712059355308dc02cdb1d4b49e07d5ad94",
	},
}

func goldenData(h, w, c, n, classes int, seed uint64) *data.Dataset {
	r := rand.New(rand.NewPCG(seed, 7))
	ds := &data.Dataset{Name: "golden", N: n, H: h, W: w, C: c, Classes: classes,
		Pixels: make([]uint8, n*h*w*c), Labels: make([]uint8, n)}
	for i := range ds.Pixels {
		ds.Pixels[i] = uint8(r.IntN(256))
	}
	for i := range ds.Labels {
		ds.Labels[i] = uint8(r.IntN(classes))
	}
	return ds
}

// goldenHash trains one case for two epochs of four steps and hashes what came out. It may
// run on several goroutines at once.
func goldenHash(ctx *gemm.Context, sets []string, h, w, c int) (string, error) {
	cfg, err := config.Load("", append([]string{"seed=5", "train.epochs=2", "train.batch_size=16", "data.dataset=mnist"}, sets...)...)
	if err != nil {
		return "", err
	}
	tr, te := goldenData(h, w, c, 64, 3, 1), goldenData(h, w, c, 24, 3, 2)
	res, err := Run(context.Background(), cfg, tr, te, Options{Gemm: ctx})
	if err != nil {
		return "", err
	}
	sum := sha256.New()
	f32 := func(xs []float32) {
		for _, v := range xs {
			binary.Write(sum, binary.LittleEndian, math.Float32bits(v))
		}
	}
	f64 := func(v float64) { binary.Write(sum, binary.LittleEndian, math.Float64bits(v)) }
	for _, p := range append(res.Net.Params(), res.Net.Buffers()...) {
		sum.Write([]byte(p.Name))
		f32(p.Value.Data)
	}
	for _, row := range res.History {
		f64(row.Loss)
		f64(row.Accuracy)
	}
	for _, d := range res.Dead {
		binary.Write(sum, binary.LittleEndian, int64(d.Dead))
	}
	ev := Evaluate(res.Net, te, EvalOptions{BatchSize: 10, Noise: 0.1, Rand: NoiseStream(5, 1)})
	for _, l := range ev.Loss {
		f64(l)
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// TestGoldenTraining: a few training steps give the same bits as before the refactor of the
// network into a definition and a tape, with each matrix-product provider.
func TestGoldenTraining(t *testing.T) {
	for _, prov := range gemm.Providers() {
		for _, gc := range goldenCases {
			t.Run(prov+"/"+gc.name, func(t *testing.T) {
				ctx, err := gemm.New(prov)
				if err != nil {
					t.Fatal(err)
				}
				ctx.Conv = gemm.Im2Col
				if runtime.GOARCH != "amd64" {
					t.Skipf("skipped: hashes recorded on amd64, this is %s", runtime.GOARCH)
				}
				got, err := goldenHash(ctx, gc.sets, gc.h, gc.w, gc.c)
				if err != nil {
					t.Fatal(err)
				}
				want, ok := goldenHashes[ctx.DescribeProducts()][gc.name]
				if !ok {
					t.Skipf("skipped: no hash recorded for %s (got %s)", ctx.DescribeProducts(), got)
				}
				if got != want {
					t.Errorf("hash %s, recorded %s: the arithmetic of training changed", got, want)
				}
			})
		}
	}
}
