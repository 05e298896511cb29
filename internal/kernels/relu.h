// A rectifier scaled by a constant c > 0, forward and backward; see relu.go.
#include "cpu.h"

static void fg_relu_fwd_scalar(const float *x, float *y, float c, long n) {
	for (long i = 0; i < n; i++) {
		float v = x[i];
		y[i] = c * (v > 0 ? v : (v != v ? v : 0.0f)); // Go's max(v, 0): NaN stays NaN, −0 gives +0
	}
}

static void fg_relu_bwd_scalar(const float *s, const float *dy, float *dx, float c, long n) {
	for (long i = 0; i < n; i++) dx[i] = s[i] > 0 ? c * dy[i] : 0.0f;
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2"))) static void fg_relu_fwd_avx2(const float *x, float *y, float c, long n) {
	const __m256 zero = _mm256_setzero_ps(), cc = _mm256_set1_ps(c);
	long i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 v = _mm256_loadu_ps(x + i);
		__m256 r = _mm256_blendv_ps(_mm256_max_ps(v, zero), v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
		_mm256_storeu_ps(y + i, _mm256_mul_ps(cc, r));
	}
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
