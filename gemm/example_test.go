package gemm_test

import (
	"fmt"

	"github.com/fgrelu/fgrelu/gemm"
)

// A dense layer's forward product: Y = X·Wᵀ with X of 2×3 and W of 2×3 (PyTorch's [out, in]).
func ExampleContext_Mul() {
	x := []float32{1, 2, 3, 4, 5, 6}
	w := []float32{1, 0, 0, 0, 1, 1}
	y := make([]float32, 4)
	var ctx *gemm.Context // nil: the compiled-in default provider
	ctx.Mul(false, true, 2, 2, 3, 1, x, 3, w, 3, 0, y, 2)
	fmt.Println(y)
	// Output: [1 5 4 11]
}
