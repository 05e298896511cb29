//go:build cgo && !noopenblas

package gemm

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

import "unsafe"

// openblasProvider calls cblas_sgemm of the OpenBLAS library (Debian: libopenblas-dev).
type openblasProvider struct{}

// native is the compiled-in default provider.
var native Provider = openblasProvider{}

func init() {
	// One OpenBLAS thread: Mul does the splitting, on goroutines.
	C.openblas_set_num_threads(1)
}

func (openblasProvider) Name() string { return "openblas" }

func (openblasProvider) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	C.cblas_sgemm(C.CblasRowMajor, trans(transA), trans(transB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb),
		C.float(beta), (*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}

func trans(t bool) C.enum_CBLAS_TRANSPOSE {
	if t {
		return C.CblasTrans
	}
	return C.CblasNoTrans
}

// openblasConfig describes the OpenBLAS build and the kernel it selected for this CPU.
func openblasConfig() string {
	return C.GoString(C.openblas_get_config()) + " core=" + C.GoString(C.openblas_get_corename())
}
