// Package gemm computes general matrix products, C = α·op(A)·op(B) + β·C, for row-major
// float32 matrices, where op(X) is X or Xᵀ.
//
// One small interface, Provider, hides where the product is computed. Two providers exist:
// OpenBLAS through cgo (the default when cgo is available; Debian package libopenblas-dev), and
// gonum's pure-Go BLAS (always compiled; the default when built with CGO_ENABLED=0). A Context
// carries the provider (and an optional FLOP Counter) to where products run: a network holds
// one, so networks in one process may use different providers. The package keeps no state of
// its own: New names a provider, Default reads the FGRELU_GEMM environment variable
// ("openblas" or "gonum") each time it is called, and EnvError reports a bad value.
//
// Owns: the product, its splitting over goroutines, the providers. Imports only internal/par
// and gonum; it must not import any other package of this module.
//
// Mul splits one product into row or column blocks and computes them on goroutines. This is
// the only place the project parallelises a matrix product. OpenBLAS is pinned to one thread of
// its own: its worker threads spin while waiting and fight the Go scheduler for the cores.
//
// Determinism: the blocks a product is split into depend only on its shape, never on
// GOMAXPROCS, and each block writes its own part of C. A product therefore gives the same bits
// whatever the number of goroutines that compute it.
package gemm
