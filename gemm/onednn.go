//go:build cgo && !noonednn

package gemm

/*
#cgo LDFLAGS: -ldnnl -lgomp
#include "onednn.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/fgrelu/fgrelu/internal/par"
)

// onednnProvider runs convolutions in oneDNN (Debian: libdnnl-dev), with OpenMP threads of its
// own: as many as GOMAXPROCS when the first convolution is made, at most one per core the
// process may run on. Its results differ from im2col's in rounding and may depend on the
// machine's vector instructions and on that thread count; on one machine, with the same thread
// count, it gives the same bits on every run, and changing GOMAXPROCS later changes nothing.
type onednnProvider struct{}

var nativeConv ConvProvider = onednnProvider{}

var initOnce = sync.OnceValue(func() C.int { return C.fg_dnnl_init(C.int(runtime.GOMAXPROCS(0))) })

func (onednnProvider) Name() string { return "onednn" }

func (onednnProvider) NewConv(g ConvGeom) (Conv, error) {
	if s := initOnce(); s != 0 {
		return nil, fmt.Errorf("onednn: no CPU engine (status %d)", int(s))
	}
	cg := C.fg_conv_geom{n: C.long(g.N), h: C.long(g.H), w: C.long(g.W), c: C.long(g.C), oh: C.long(g.OH),
		ow: C.long(g.OW), o: C.long(g.O), k: C.long(g.K), stride: C.long(g.Stride), pad: C.long(g.Pad)}
	if g.Bias {
		cg.bias = 1
	}
	var p *C.fg_conv
	if s := C.fg_conv_create(&p, &cg); s != 0 {
		C.fg_conv_destroy(p)
		return nil, fmt.Errorf("onednn: no convolution for %+v (status %d)", g, int(s))
	}
	c := &onednnConv{p: p, g: g}
	// The primitives are freed when the layer that holds them is collected.
	runtime.AddCleanup(c, func(p *C.fg_conv) { C.fg_conv_destroy(p) }, p)
	return c, nil
}

type onednnConv struct {
	p *C.fg_conv
	g ConvGeom
}

func ptr(s []float32) *C.float {
	if len(s) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(&s[0]))
}

// LeavesBackwardData: oneDNN 2.6's direct input-gradient kernels vectorise over the image's
// channels, and with fewer than 8 they ran 1.8–3.3× slower than im2col on AVX-512 (batch 128:
// cifar-ae D2's forward, a transposed convolution's input gradient, 2.4 against 0.74 ms;
// cifar-cls C1's input gradient 29.5 against 13.3). On AVX2 oneDNN runs such geometries
// gemm-based and is declined altogether (fg_conv_create).
func (c *onednnConv) LeavesBackwardData() bool { return c.g.C < 8 }

// check panics on a failed call: the geometry was accepted when the primitives were made, so
// a failure here is a programming mistake (a buffer of the wrong size) or a broken library.
func (c *onednnConv) check(what string, s C.int) {
	if s != 0 {
		panic(fmt.Sprintf("onednn: %s of %+v failed (status %d)", what, c.g, int(s)))
	}
}

func (c *onednnConv) sizes() (image, grid, weights int) {
	g := c.g
	return g.N * g.H * g.W * g.C, g.N * g.OH * g.OW * g.O, g.O * g.K * g.K * g.C
}

func need(what string, s []float32, n int) {
	if len(s) < n {
		panic(fmt.Sprintf("onednn: %s has %d values, want %d", what, len(s), n))
	}
}

func (c *onednnConv) Forward(x, w, b, y []float32) {
	image, grid, weights := c.sizes()
	need("x", x, image)
	need("w", w, weights)
	need("y", y, grid)
	if c.g.Bias {
		need("b", b, c.g.O)
	}
	par.Quiesce() // oneDNN runs the convolution on its own OpenMP threads
	c.check("forward", C.fg_conv_forward(c.p, ptr(x), ptr(w), ptr(b), ptr(y)))
	runtime.KeepAlive(c)
}

func (c *onednnConv) BackwardData(dy, w, dx []float32) {
	image, grid, weights := c.sizes()
	need("dy", dy, grid)
	need("w", w, weights)
	need("dx", dx, image)
	par.Quiesce()
	c.check("input gradient", C.fg_conv_backward_data(c.p, ptr(dy), ptr(w), ptr(dx)))
	runtime.KeepAlive(c)
}

func (c *onednnConv) BackwardWeights(x, dy, dw, db []float32) {
	image, grid, weights := c.sizes()
	need("x", x, image)
	need("dy", dy, grid)
	need("dw", dw, weights)
	if c.g.Bias {
		need("db", db, c.g.O)
	}
	par.Quiesce()
	c.check("weight gradient", C.fg_conv_backward_weights(c.p, ptr(x), ptr(dy), ptr(dw), ptr(db)))
	runtime.KeepAlive(c)
}

func onednnConfig() string { return C.GoString(C.fg_dnnl_version()) }

// onednnGemm computes products with oneDNN's sgemm, on the calling thread.
type onednnGemm struct{}

var onednnProducts Provider = onednnGemm{}

func (onednnGemm) Name() string { return "onednn" }

// SplitsByCores: oneDNN's results already depend on the machine (its kernels follow the
// instruction set), so Mul may split its products by the machine's cores too (splitsByCores).
func (onednnGemm) SplitsByCores() bool { return true }

func (onednnGemm) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	t := func(tr bool) C.char {
		if tr {
			return 'T'
		}
		return 'N'
	}
	if s := C.fg_dnnl_sgemm(t(transA), t(transB), C.long(m), C.long(n), C.long(k), C.float(alpha), ptr(a), C.long(lda),
		ptr(b), C.long(ldb), C.float(beta), ptr(c), C.long(ldc)); s != 0 {
		panic(fmt.Sprintf("onednn: sgemm %d×%d×%d failed (status %d)", m, n, k, int(s)))
	}
}
