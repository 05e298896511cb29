package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gonumProvider is gonum's pure-Go BLAS. It is compiled into every build, so that the two
// providers can be tested against each other.
type gonumProvider struct{}

func (gonumProvider) Name() string { return "gonum" }

func (gonumProvider) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if k == 0 {
		// gonum requires lda, ldb ≥ 1 even when nothing is read; scale C ourselves.
		scale(m, n, beta, c, ldc)
		return
	}
	gonum.Implementation{}.Sgemm(flag(transA), flag(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func flag(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func scale(m, n int, beta float32, c []float32, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		for j := range row {
			if beta == 0 {
				row[j] = 0
			} else {
				row[j] *= beta
			}
		}
	}
}
