package gemm

import (
	"fmt"
	"os"
	"runtime"
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

// Context is where products run: a provider and, when Counter is set, a count of their
// floating-point operations. A network holds one and hands it to its layers, so networks in one
// process may use different providers. A nil *Context, or one without a Provider, uses the
// compiled-in default (Native, else gonum) and counts nothing. A Context is not changed by the
// products it runs and may be shared by goroutines.
type Context struct {
	Provider Provider
	Counter  *Counter     // nil: not counted
	Conv     ConvProvider // convolutions; nil: the compiled-in default (oneDNN, else Im2Col)
}

// New returns a context for the provider of the given name ("onednn", "openblas" or "gonum").
func New(name string) (*Context, error) {
	p, ok := lookup(name)
	if !ok {
		return nil, fmt.Errorf("gemm: unknown provider %q (compiled in: %v)", name, Providers())
	}
	return &Context{Provider: p}, nil
}

// Default returns a context for the provider named by the environment variable FGRELU_GEMM
// and the convolution provider named by FGRELU_CONV, or the compiled-in defaults where they are
// unset or name no provider (EnvError says so).
func Default() *Context {
	c := &Context{Provider: compiledDefault()}
	if name := os.Getenv(envVar); name != "" {
		if n, err := New(name); err == nil {
			c = n
		}
	}
	c.Conv = convFromEnv()
	return c
}

const envVar = "FGRELU_GEMM"

// EnvError returns the error in the environment variable FGRELU_GEMM, if it names no provider
// compiled in; Default then uses the compiled-in default. A command should refuse to run with
// it, a library user may choose to.
func EnvError() error {
	if name := os.Getenv(envVar); name != "" {
		if _, err := New(name); err != nil {
			return fmt.Errorf("%s: %w", envVar, err)
		}
	}
	if name := os.Getenv(convEnvVar); name != "" {
		if _, err := NewConvProvider(name); err != nil {
			return fmt.Errorf("%s: %w", convEnvVar, err)
		}
	}
	return nil
}

// Providers lists the names of the compiled-in providers, the default first.
func Providers() []string {
	var names []string
	for _, p := range cgoProviders() {
		names = append(names, p.Name())
	}
	return append(names, "gonum")
}

func lookup(name string) (Provider, bool) {
	switch {
	case name == "gonum":
		return gonumProvider{}, true
	case native != nil && name == native.Name():
		return native, true
	case onednnProducts != nil && name == onednnProducts.Name():
		return onednnProducts, true
	}
	return nil, false
}

// compiledDefault is the fastest provider compiled in: oneDNN, else OpenBLAS, else gonum.
func compiledDefault() Provider {
	if ps := cgoProviders(); len(ps) > 0 {
		return ps[0]
	}
	return gonumProvider{}
}

// cgoProviders lists the providers compiled in through cgo, fastest first: oneDNN, OpenBLAS.
func cgoProviders() []Provider {
	var ps []Provider
	for _, p := range []Provider{onednnProducts, native} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

// provider is the provider c uses.
func (c *Context) provider() Provider {
	if c == nil || c.Provider == nil {
		return compiledDefault()
	}
	return c.Provider
}

// Name is the name of c's provider.
func (c *Context) Name() string { return c.provider().Name() }

// Counting returns a copy of c that counts its products' floating-point operations in k.
func (c *Context) Counting(k *Counter) *Context {
	return &Context{Provider: c.provider(), Counter: k, Conv: c.convProvider()}
}

// Block sizes. A product is split into at most maxBlocks blocks of at least minBlockMACs
// multiply-adds each, with block edges on multiples of align rows or columns. Fewer blocks
// than cores would leave a core idle; many more than cores only add packing work.
const (
	minBlockMACs = 1 << 18
	maxBlocks    = 8
	align        = 16
)

// Mul computes C = α·op(A)·op(B) + β·C with c's provider, split over goroutines.
func (c *Context) Mul(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, cm []float32, ldc int) {
	c.mul(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, nil, cm, ldc)
}

// MulBias computes C = α·op(A)·op(B) + bias, bias (n values) added to every row, split over
// goroutines as Mul splits: each block of C is filled with the bias by the goroutine that then
// adds its product to it (β = 1), the same bits as filling all of C first, without a pass of
// its own over C.
func (c *Context) MulBias(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, bias []float32, cm []float32, ldc int) {
	if len(bias) < n {
		panic(fmt.Sprintf("gemm: bias of %d values for %d columns", len(bias), n))
	}
	c.mul(transA, transB, m, n, k, alpha, a, lda, b, ldb, 1, bias, cm, ldc)
}

// fillRows writes bias[j0:j1] into columns j0..j1 of rows i0..i1 of C.
func fillRows(bias, cm []float32, ldc, i0, i1, j0, j1 int) {
	for i := i0; i < i1; i++ {
		copy(cm[i*ldc+j0:i*ldc+j1], bias[j0:j1])
	}
}

func (c *Context) mul(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, bias, cm []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkShapes(transA, transB, m, n, k, a, lda, b, ldb, cm, ldc)
	c.count(m, n, k)
	p := c.provider()
	splitRows := m >= n
	long := n
	if splitRows {
		long = m
	}
	blocks := blockCount(m, n, k, long, splitsByCores(p))
	if blocks == 1 {
		if bias != nil {
			fillRows(bias, cm, ldc, 0, m, 0, n)
		}
		p.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
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
			if bias != nil {
				fillRows(bias, cm, ldc, i0, i1, 0, n)
			}
			p.Sgemm(transA, transB, i1-i0, n, k, alpha, a[aOff:], lda, b, ldb, beta, cm[i0*ldc:], ldc)
		} else {
			// Columns i0..i1 of op(B) and of C.
			bOff := i0
			if transB {
				bOff = i0 * ldb
			}
			if bias != nil {
				fillRows(bias, cm, ldc, 0, m, i0, i1)
			}
			p.Sgemm(transA, transB, m, i1-i0, k, alpha, a, lda, b[bOff:], ldb, beta, cm[i0:], ldc)
		}
	}
	par.Do(blocks, run)
}

// splitsByCores reports whether Mul may split p's products into no more blocks than the machine
// has cores: p's bits already depend on the machine (oneDNN's kernels follow its instruction
// set), so a block count that does too costs no reproducibility p has. OpenBLAS's and gonum's
// block counts depend on the shape alone.
func splitsByCores(p Provider) bool {
	b, ok := p.(interface{ SplitsByCores() bool })
	return ok && b.SplitsByCores()
}

// cores is the machine's core count as the process sees it: fixed for a run, whatever
// GOMAXPROCS is set to later.
var cores = runtime.NumCPU()

// blockCount is a function of the shape alone (for a provider that splits by cores, of the
// machine's core count too), never of GOMAXPROCS (see the package comment on determinism). More
// blocks than cores only pack the same operand again: on 2 cores, 2 blocks instead of 8 made
// mnist-ae's steps 5 % and cifar-ae's 9–12 % faster (measured in one process alternating the
// two every 25 steps; cifar-cls the same within 1 %).
func blockCount(m, n, k, long int, byCores bool) int {
	macs := m * n * max(k, 1)
	limit := maxBlocks
	if byCores {
		limit = min(limit, cores)
	}
	blocks := min(limit, macs/minBlockMACs, long/align)
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

// Serial computes the product on the calling goroutine with c's provider. Layers that already
// split their work over goroutines (the convolutions, by images) use it.
func (c *Context) Serial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, cm []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkShapes(transA, transB, m, n, k, a, lda, b, ldb, cm, ldc)
	c.count(m, n, k)
	c.provider().Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
}

// Counter counts floating-point operations (2·m·n·k per product) of the contexts that hold it.
// Benchmarks use it to report the work they actually ran. It is safe for concurrent use.
type Counter struct{ flops atomic.Int64 }

// Take returns the count so far and resets it.
func (k *Counter) Take() int64 { return k.flops.Swap(0) }

// Load returns the count so far.
func (k *Counter) Load() int64 { return k.flops.Load() }

func (c *Context) count(m, n, k int) {
	if c != nil && c.Counter != nil {
		c.Counter.flops.Add(2 * int64(m) * int64(n) * int64(k))
	}
}
