// The instruction sets the kernels may use, decided once per process: each kernel has a scalar
// version and an AVX2 one (compiled with the target attribute, so the rest stays baseline
// x86-64); the heaviest have an AVX-512 one too. fg_isa_cap lowers the choice: the tests set it
// to run every comparison on each version a CPU may take, and the environment variable
// FGRELU_KERNEL_ISA (scalar, avx2) sets it, so that a benchmark can run what an older CPU would.
#ifndef FG_CPU_H
#define FG_CPU_H
// No fused multiply-add, also where CGO_CFLAGS turns FMA on (-march=native) and in the AVX-512
// versions (whose target includes FMA): the kernels must round as the Go versions do. (cgo
// refuses -ffp-contract=off among #cgo CFLAGS.)
#pragma GCC optimize("fp-contract=off")
#include <stdlib.h>
#include <string.h>
enum { FG_SCALAR = 0, FG_AVX2_ISA = 1, FG_AVX512_ISA = 2 };
static int fg_isa_cap = -1; // -1: from FGRELU_KERNEL_ISA on first use
static int fg_set_isa_cap(int cap) {
	int old = fg_isa_cap;
	fg_isa_cap = cap;
	return old;
}
static int fg_cap(void) {
	if (fg_isa_cap < 0) {
		const char *s = getenv("FGRELU_KERNEL_ISA");
		fg_isa_cap = FG_AVX512_ISA;
		if (s && strcmp(s, "scalar") == 0) fg_isa_cap = FG_SCALAR;
		if (s && strcmp(s, "avx2") == 0) fg_isa_cap = FG_AVX2_ISA;
	}
	return fg_isa_cap;
}
#if defined(__x86_64__)
static int fg_has_avx2(void) {
	static int cached = -1;
	if (cached < 0) cached = __builtin_cpu_supports("avx2") ? 1 : 0;
	return cached && fg_cap() >= FG_AVX2_ISA;
}
static int fg_has_avx512(void) {
	static int cached = -1;
	if (cached < 0) cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") ? 1 : 0;
	return cached && fg_cap() >= FG_AVX512_ISA;
}
#else
static int fg_has_avx2(void) { return 0; }
static int fg_has_avx512(void) { return 0; }
#endif
// fg_isa is the widest version the kernels run: FG_SCALAR, FG_AVX2_ISA or FG_AVX512_ISA.
static int fg_isa(void) { return fg_has_avx512() ? FG_AVX512_ISA : fg_has_avx2() ? FG_AVX2_ISA : FG_SCALAR; }
#endif
