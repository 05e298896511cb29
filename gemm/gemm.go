package gemm

import (
	"fmt"
	"os"
	"sync/atomic"

	"github.com/fgrelu/fgrelu/internal/par"
)

// Provider computes one product C = α·op(A)·op(B) + β·C on the calling goroutine.
// Matrices are row-major with leading dimensions lda, ldb, ldc; op(A) is m×k, op(B) is k×n
// and C is m×n. Implementations must not start threads of their own.
type Provider interface {
	Name() string
	Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
		b []float32, ldb int, beta float32, c []float32, ldc int)
}

var (
	providers = map[string]Provider{"gonum": gonumProvider{}}
	current   Provider
	envErr    error // a FGRELU_GEMM that names no provider; see EnvError
)

// Current returns the provider Mul uses.
func Current() Provider { return current }

// Providers lists the names of the compiled-in providers.
func Providers() []string {
	var names []string
	for _, n := range []string{"openblas", "gonum"} {
		if _, ok := providers[n]; ok {
			names = append(names, n)
		}
	}
	return names
}

// Use selects the provider by name. It is not safe to call while products are running.
func Use(name string) error {
	p, ok := providers[name]
	if !ok {
		return fmt.Errorf("gemm: unknown provider %q (compiled in: %v)", name, Providers())
	}
	current = p
	return nil
}

func init() {
	current = providers["gonum"]
	if native != nil {
		providers[native.Name()] = native
		current = native
	}
	if name := os.Getenv("FGRELU_GEMM"); name != "" {
		if err := Use(name); err != nil {
			envErr = fmt.Errorf("FGRELU_GEMM: %w", err)
		}
	}
}

// EnvError returns the error in the environment variable FGRELU_GEMM, if it names no provider
// compiled in; the default provider is then in use. A command should refuse to run with it, a
// library user may choose to.
func EnvError() error { return envErr }

// Block sizes. A product is split into at most maxBlocks blocks of at least minBlockMACs
// multiply-adds each, with block edges on multiples of align rows or columns. Fewer blocks
// than cores would leave a core idle; many more than cores only add packing work.
const (
	minBlockMACs = 1 << 18
	maxBlocks    = 8
	align        = 16
)

// Mul computes C = α·op(A)·op(B) + β·C with the current provider, split over goroutines.
func Mul(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkShapes(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	count(m, n, k)
	p := current
	splitRows := m >= n
	long := n
	if splitRows {
		long = m
	}
	blocks := blockCount(m, n, k, long)
	if blocks == 1 {
		p.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	// Block edges on multiples of align, as close to equal shares as that allows.
	edge := func(i int) int { return min(long, (i*long/blocks+align/2)/align*align) }
	run := func(blk int) {
		i0, i1 := edge(blk), edge(blk+1)
		if blk == blocks-1 {
			i1 = long
		}
		if i1 <= i0 {
			return
		}
		if splitRows {
			// Rows i0..i1 of op(A) and of C.
			aOff := i0 * lda
			if transA {
				aOff = i0
			}
			p.Sgemm(transA, transB, i1-i0, n, k, alpha, a[aOff:], lda, b, ldb, beta, c[i0*ldc:], ldc)
		} else {
			// Columns i0..i1 of op(B) and of C.
			bOff := i0
			if transB {
				bOff = i0 * ldb
			}
			p.Sgemm(transA, transB, m, i1-i0, k, alpha, a, lda, b[bOff:], ldb, beta, c[i0:], ldc)
		}
	}
	par.Do(blocks, run)
}

// blockCount is a function of the shape alone (see the package comment on determinism).
func blockCount(m, n, k, long int) int {
	macs := m * n * max(k, 1)
	blocks := min(maxBlocks, macs/minBlockMACs, long/align)
	// A power of two spreads evenly over the 2, 4 or 8 cores of common machines.
	for _, b := range []int{8, 4, 2} {
		if blocks >= b {
			return b
		}
	}
	return 1
}

func checkShapes(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	need := func(name string, s []float32, rows, cols, ld int) {
		if rows == 0 || cols == 0 {
			return
		}
		if ld < cols || len(s) < (rows-1)*ld+cols {
			panic(fmt.Sprintf("gemm: %s is %d values with leading dimension %d, too small for %d×%d", name, len(s), ld, rows, cols))
		}
	}
	need("A", a, ar, ac, lda)
	need("B", b, br, bc, ldb)
	need("C", c, m, n, ldc)
}

// Serial computes the product on the calling goroutine with the current provider. Layers that
// already split their work over goroutines (the convolutions, by images) use it.
func Serial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkShapes(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	count(m, n, k)
	current.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// flops counts the floating-point operations of every product while counting is on.
var (
	counting atomic.Bool
	flops    atomic.Int64
)

// CountFLOPs turns counting of the products' floating-point operations (2·m·n·k each) on or
// off and returns the count so far, then resets it. Benchmarks use it to report the work they
// actually ran.
func CountFLOPs(on bool) int64 {
	counting.Store(on)
	return flops.Swap(0)
}

func count(m, n, k int) {
	if counting.Load() {
		flops.Add(2 * int64(m) * int64(n) * int64(k))
	}
}
