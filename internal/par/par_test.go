package par

import (
	"math"
	"runtime"
	"testing"
)

func TestForCoversEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100, 1000, 12345} {
		for _, grain := range []int{1, 3, 64, 5000} {
			hits := make([]int32, n)
			For(n, grain, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					hits[i]++
				}
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("n=%d grain=%d: index %d visited %d times", n, grain, i, h)
				}
			}
		}
	}
}

func TestSumIndependentOfGOMAXPROCS(t *testing.T) {
	xs := make([]float64, 100003)
	for i := range xs {
		xs[i] = math.Sin(float64(i)) * 1e-3 * float64(i%97)
	}
	sum := func() float64 {
		return Sum(len(xs), 1000, func(lo, hi int) float64 {
			var s float64
			for _, x := range xs[lo:hi] {
				s += x
			}
			return s
		})
	}
	old := runtime.GOMAXPROCS(1)
	want := sum()
	for _, p := range []int{2, 3, 8} {
		runtime.GOMAXPROCS(p)
		if got := sum(); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("GOMAXPROCS=%d: %v, GOMAXPROCS=1: %v", p, got, want)
		}
	}
	runtime.GOMAXPROCS(old)
}
