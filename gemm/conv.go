package gemm

import (
	"fmt"
	"os"
)

// ConvGeom describes one 2-D convolution: N images of H×W×C and N grids of OH×OW×O, both
// channels last; a K×K kernel stored [O, K, K, C]; the stride; the top and left padding (the
// bottom and right padding is whatever makes the grid OH×OW). Bias: the forward adds one and the
// weight gradient has one. A transposed convolution is this convolution run backwards.
type ConvGeom struct {
	N, H, W, C     int
	OH, OW, O      int
	K, Stride, Pad int
	Bias           bool
}

// FLOPs is the work of each of the three products (forward, input gradient, weight gradient):
// 2·N·OH·OW·O·K²·C, what the im2col products count.
func (g ConvGeom) FLOPs() int64 {
	return 2 * int64(g.N) * int64(g.OH) * int64(g.OW) * int64(g.O) * int64(g.K) * int64(g.K) * int64(g.C)
}

// Conv computes the convolutions of one geometry. Its methods may be called from one goroutine
// at a time; each spreads its work over the machine's cores itself.
type Conv interface {
	// Forward: y = conv(x, w) + b, y overwritten (b is read only when the geometry has a bias).
	Forward(x, w, b, y []float32)
	// BackwardData: dx = the adjoint of the convolution applied to dy, dx overwritten.
	BackwardData(dy, w, dx []float32)
	// BackwardWeights: dw += ∂L/∂w and db += ∂L/∂b (when the geometry has a bias).
	BackwardWeights(x, dy, dw, db []float32)
}

// LeavesBackwardData reports whether cv leaves BackwardData to the layer's own im2col
// products: a provider may have a convolution for a geometry and still be the slower at that
// product (an input gradient, or a transposed convolution's forward). The layer then computes
// it itself.
func LeavesBackwardData(cv Conv) bool {
	l, ok := cv.(interface{ LeavesBackwardData() bool })
	return ok && l.LeavesBackwardData()
}

// ConvProvider makes the convolutions of a given geometry. NewConv returns nil and no error when
// the provider has none for that geometry: the layer then runs its own im2col products.
type ConvProvider interface {
	Name() string
	NewConv(g ConvGeom) (Conv, error)
}

// Im2Col is the convolution provider that has no convolutions: layers compute theirs as im2col
// followed by the context's matrix products, bit-identical on every machine and for every
// GOMAXPROCS.
var Im2Col ConvProvider = im2colProvider{}

type im2colProvider struct{}

func (im2colProvider) Name() string                   { return "im2col" }
func (im2colProvider) NewConv(ConvGeom) (Conv, error) { return nil, nil }

// convProvider is the convolution provider c uses: its own, else the compiled-in default.
func (c *Context) convProvider() ConvProvider {
	if c == nil || c.Conv == nil {
		return compiledConvDefault()
	}
	return c.Conv
}

// ConvName is the name of c's convolution provider.
func (c *Context) ConvName() string { return c.convProvider().Name() }

// NewConv returns c's convolution for the geometry, or nil when layers should run their own
// im2col products.
func (c *Context) NewConv(g ConvGeom) (Conv, error) { return c.convProvider().NewConv(g) }

// CountConv counts one of g's three products in c's counter, if it has one.
func (c *Context) CountConv(g ConvGeom) {
	if c != nil && c.Counter != nil {
		c.Counter.flops.Add(g.FLOPs())
	}
}

// ConvProviders lists the compiled-in convolution providers, the default first.
func ConvProviders() []string {
	if nativeConv != nil {
		return []string{winogradConvs.Name(), nativeConv.Name(), Im2Col.Name()}
	}
	return []string{Im2Col.Name()}
}

// compiledConvDefault is Winograd's for the layers it takes and oneDNN for the rest, where oneDNN
// is compiled in; else im2col.
func compiledConvDefault() ConvProvider {
	if winogradConvs != nil {
		return winogradConvs
	}
	return Im2Col
}

// NewConvProvider returns the convolution provider of the given name ("winograd", "onednn" or
// "im2col").
func NewConvProvider(name string) (ConvProvider, error) {
	switch {
	case name == Im2Col.Name():
		return Im2Col, nil
	case nativeConv != nil && name == nativeConv.Name():
		return nativeConv, nil
	case winogradConvs != nil && name == winogradConvs.Name():
		return winogradConvs, nil
	}
	return nil, fmt.Errorf("gemm: unknown convolution provider %q (compiled in: %v)", name, ConvProviders())
}

const convEnvVar = "FGRELU_CONV"

// convFromEnv is the provider FGRELU_CONV names, or nil (the compiled-in default).
func convFromEnv() ConvProvider {
	if name := os.Getenv(convEnvVar); name != "" {
		if p, err := NewConvProvider(name); err == nil {
			return p
		}
	}
	return nil
}
