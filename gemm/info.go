package gemm

// Describe says which provider is in use and how it was built, e.g. the OpenBLAS kernel
// OpenBLAS selected for this CPU (which OPENBLAS_CORETYPE can force).
func Describe() string {
	if current.Name() == "openblas" {
		return "openblas (" + openblasConfig() + ")"
	}
	return current.Name() + " (pure Go)"
}
