//go:build !cgo || noopenblas

package gemm

// native is nil without cgo: gonum is then the only provider.
var native Provider

func openblasConfig() string { return "not compiled in" }
