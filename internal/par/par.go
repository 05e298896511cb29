package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// MaxChunks bounds how many chunks a loop is cut into.
const MaxChunks = 64

// Grains: the least work of one chunk, in values, for the loops of this module. A chunk must be
// large enough that handing it to a goroutine costs little beside it. The values also fix where
// chunk boundaries fall, and so the order in which partial sums are added: changing one changes
// results in their last bits.
const (
	// ElementGrain is for elementwise loops (activations, dropout, a loss's per-value terms).
	ElementGrain = 1 << 14
	// ColumnGrain is for column reductions that keep float64 partial sums per column (batch-norm
	// statistics, bias gradients): half ElementGrain, as each value costs about twice as much.
	ColumnGrain = 1 << 13
	// UpdateGrain is for an optimiser's update of a parameter tensor.
	UpdateGrain = 1 << 15
)

// RowGrain is the number of rows of perRow values each that make a chunk of at least grain
// values (and at least one row).
func RowGrain(grain, perRow int) int { return max(1, grain/max(perRow, 1)) }

// Chunks returns how many chunks of at least grain items each [0, n) is cut into by Sum and by
// callers of Bounds that reduce over them: a function of n and grain alone (For rounds it up).
func Chunks(n, grain int) int {
	if n <= 0 {
		return 0
	}
	c := n / max(grain, 1)
	return max(1, min(c, MaxChunks))
}

// Bounds returns chunk i of c over [0, n).
func Bounds(i, c, n int) (lo, hi int) {
	return i * n / c, (i + 1) * n / c
}

// For runs body over chunks of [0, n) in parallel: Chunks(n, grain) of them, rounded up to a
// multiple of the goroutines that run them, so that no goroutine gets a chunk more than another
// (3 chunks on 2 cores took as long as 4). Its bodies must therefore give the same results
// whatever the chunks (elementwise work); reductions, whose sums follow the chunks, use Sum or
// Chunks and Bounds, which depend on n and grain alone.
func For(n, grain int, body func(lo, hi int)) {
	c := Chunks(n, grain)
	if w := Workers(c); c > 1 && c%w != 0 {
		c = min(n, (c/w+1)*w)
	}
	Do(c, func(i int) {
		lo, hi := Bounds(i, c, n)
		body(lo, hi)
	})
}

// Do runs body(i) for i in [0, n) on up to GOMAXPROCS goroutines, the caller's included.
func Do(n int, body func(i int)) {
	DoWorker(n, Workers(n), func(_, i int) { body(i) })
}

// Workers is how many goroutines Do and DoWorker use for n items.
func Workers(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n)) }

// DoWorker is Do on at most workers goroutines that also tells body which one runs it
// (0 ≤ w < workers), so that body can use scratch memory of its own. The caller reads workers
// once, normally Workers(n), and sizes that memory by it: GOMAXPROCS may change before DoWorker
// would read it again. Results must not depend on w.
func DoWorker(n, workers int, body func(w, i int)) {
	workers = max(1, min(workers, n))
	if workers <= 1 {
		for i := range n {
			body(0, i)
		}
		return
	}
	if helpers.do(n, workers, body) {
		return
	}
	var next atomic.Int64
	work := func(w int) {
		for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
			body(w, i)
		}
	}
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() { defer wg.Done(); work(w) }()
	}
	work(0)
	wg.Wait()
}

// Sum returns Σ f(lo, hi) over the chunks of [0, n), each chunk's partial sum computed in
// parallel and the partials added in chunk order, so the total is reproducible.
func Sum(n, grain int, f func(lo, hi int) float64) float64 {
	c := Chunks(n, grain)
	parts := make([]float64, c)
	Do(c, func(i int) {
		lo, hi := Bounds(i, c, n)
		parts[i] = f(lo, hi)
	})
	var s float64
	for _, p := range parts {
		s += p
	}
	return s
}
