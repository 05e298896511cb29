package kernels

import "fmt"

// ColumnSums adds, for each of the cols columns of the rows × cols matrices a and b, Σ a into
// s and Σ a·b into q, in float64, row after row (b = a gives the sums of squares).
func ColumnSums(a, b []float32, rows, cols int, s, q []float64) {
	if len(a) != rows*cols || len(b) != rows*cols || len(s) != cols || len(q) != cols {
		panic(fmt.Sprintf("kernels: ColumnSums of %d×%d with %d, %d values and %d, %d sums", rows, cols, len(a), len(b), len(s), len(q)))
	}
	if rows > 0 && cols > 0 {
		columnSums(a, b, rows, cols, s, q)
	}
}

// BatchNormApply writes x̂ = (x − mean)·inv and y = γ·x̂ + β, column by column (per-column
// vectors of cols values).
func BatchNormApply(x, mean, inv, gamma, beta, xhat, y []float32, rows, cols int) {
	n := rows * cols
	if len(x) != n || len(xhat) != n || len(y) != n || len(mean) != cols || len(inv) != cols || len(gamma) != cols || len(beta) != cols {
		panic(fmt.Sprintf("kernels: BatchNormApply of %d×%d", rows, cols))
	}
	if n > 0 {
		batchNormApply(x, mean, inv, gamma, beta, xhat, y, rows, cols)
	}
}

// BatchNormDX writes dx = scale·(dy − meanDy − x̂·meanDyX), column by column.
func BatchNormDX(dy, xhat, scale, meanDy, meanDyX, dx []float32, rows, cols int) {
	n := rows * cols
	if len(dy) != n || len(xhat) != n || len(dx) != n || len(scale) != cols || len(meanDy) != cols || len(meanDyX) != cols {
		panic(fmt.Sprintf("kernels: BatchNormDX of %d×%d", rows, cols))
	}
	if n > 0 {
		batchNormDX(dy, xhat, scale, meanDy, meanDyX, dx, rows, cols)
	}
}

// columnSumsGo, batchNormApplyGo and batchNormDXGo are the Go versions (the fallback without
// cgo, and the tests' reference).
func columnSumsGo(a, b []float32, rows, cols int, s, q []float64) {
	for r := range rows {
		for j := range cols {
			v := float64(a[r*cols+j])
			s[j] += v
			q[j] += v * float64(b[r*cols+j])
		}
	}
}

func batchNormApplyGo(x, mean, inv, gamma, beta, xhat, y []float32, rows, cols int) {
	for r := range rows {
		for j := range cols {
			i := r*cols + j
			h := (x[i] - mean[j]) * inv[j]
			xhat[i] = h
			y[i] = gamma[j]*h + beta[j]
		}
	}
}

func batchNormDXGo(dy, xhat, scale, meanDy, meanDyX, dx []float32, rows, cols int) {
	for r := range rows {
		for j := range cols {
			i := r*cols + j
			dx[i] = scale[j] * (dy[i] - meanDy[j] - xhat[i]*meanDyX[j])
		}
	}
}
