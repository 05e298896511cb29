// Package gemm computes general matrix products, C = α·op(A)·op(B) + β·C, for row-major
// float32 matrices, where op(X) is X or Xᵀ.
//
// One small interface, Provider, hides where the product is computed. Two providers exist:
// OpenBLAS through cgo (the default when cgo is available; Debian package libopenblas-dev), and
// gonum's pure-Go BLAS (always compiled; the default when built with CGO_ENABLED=0). Select one
// at run time with Use or the FGRELU_GEMM environment variable ("openblas" or "gonum").
//
// Mul splits one product into row or column blocks and computes them on goroutines. This is
// the only place the project parallelises a matrix product. OpenBLAS is pinned to one thread of
// its own: its worker threads spin while waiting and fight the Go scheduler for the cores.
//
// Determinism: the blocks a product is split into depend only on its shape, never on
// GOMAXPROCS, and each block writes its own part of C. A product therefore gives the same bits
// whatever the number of goroutines that compute it.
package gemm
