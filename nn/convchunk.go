package nn

import "github.com/fgrelu/fgrelu/internal/par"

// The convolution layers split a batch into a fixed number of groups of images, computed in
// parallel; each group accumulates its own partial weight gradient, and the partials are added
// in group order, so the result does not depend on the number of cores. Inside a group, images
// go through im2col and the product a few at a time, so that the patch matrix stays in cache.
const (
	convGroups     = 8       // groups per batch (fewer when the batch is smaller)
	convStepValues = 1 << 19 // patch-matrix values per step (2 MiB)
)

// groupsOf returns the number of groups for a batch of n.
func groupsOf(n int) int { return max(1, min(n, convGroups)) }

// stepOf returns how many images one step takes when each image has perImage patch values.
func stepOf(perImage int) int { return max(1, convStepValues/max(perImage, 1)) }

// scratch holds one buffer per goroutine.
type scratch [][]float32

// reserve makes room for k workers' buffers. It runs before the parallel loop, so that get
// never grows the list while other goroutines read it.
func (s *scratch) reserve(k int) {
	for len(*s) < k {
		*s = append(*s, nil)
	}
}

// get returns worker w's buffer, at least n long.
func (s *scratch) get(w, n int) []float32 {
	if len((*s)[w]) < n {
		(*s)[w] = make([]float32, n)
	}
	return (*s)[w][:n]
}

// forGroups runs body(w, g, n0, n1) for every group g of images [n0, n1) of a batch of n,
// after reserving a scratch buffer per goroutine in each of bufs.
func forGroups(n int, bufs []*scratch, body func(w, g, n0, n1 int)) {
	groups := groupsOf(n)
	workers := par.Workers(groups)
	for _, b := range bufs {
		b.reserve(workers)
	}
	par.DoWorker(groups, workers, func(w, g int) {
		n0, n1 := par.Bounds(g, groups, n)
		body(w, g, n0, n1)
	})
}

// addPartials adds the groups' partial gradients, in group order, into grad.
func addPartials(grad []float32, partials []float32, groups int) {
	size := len(grad)
	for g := range groups {
		for i, v := range partials[g*size : (g+1)*size] {
			grad[i] += v
		}
	}
}

// zeroed returns (*buf)[:n] cleared, growing *buf when it is shorter: the groups' partial
// weight gradients, kept from step to step.
func zeroed(buf *[]float32, n int) []float32 {
	if len(*buf) < n {
		*buf = make([]float32, n)
	}
	clear((*buf)[:n])
	return (*buf)[:n]
}
