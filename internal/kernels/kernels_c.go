//go:build cgo

package kernels

/*
#cgo CFLAGS: -O2
#cgo LDFLAGS: -lm
#include "kernels.h"
#include "patches.h"
#include "pool.h"
#include "gate.h"
#include "relu.h"
#include "norm.h"
*/
import "C"

import "unsafe"

// The instruction-set cap is read from FGRELU_KERNEL_ISA once, here, before any goroutine can
// call a kernel (cpu.h would otherwise read it lazily, unsynchronised).
func init() { C.fg_cap() }

func f32(s []float32) *C.float { return (*C.float)(unsafe.Pointer(unsafe.SliceData(s))) }

func sigmoid(x, y []float32) { C.fg_sigmoid(f32(x), f32(y), C.long(len(x))) }

func bceLogits(z, y, t []float32, scale float32, dz []float32) float64 {
	var d *C.float
	if dz != nil {
		d = f32(dz)
	}
	return float64(C.fg_bce_logits(f32(z), f32(y), f32(t), C.float(scale), d, C.long(len(z))))
}

func adam(w, g, m, v []float32, c AdamConsts) {
	C.fg_adam(f32(w), f32(g), f32(m), f32(v), C.long(len(w)), C.float(c.B1), C.float(c.B2), C.float(c.C1), C.float(c.C2),
		C.float(c.Step), C.float(c.Sq), C.float(c.Eps))
}

func patches(g Patches) *C.fg_patches {
	return &C.fg_patches{H: C.long(g.H), W: C.long(g.W), C: C.long(g.C), K: C.long(g.K),
		Stride: C.long(g.Stride), Pad: C.long(g.Pad), OH: C.long(g.OH), OW: C.long(g.OW)}
}

func im2col(g Patches, x []float32, n0, n1 int, cols []float32) {
	C.fg_im2col(patches(g), f32(x), C.long(n0), C.long(n1), f32(cols))
}

func col2im(g Patches, cols []float32, n0, n1 int, x []float32) {
	C.fg_col2im(patches(g), f32(cols), C.long(n0), C.long(n1), f32(x))
}

func pool(p Pool) *C.fg_pool {
	return &C.fg_pool{N: C.long(p.N), H: C.long(p.H), W: C.long(p.W), C: C.long(p.C), S: C.long(p.S)}
}

func u8(s []uint8) *C.uint8_t { return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(s))) }

func maxPoolForward(p Pool, x, y []float32, arg []uint8) {
	C.fg_maxpool_fwd(pool(p), f32(x), f32(y), u8(arg))
}

func maxPoolBackward(p Pool, dy []float32, arg []uint8, dx []float32) {
	C.fg_maxpool_bwd(pool(p), f32(dy), u8(arg), f32(dx))
}

func gate(g Gate) (*C.fg_gate, C.fg_gate_in) {
	in := C.fg_gate_in{Gain: f32(g.Gain), MuD: f32(g.MuD)}
	if g.DGain != nil {
		in.DGain = f32(g.DGain)
	}
	return &C.fg_gate{N: C.long(g.N), Per: C.long(g.Per), Ch: C.long(g.Ch), Alpha: C.float(g.Alpha)}, in
}

func gateForward(g Gate, x, y []float32) {
	cg, in := gate(g)
	C.fg_gate_fwd(cg, in, f32(x), f32(y))
}

func gateBackward(g Gate, x, dy, dx, dmu []float32) {
	acc := make([]float64, g.Ch)
	cg, in := gate(g)
	C.fg_gate_bwd(cg, in, f32(x), f32(dy), f32(dx), f32(dmu), (*C.double)(unsafe.Pointer(&acc[0])))
}

func reluForward(x, y []float32, c float32) {
	C.fg_relu_fwd(f32(x), f32(y), C.float(c), C.long(len(x)))
}

func reluBackward(s, dy, dx []float32, c float32) {
	C.fg_relu_bwd(f32(s), f32(dy), f32(dx), C.float(c), C.long(len(s)))
}

// setISACap lets the compiled kernels use instruction sets up to isa (isaScalar, isaAVX2,
// isaAVX512), where the CPU has them, and returns the previous cap, for restoring; for tests,
// which run every comparison on each version. Not safe while kernels run.
func setISACap(isa int) (old int) { return int(C.fg_set_isa_cap(C.int(isa))) }

func isa() int { return int(C.fg_isa()) }

func f64(s []float64) *C.double { return (*C.double)(unsafe.Pointer(unsafe.SliceData(s))) }

func columnSums(a, b []float32, rows, cols int, s, q []float64) {
	C.fg_colsums(f32(a), f32(b), C.long(rows), C.long(cols), f64(s), f64(q))
}

func batchNormApply(x, mean, inv, gamma, beta, xhat, y []float32, rows, cols int) {
	C.fg_bn_apply(f32(x), f32(mean), f32(inv), f32(gamma), f32(beta), f32(xhat), f32(y), C.long(rows), C.long(cols))
}

func batchNormDX(dy, xhat, scale, meanDy, meanDyX, dx []float32, rows, cols int) {
	C.fg_bn_dx(f32(dy), f32(xhat), f32(scale), f32(meanDy), f32(meanDyX), f32(dx), C.long(rows), C.long(cols))
}
