//go:build cgo && !noonednn

package gemm

/*
#cgo CFLAGS: -O2
#include "winograd.h"
*/
import "C"

import (
	"os"
	"runtime"
	"slices"
	"sync"
	"unsafe"

	"github.com/fgrelu/fgrelu/internal/par"
)

// winogradProvider computes stride-1 5×5 convolutions with Winograd's F(2×2, 5×5)
// (winograd.h): the forward, the input gradient and the weight gradient, 36 multiplications per
// 2×2 outputs and input channel where the direct convolution has 100. It leaves every other
// geometry to the provider it wraps. Its rounding differs from a direct convolution's by a
// bound that TestWinogradError states; its bits are the same on every machine with AVX2 and FMA
// (the AVX2 and AVX-512 versions agree) and for every GOMAXPROCS.
type winogradProvider struct{ inner ConvProvider }

var winogradConvs ConvProvider = winogradProvider{inner: nativeConv}

// winogradISA is what winograd.h may use: 0 (nothing: the provider hands every geometry to the
// one it wraps), 1 AVX2 and FMA, 2 AVX-512 too. FGRELU_KERNEL_ISA caps it as it caps the
// elementwise kernels (scalar: none, avx2: AVX2).
var winogradISA = func() int {
	isa := int(C.fg_wino_isa())
	switch os.Getenv("FGRELU_KERNEL_ISA") {
	case "scalar":
		isa = 0
	case "avx2":
		isa = min(isa, 1)
	}
	return isa
}()

func (winogradProvider) Name() string { return "winograd" }

// Direct is the provider it wraps, whose convolutions compute every product they are credited with.
func (p winogradProvider) Direct() ConvProvider { return p.inner }

// winogradConfig says which layers the provider takes and at which vector width.
func winogradConfig() string {
	width := [...]string{"none on this CPU: every layer to oneDNN", "AVX2", "AVX-512"}[winogradISA]
	return "F(2×2, 5×5) for stride-1 5×5 layers of 16k ≤ 256 channels, " + width
}

// wideProducts reports whether the transforms and products of a forward (or input gradient)
// with o output channels run at AVX-512 width; wideWeights, whether a weight gradient with c
// input channels does. Either width gives the same bits.
func wideProducts(o int) bool { return winogradISA >= 2 && o%64 == 0 }
func wideWeights(c int) bool  { return winogradISA >= 2 && c%32 == 0 }

func cBool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// winogradFits reports whether g is a geometry winograd.h computes: stride 1, a 5×5 kernel,
// padding within the kernel, and channel counts its vectors divide (16 on both sides, since the
// input gradient swaps them), up to winoMaxChannels.
func winogradFits(g ConvGeom) bool {
	return winogradISA > 0 && g.K == 5 && g.Stride == 1 && g.Pad >= 0 && g.Pad <= 4 &&
		g.C%16 == 0 && g.O%16 == 0 && g.C <= winoMaxChannels && g.O <= winoMaxChannels &&
		g.OH == g.H+2*g.Pad-4 && g.OW == g.W+2*g.Pad-4
}

// winoMaxChannels bounds the channel counts Winograd's convolutions take: the error of a sum over
// the input channels grows with their count (about as its square root; 1.1e-5 of the largest
// value at 256 input channels, 1.3e-5 at 1024, 4.9e-6 at 64), and TestWinogradError states the
// bound up to 256.
const winoMaxChannels = 256

func (p winogradProvider) NewConv(g ConvGeom) (Conv, error) {
	if !winogradFits(g) {
		return p.inner.NewConv(g)
	}
	fwd := C.fg_wino{n: C.long(g.N), h: C.long(g.H), w: C.long(g.W), c: C.long(g.C), oh: C.long(g.OH),
		ow: C.long(g.OW), o: C.long(g.O), pad: C.long(g.Pad), th: C.long((g.OH + 1) / 2), tw: C.long((g.OW + 1) / 2)}
	// The input gradient is the convolution of dy with the kernel turned by 180°, input and
	// output channels swapped, padded by K − 1 − Pad.
	bwd := C.fg_wino{n: C.long(g.N), h: C.long(g.OH), w: C.long(g.OW), c: C.long(g.O), oh: C.long(g.H),
		ow: C.long(g.W), o: C.long(g.C), pad: C.long(4 - g.Pad), th: C.long((g.H + 1) / 2), tw: C.long((g.W + 1) / 2)}
	return &winogradConv{g: g, fwd: fwd, bwd: bwd,
		u: filters{u: make([]float32, 36*g.C*g.O)}, uT: filters{u: make([]float32, 36*g.C*g.O), flip: true}}, nil
}

// winoTiles is how many tiles one goroutine transforms, multiplies and writes back at a time: a
// multiple of the products' six rows whose transformed inputs and products (36 values per tile
// and channel each, 332 KB at 64 channels) stay in a core's second-level cache (512 KB on Zen 3).
// The weight gradient sums its products over the tiles of a block first: longer blocks cost
// fewer additions into the sums (36 ran its products at 203 GFLOP/s on a Zen 5 core, 18 at 180).
const (
	winoTiles       = 18
	winoWeightTiles = 36
)

// winogradConv is the Winograd convolution of one geometry: its forward and input-gradient
// geometries for winograd.h, the transformed filters of each, and the scratch memory its calls
// reuse (guarded by mu: a Conv's methods are called from one goroutine at a time, but the lock
// costs nothing and keeps a misuse from corrupting it).
type winogradConv struct {
	g        ConvGeom
	fwd, bwd C.fg_wino
	u, uT    filters // of the forward and of the input gradient
	scratch  [][]float32
	z        []float32 // the weight gradient's partial products, per group of images
	dbSums   []float64 // the bias gradient's partial sums, per group of images
	mu       sync.Mutex
}

// filters are transformed filters and the weights they were transformed from: the passes of a
// training step run a layer's forward (and its input gradient) several times with the same
// weights, and comparing them costs a tenth of transforming them again.
type filters struct {
	u, from []float32
	flip    bool
}

func (c *winogradConv) Forward(x, w, b, y []float32) {
	g := c.g
	need("x", x, g.N*g.H*g.W*g.C)
	need("w", w, g.O*g.K*g.K*g.C)
	need("y", y, g.N*g.OH*g.OW*g.O)
	var bias *C.float
	if g.Bias {
		need("b", b, g.O)
		bias = ptr(b)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.run(&c.fwd, x, c.u.of(g, w), bias, y)
}

func (c *winogradConv) BackwardData(dy, w, dx []float32) {
	g := c.g
	need("dy", dy, g.N*g.OH*g.OW*g.O)
	need("w", w, g.O*g.K*g.K*g.C)
	need("dx", dx, g.N*g.H*g.W*g.C)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.run(&c.bwd, dy, c.uT.of(g, w), nil, dx)
}

// winoGroups is how many groups of images the weight gradient sums separately, in parallel, and
// then adds in order: a fixed count, so that the sums' order, and with it their bits, do not
// depend on GOMAXPROCS.
const winoGroups = 8

// BackwardWeights: dw += Gᵀ [Σ over tiles (A dy Aᵀ) ⊙ (Bᵀ d B)] G, the adjoint of the forward's
// transforms (winograd.h), and db += Σ dy.
func (c *winogradConv) BackwardWeights(x, dy, dw, db []float32) {
	g := c.g
	need("x", x, g.N*g.H*g.W*g.C)
	need("dy", dy, g.N*g.OH*g.OW*g.O)
	need("dw", dw, g.O*g.K*g.K*g.C)
	if g.Bias {
		need("db", db, g.O)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	groups := min(g.N, winoGroups)
	mat := 36 * g.O * g.C
	c.z = slices.Grow(c.z[:0], groups*mat)[:groups*mat]
	clear(c.z)
	c.dbSums = slices.Grow(c.dbSums[:0], groups*g.O)[:groups*g.O]
	clear(c.dbSums)
	workers := par.Workers(groups)
	c.ensureScratch(workers)
	wide := cBool(wideWeights(g.C))
	par.DoWorker(groups, workers, func(wk, gi int) {
		n0, n1 := par.Bounds(gi, groups, g.N)
		var sums *C.double
		if g.Bias {
			sums = (*C.double)(unsafe.Pointer(&c.dbSums[gi*g.O]))
		}
		C.fg_wino_wgroup(&c.fwd, ptr(x), ptr(dy), C.long(n0), C.long(n1), C.long(winoWeightTiles), ptr(c.scratch[wk]),
			ptr(c.z[gi*mat:]), sums, wide)
	})
	par.For(g.O, 1, func(lo, hi int) {
		C.fg_wino_wfinal(ptr(c.z), C.long(groups), C.long(g.O), C.long(g.C), ptr(dw), C.long(lo), C.long(hi))
	})
	if g.Bias {
		for o := range g.O {
			s := 0.0
			for gi := range groups {
				s += c.dbSums[gi*g.O+o]
			}
			db[o] = float32(float64(db[o]) + s)
		}
	}
	runtime.KeepAlive(x)
	runtime.KeepAlive(dy)
	runtime.KeepAlive(dw)
}

// ensureScratch gives each of workers goroutines its scratch: 36·winoWeightTiles·(C + O) values,
// enough for the larger of the two blocks.
func (c *winogradConv) ensureScratch(workers int) {
	per := 36 * winoWeightTiles * (c.g.C + c.g.O)
	for len(c.scratch) < workers {
		c.scratch = append(c.scratch, make([]float32, per))
	}
}

// of returns the filters transformed from the weights w of g: those it holds if w has not changed
// since, else transformed again, split over the output channels (64×64 channels: 4 096
// filters, 0.7 ms on one core).
func (f *filters) of(g ConvGeom, w []float32) []float32 {
	w = w[:g.O*g.K*g.K*g.C]
	if slices.Equal(bits(w), bits(f.from)) { // bits: −0 is not +0, a NaN is itself
		return f.u
	}
	flip := C.int(0)
	if f.flip {
		flip = 1
	}
	par.For(g.O, 1, func(lo, hi int) {
		C.fg_wino_filter(ptr(w), C.long(g.O), C.long(g.C), flip, ptr(f.u), C.long(lo), C.long(hi))
	})
	runtime.KeepAlive(w)
	f.from = append(f.from[:0], w...)
	return f.u
}

func bits(s []float32) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// run computes the convolution geom of in with the transformed filters u into out, blocks of
// winoTiles tiles spread over the goroutines, each with scratch of its own.
func (c *winogradConv) run(geom *C.fg_wino, in, u []float32, bias *C.float, out []float32) {
	tiles := int(geom.n * geom.th * geom.tw)
	blocks := (tiles + winoTiles - 1) / winoTiles
	workers := par.Workers(blocks)
	c.ensureScratch(workers)
	wide := cBool(wideProducts(int(geom.o)))
	par.DoWorker(blocks, workers, func(wk, blk int) {
		t0 := blk * winoTiles
		n := min(winoTiles, tiles-t0)
		C.fg_wino_tiles(geom, ptr(in), ptr(u), bias, ptr(out), C.long(t0), C.long(n), ptr(c.scratch[wk]), wide)
	})
	runtime.KeepAlive(in)
	runtime.KeepAlive(out)
}
