package gemm

// Describe says which provider c uses and how it was built, e.g. the OpenBLAS kernel OpenBLAS
// selected for this CPU (which OPENBLAS_CORETYPE can force).
func (c *Context) Describe() string {
	if c.Name() == "openblas" {
		return "openblas (" + openblasConfig() + ")"
	}
	return c.Name() + " (pure Go)"
}

// Describe describes the Default context.
func Describe() string { return Default().Describe() }
