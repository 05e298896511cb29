package tsne

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// chunkSize is the number of consecutive points one task handles. It is a constant, not a
// function of the worker count, and every per-point result is written by exactly one task, so
// the arithmetic done for a point does not depend on how many goroutines share the work.
const chunkSize = 64

// parallelFor calls fn(lo, hi) for the fixed chunks [0,64), [64,128), … of [0, n), spread
// over at most workers goroutines. fn must only write results belonging to points in [lo, hi).
func parallelFor(n, workers int, fn func(lo, hi int)) {
	chunks := (n + chunkSize - 1) / chunkSize
	workers = min(workers, chunks)
	if workers <= 1 {
		for c := range chunks {
			fn(c*chunkSize, min((c+1)*chunkSize, n))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				fn(c*chunkSize, min((c+1)*chunkSize, n))
			}
		})
	}
	wg.Wait()
}

// sparseP is the symmetric joint-probability matrix P in compressed-sparse-row form: row i
// holds the columns col[rowPtr[i]:rowPtr[i+1]] (increasing, never i) with values val[…].
type sparseP struct {
	n      int
	rowPtr []int
	col    []int32
	val    []float64
	plogp  float64 // Σ p_ij log p_ij, the constant part of KL(P‖Q)
}

// affinities computes the sparse joint probabilities of van der Maaten (2014), "Approximating
// Input Similarities": exact k-nearest neighbours with k = min(⌊3·perplexity⌋, n−1), a
// Gaussian conditional distribution over them whose bandwidth matches the perplexity
// (van der Maaten & Hinton 2008, eq. 1 and §2), and the symmetrisation
// p_ij = (p_{j|i} + p_{i|j}) / 2N (van der Maaten 2014; van der Maaten & Hinton 2008, §3.1).
func affinities(x []float32, n, d int, perplexity float64, workers int) *sparseP {
	k := min(int(3*perplexity), n-1)
	idx, sq := nearestNeighbours(x, n, d, k, workers)
	cond := make([]float64, n*k)
	parallelFor(n, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			conditional(sq[i*k:(i+1)*k], perplexity, cond[i*k:(i+1)*k])
		}
	})
	return symmetrise(n, k, idx, cond)
}

// nearestNeighbours returns, for every point, its k nearest other points (idx) and their
// squared Euclidean distances (sq), each row sorted by increasing (distance, index). It is a
// blocked brute force: a chunk of query rows is compared against every point in turn, so each
// candidate row is read once per chunk instead of once per query.
func nearestNeighbours(x32 []float32, n, d, k, workers int) (idx []int32, sq []float64) {
	// Widening once, rather than in every distance, saves about a third of the time.
	x := make([]float64, len(x32))
	for t, v := range x32 {
		x[t] = float64(v)
	}
	idx = make([]int32, n*k)
	sq = make([]float64, n*k)
	parallelFor(n, workers, func(lo, hi int) {
		rows := hi - lo
		hd := make([]float64, rows*k) // max-heaps by (distance, index), one per query row
		hi32 := make([]int32, rows*k)
		size := make([]int, rows)
		for j := range n {
			xj := x[j*d : (j+1)*d]
			for r := range rows {
				i := lo + r
				if i == j {
					continue
				}
				dist := sqDist(x[i*d:(i+1)*d], xj)
				h, hidx := hd[r*k:(r+1)*k], hi32[r*k:(r+1)*k]
				if size[r] < k {
					heapPush(h, hidx, size[r], dist, int32(j))
					size[r]++
				} else if dist < h[0] {
					// Equal distances keep the earlier (smaller) index: j only grows.
					heapReplaceTop(h, hidx, k, dist, int32(j))
				}
			}
		}
		for r := range rows {
			h, hidx := hd[r*k:(r+1)*k], hi32[r*k:(r+1)*k]
			i := lo + r
			// Pop the maximum repeatedly, filling the output from the back.
			for m := k; m > 0; m-- {
				sq[i*k+m-1], idx[i*k+m-1] = h[0], hidx[0]
				h[0], hidx[0] = h[m-1], hidx[m-1]
				siftDown(h, hidx, m-1, 0)
			}
		}
	})
	return idx, sq
}

// sqDist is Σ (a_t − b_t)², with four partial sums to overlap the additions.
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	t := 0
	for ; t+4 <= len(a); t += 4 {
		d0 := a[t] - b[t]
		d1 := a[t+1] - b[t+1]
		d2 := a[t+2] - b[t+2]
		d3 := a[t+3] - b[t+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; t < len(a); t++ {
		dt := a[t] - b[t]
		s0 += dt * dt
	}
	return (s0 + s1) + (s2 + s3)
}

// heapLess orders heap entries by distance, then index, so that the k nearest neighbours are
// uniquely defined even with ties.
func heapLess(da float64, ia int32, db float64, ib int32) bool {
	return da < db || (da == db && ia < ib)
}

func heapPush(h []float64, hidx []int32, size int, dist float64, j int32) {
	c := size
	h[c], hidx[c] = dist, j
	for c > 0 {
		p := (c - 1) / 2
		if !heapLess(h[p], hidx[p], h[c], hidx[c]) {
			break
		}
		h[p], h[c] = h[c], h[p]
		hidx[p], hidx[c] = hidx[c], hidx[p]
		c = p
	}
}

func heapReplaceTop(h []float64, hidx []int32, size int, dist float64, j int32) {
	h[0], hidx[0] = dist, j
	siftDown(h, hidx, size, 0)
}

func siftDown(h []float64, hidx []int32, size, p int) {
	for {
		c := 2*p + 1
		if c >= size {
			return
		}
		if c+1 < size && heapLess(h[c], hidx[c], h[c+1], hidx[c+1]) {
			c++
		}
		if !heapLess(h[p], hidx[p], h[c], hidx[c]) {
			return
		}
		h[p], h[c] = h[c], h[p]
		hidx[p], hidx[c] = hidx[c], hidx[p]
		p = c
	}
}

// Perplexity search settings, as in van der Maaten's reference bhtsne: stop when the entropy
// is within perplexityTol nats of log(perplexity), or after perplexityIters bisection steps.
const (
	perplexityTol   = 1e-5
	perplexityIters = 200
)

// conditional fills p with p_{j|i} ∝ exp(−β_i·‖x_i − x_j‖²) over one point's neighbours, whose
// squared distances sq are sorted increasingly, with β_i = 1/2σ_i² found by bisection so that
// the entropy H = −Σ p log p equals log(perplexity) (van der Maaten & Hinton 2008, §2).
// Distances are shifted by sq[0] before exponentiating; the shift cancels on normalising and
// keeps the largest term equal to 1, so the sum can neither overflow nor vanish.
func conditional(sq []float64, perplexity float64, p []float64) {
	target := math.Log(perplexity)
	beta, lo, hi := 1.0, 0.0, math.Inf(1)
	var sum float64
	for it := 0; ; it++ {
		// H = log S + β·Σ_j p_j·s_j with s_j = sq_j − sq_0, S = Σ_j exp(−β s_j).
		sum = 0
		var ws float64
		for j, s := range sq {
			s -= sq[0]
			e := math.Exp(-beta * s)
			p[j] = e
			sum += e
			ws += e * s
		}
		h := math.Log(sum) + beta*ws/sum
		if math.Abs(h-target) < perplexityTol || it == perplexityIters-1 {
			break
		}
		if h > target { // too flat: narrow the Gaussian
			lo = beta
			if math.IsInf(hi, 1) {
				beta *= 2
			} else {
				beta = (beta + hi) / 2
			}
		} else {
			hi = beta
			beta = (beta + lo) / 2
		}
	}
	for j := range p {
		p[j] /= sum
	}
}

// symmetrise forms P = (C + Cᵀ) / Σ(C + Cᵀ) from the conditional matrix C whose row i has
// the k entries cond[i·k:…] in columns idx[i·k:…]. Each row of C sums to 1, so the divisor is
// 2N up to rounding, as in van der Maaten (2014); dividing by the actual sum makes P sum
// to 1 to the last bit that matters for KL.
func symmetrise(n, k int, idx []int32, cond []float64) *sparseP {
	type entry struct {
		j int32
		v float64
	}
	// Row i of C sorted by column.
	rows := make([]entry, n*k)
	for i := range n {
		r := rows[i*k : (i+1)*k]
		for m := range r {
			r[m] = entry{idx[i*k+m], cond[i*k+m]}
		}
		slices.SortFunc(r, func(a, b entry) int { return int(a.j) - int(b.j) })
	}
	// Cᵀ by counting sort on the column: visiting rows in increasing i keeps each
	// transposed row sorted.
	tptr := make([]int, n+1)
	for _, j := range idx {
		tptr[j+1]++
	}
	for j := range n {
		tptr[j+1] += tptr[j]
	}
	trans := make([]entry, n*k)
	fill := slices.Clone(tptr[:n])
	for i := range n {
		for m := range k {
			j := idx[i*k+m]
			trans[fill[j]] = entry{int32(i), cond[i*k+m]}
			fill[j]++
		}
	}
	// Merge row i of C with row i of Cᵀ.
	p := &sparseP{n: n, rowPtr: make([]int, n+1)}
	p.col = make([]int32, 0, 2*n*k)
	p.val = make([]float64, 0, 2*n*k)
	for i := range n {
		a, b := rows[i*k:(i+1)*k], trans[tptr[i]:tptr[i+1]]
		for len(a) > 0 || len(b) > 0 {
			switch {
			case len(b) == 0 || (len(a) > 0 && a[0].j < b[0].j):
				p.col, p.val = append(p.col, a[0].j), append(p.val, a[0].v)
				a = a[1:]
			case len(a) == 0 || b[0].j < a[0].j:
				p.col, p.val = append(p.col, b[0].j), append(p.val, b[0].v)
				b = b[1:]
			default:
				p.col, p.val = append(p.col, a[0].j), append(p.val, a[0].v+b[0].v)
				a, b = a[1:], b[1:]
			}
		}
		p.rowPtr[i+1] = len(p.col)
	}
	var total float64
	for _, v := range p.val {
		total += v
	}
	for m, v := range p.val {
		v /= total
		p.val[m] = v
		if v > 0 {
			p.plogp += v * math.Log(v)
		}
	}
	return p
}
