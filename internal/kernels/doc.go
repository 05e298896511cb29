// Package kernels holds the loops that dominate a training step once the matrix products are
// fast: the sigmoid, binary cross-entropy on logits, the Adam update, the rectifier (relu.go),
// the feedback-gated ReLU (gate.go), max pooling (pool.go), batch normalisation (norm.go), and a
// convolution's patch gathering and scattering (patches.go, im2col and col2im).
//
// With cgo they are compiled C, built for baseline x86-64 and AVX2 (the sigmoid, the
// cross-entropy and Adam for AVX-512 too) and picked at run time by the CPU, capped by the
// environment variable FGRELU_KERNEL_ISA (scalar or avx2) where set; without cgo the same
// arithmetic runs in Go. Both follow the same formulas in the
// same order and use no fused multiply-add, so they agree to the last bit on normal inputs
// (tests compare them value by value). The exponential and logarithm are the single-precision
// Cephes algorithms (S. L. Moshier, Cephes Math Library, expf.c and logf.c), written without
// branches so they vectorise.
//
// Owns: these loops. Imports no package of this module.
package kernels
