// A rectifier scaled by a constant c > 0, forward and backward; see relu.go. fg_relu and
// fg_relu8 are max(u, 0) as Go's max computes it (NaN stays NaN, −0 gives +0), also for gate.h.
#ifndef FG_RELU_H
#define FG_RELU_H
#include "cpu.h"

static inline float fg_relu(float u) { return u > 0 ? u : (u != u ? u : 0.0f); }

static void fg_relu_fwd_scalar(const float *x, float *y, float c, long n) {
	for (long i = 0; i < n; i++) {
		float v = x[i];
		y[i] = c * fg_relu(v);
	}
}

static void fg_relu_bwd_scalar(const float *s, const float *dy, float *dx, float c, long n) {
	for (long i = 0; i < n; i++) dx[i] = s[i] > 0 ? c * dy[i] : 0.0f;
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2"))) static inline __m256 fg_relu8(__m256 u) {
	// max_ps gives 0 for NaN (and +0 for −0); the NaNs are put back
	return _mm256_blendv_ps(_mm256_max_ps(u, _mm256_setzero_ps()), u, _mm256_cmp_ps(u, u, _CMP_UNORD_Q));
}

__attribute__((target("avx2"))) static void fg_relu_fwd_avx2(const float *x, float *y, float c, long n) {
	const __m256 cc = _mm256_set1_ps(c);
	long i = 0;
	for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(cc, fg_relu8(_mm256_loadu_ps(x + i))));
	fg_relu_fwd_scalar(x + i, y + i, c, n - i);
}

__attribute__((target("avx2"))) static void fg_relu_bwd_avx2(const float *s, const float *dy, float *dx, float c, long n) {
	const __m256 zero = _mm256_setzero_ps(), cc = _mm256_set1_ps(c);
	long i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 on = _mm256_cmp_ps(_mm256_loadu_ps(s + i), zero, _CMP_GT_OQ);
		_mm256_storeu_ps(dx + i, _mm256_and_ps(_mm256_mul_ps(cc, _mm256_loadu_ps(dy + i)), on));
	}
	fg_relu_bwd_scalar(s + i, dy + i, dx + i, c, n - i);
}
#else
#define fg_relu_fwd_avx2 fg_relu_fwd_scalar
#define fg_relu_bwd_avx2 fg_relu_bwd_scalar
#endif

static void fg_relu_fwd(const float *x, float *y, float c, long n) {
	if (fg_has_avx2())
		fg_relu_fwd_avx2(x, y, c, n);
	else
		fg_relu_fwd_scalar(x, y, c, n);
}

static void fg_relu_bwd(const float *s, const float *dy, float *dx, float c, long n) {
	if (fg_has_avx2())
		fg_relu_bwd_avx2(s, dy, dx, c, n);
	else
		fg_relu_bwd_scalar(s, dy, dx, c, n);
}
#endif
