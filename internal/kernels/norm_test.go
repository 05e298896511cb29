package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The compiled batch-norm loops agree with the Go versions bit for bit, channel counts that are
// not a multiple of eight (or four) included.
func TestBatchNormMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, rc := range [][2]int{{37, 64}, {9, 13}, {5, 3}, {128, 16}} {
		rows, cols := rc[0], rc[1]
		n := rows * cols
		x, y := randSlice(r, n, -3, 3), randSlice(r, n, -1, 1)
		s1, q1 := make([]float64, cols), make([]float64, cols)
		s2, q2 := make([]float64, cols), make([]float64, cols)
		for j := range cols { // sums add onto what is there
			s1[j], s2[j] = float64(j), float64(j)
		}
		ColumnSums(x, y, rows, cols, s1, q1)
		columnSumsGo(x, y, rows, cols, s2, q2)
		for j := range cols {
			if math.Float64bits(s1[j]) != math.Float64bits(s2[j]) || math.Float64bits(q1[j]) != math.Float64bits(q2[j]) {
				t.Fatalf("%d×%d column %d: sums %v %v, Go %v %v", rows, cols, j, s1[j], q1[j], s2[j], q2[j])
			}
		}
		mean, inv, g, be := randSlice(r, cols, -1, 1), randSlice(r, cols, 0.5, 2), randSlice(r, cols, -2, 2), randSlice(r, cols, -1, 1)
		h1, y1, h2, y2 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		BatchNormApply(x, mean, inv, g, be, h1, y1, rows, cols)
		batchNormApplyGo(x, mean, inv, g, be, h2, y2, rows, cols)
		same(t, "x̂", h1, h2)
		same(t, "batch norm output", y1, y2)
		dx1, dx2 := make([]float32, n), make([]float32, n)
		BatchNormDX(y, h1, inv, mean, g, dx1, rows, cols)
		batchNormDXGo(y, h1, inv, mean, g, dx2, rows, cols)
		same(t, "batch norm dx", dx1, dx2)
	}
}
