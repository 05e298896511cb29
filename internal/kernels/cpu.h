// fg_has_avx2 reports, once per process, whether the CPU runs AVX2: each kernel has an AVX2
// version (compiled with the target attribute, so the rest stays baseline x86-64) and picks it
// at run time. fg_scalar_only, set by the tests, makes every kernel take its scalar version, so
// that both are compared with the Go versions on a machine with AVX2.
#ifndef FG_CPU_H
#define FG_CPU_H
// No fused multiply-add, also where CGO_CFLAGS turns FMA on (-march=native): the kernels must
// round as the Go versions do. (cgo refuses -ffp-contract=off among #cgo CFLAGS.)
#pragma GCC optimize("fp-contract=off")
static int fg_scalar_only = 0;
static void fg_set_scalar_only(int on) { fg_scalar_only = on; }
#if defined(__x86_64__)
static int fg_has_avx2(void) {
	static int cached = -1;
	if (cached < 0) cached = __builtin_cpu_supports("avx2") ? 1 : 0;
	return cached && !fg_scalar_only;
}
#else
static int fg_has_avx2(void) { return 0; }
#endif
#endif
