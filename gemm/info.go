package gemm

import "fmt"

// Describe says which providers c uses and how they were built: the products' (DescribeProducts)
// and the convolutions'.
func (c *Context) Describe() string {
	switch c.ConvName() {
	case "winograd":
		return c.DescribeProducts() + ", convolutions in winograd (" + winogradConfig() + ") and onednn (" + onednnConfig() + ")"
	case "onednn":
		return c.DescribeProducts() + ", convolutions in onednn (" + onednnConfig() + ")"
	}
	return c.DescribeProducts() + ", convolutions as im2col products"
}

// DescribeProducts says which provider c's matrix products use and how it was built, e.g. the
// OpenBLAS kernel OpenBLAS selected for this CPU (which OPENBLAS_CORETYPE can force) or the
// instruction set oneDNN runs.
func (c *Context) DescribeProducts() string {
	switch c.Name() {
	case "openblas":
		return "openblas (" + openblasConfig() + ")"
	case "onednn":
		// Its products split into at most as many blocks as there are cores, which changes
		// their bits: the count is part of what they depend on.
		return fmt.Sprintf("onednn (%s, products in at most %d blocks)", onednnConfig(), min(maxBlocks, cores))
	}
	return c.Name() + " (pure Go)"
}

// Describe describes the Default context.
func Describe() string { return Default().Describe() }
