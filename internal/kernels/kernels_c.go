//go:build cgo

package kernels

/*
#cgo CFLAGS: -O2
#cgo LDFLAGS: -lm
#include "kernels.h"
*/
import "C"

import "unsafe"

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
