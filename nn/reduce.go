package nn

import (
	"slices"

	"github.com/fgrelu/fgrelu/internal/par"
)

// addColumnSums adds the column sums of the rows×cols matrix src into dst, accumulating in
// float64. Rows are cut into chunks fixed by the shape (internal/par), each chunk sums on its
// own goroutine, and the partial sums are added in chunk order, so the result is reproducible.
// The partial sums live in *scratch, grown as needed and kept by the caller (a layer's state), so
// that a training step leaves no garbage behind.
func addColumnSums(dst, src []float32, rows, cols int, scratch *[]float64) {
	c := par.Chunks(rows, par.RowGrain(par.ColumnGrain, cols))
	*scratch = slices.Grow((*scratch)[:0], c*cols)[:c*cols]
	parts := *scratch
	clear(parts)
	par.Do(c, func(i int) {
		lo, hi := par.Bounds(i, c, rows)
		acc := parts[i*cols : (i+1)*cols]
		for r := lo; r < hi; r++ {
			for j, v := range src[r*cols : (r+1)*cols] {
				acc[j] += float64(v)
			}
		}
	})
	for j := range cols {
		var s float64
		for i := range c {
			s += parts[i*cols+j]
		}
		dst[j] += float32(s)
	}
}

// elementwise runs body over [0, n) in chunks of at least par.ElementGrain values, in parallel.
func elementwise(n int, body func(lo, hi int)) { par.For(n, par.ElementGrain, body) }

// rowGrain is the number of examples of perRow values each that make a chunk of parallel work
// worth handing to another goroutine (about 16 384 values).
func rowGrain(perRow int) int { return par.RowGrain(par.ElementGrain, perRow) }
