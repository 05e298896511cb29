package nn

import (
	"sync"

	"github.com/fgrelu/fgrelu/gemm"
)

// convCache holds a convolution layer's provider convolutions (gemm.Conv), one per geometry and
// provider: training and evaluation batches differ in size, and each size has its own. A layer
// whose provider has none (gemm.Im2Col) computes im2col products instead.
type convCache struct {
	mu sync.Mutex
	m  map[convKey]gemm.Conv
}

type convKey struct {
	provider string
	geom     gemm.ConvGeom
}

// acquire returns the provider's convolution for g, locked for the caller until it calls
// release, or nil (and a release that does nothing) when the layer computes its own. A
// provider that cannot make one for g leaves the layer to compute its own, too.
func (cc *convCache) acquire(ctx *gemm.Context, g gemm.ConvGeom) (cv gemm.Conv, release func()) {
	cc.mu.Lock()
	key := convKey{ctx.ConvName(), g}
	cv, ok := cc.m[key]
	if !ok {
		var err error
		if cv, err = ctx.NewConv(g); err != nil {
			cv = nil
		}
		if cc.m == nil {
			cc.m = map[convKey]gemm.Conv{}
		}
		cc.m[key] = cv
	}
	if cv == nil {
		cc.mu.Unlock()
		return nil, func() {}
	}
	return cv, cc.mu.Unlock
}

// addBias adds b to every row of y (rows of len(b) values).
func addBias(y, b []float32) {
	for r := 0; r < len(y); r += len(b) {
		row := y[r : r+len(b)]
		for j, v := range b {
			row[j] += v
		}
	}
}
