// Package gemm computes general matrix products, C = α·op(A)·op(B) + β·C, for row-major
// float32 matrices, where op(X) is X or Xᵀ.
//
// One small interface, Provider, hides where the product is computed. Three providers exist:
// oneDNN's sgemm through cgo (the default when cgo is available; Debian package libdnnl-dev;
// the build tag noonednn leaves it out), OpenBLAS through cgo (Debian package libopenblas-dev;
// the tag noopenblas leaves it out), and gonum's pure-Go BLAS (always compiled; the default when
// built with CGO_ENABLED=0). A Context carries the provider (and an optional FLOP Counter) to
// where products run: a network holds one, so networks in one process may use different
// providers. New names a provider, Default reads the FGRELU_GEMM environment variable
// ("onednn", "openblas" or "gonum") each time it is called, and EnvError reports a bad value.
//
// Convolutions have a provider of their own, ConvProvider, carried by the same Context: Winograd's
// F(2×2, 5×5) for the stride-1 5×5 layers whose channel counts 16 divides, up to 256 (winograd.h;
// the classifier's second convolution) and oneDNN for every other layer (the default where oneDNN is
// compiled in); oneDNN alone; or Im2Col, which leaves the layers to compute im2col followed by
// the context's products. FGRELU_CONV ("winograd", "onednn" or "im2col") chooses. Winograd's
// convolutions give the same bits on every machine with AVX2 and FMA and for every GOMAXPROCS,
// within 2e-5 of the exact convolution's largest value (TestWinogradError). oneDNN
// computes each convolution with OpenMP threads of its own (as many as GOMAXPROCS when it is
// first used, at most one per core) and rounds differently from im2col (nn's tests bound the
// difference); on one machine it gives the same bits on every run, but another instruction set
// or thread count may change them. Only im2col is bit-identical everywhere.
//
// Owns: the product, its splitting over goroutines, the providers of products and of
// convolutions. Imports only internal/par and gonum; it must not import any other package of
// this module.
//
// Mul splits one product into row or column blocks and computes them on goroutines. This is
// the only place the project parallelises a matrix product. OpenBLAS and oneDNN's sgemm are
// pinned to one thread of their own: their worker threads spin while waiting and fight the Go
// scheduler for the cores. oneDNN's convolutions are the exception: one convolution of a batch
// is a single call that spreads over the cores itself.
//
// Determinism: the blocks a product is split into depend only on its shape (and, for oneDNN,
// whose bits depend on the machine anyway, on the machine's core count), never on GOMAXPROCS,
// and each block writes its own part of C. A product therefore gives the same bits whatever the
// number of goroutines that compute it.
package gemm
