// Elementwise kernels; see doc.go. Each has a portable scalar version and, on x86-64, an AVX2
// version written with intrinsics (the heaviest an AVX-512 one too, kernels512.h), chosen at run
// time by the CPU. All use the same operations in the same order and no fused multiply-add, so
// they round identically (as does the Go fallback in kernels_go.go).
#include "cpu.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

// ---- scalar versions ----

// Cephes expf, without branches; inputs below -87.3 give the smallest normal result.
static inline float fg_expf(float x) {
	x = x < 88.72283905206835f ? x : 88.72283905206835f;
	x = x > -87.33654475055310898657f ? x : -87.33654475055310898657f;
	float n = floorf(1.44269504088896341f * x + 0.5f);
	float r = x - n * 0.693359375f - n * -2.12194440e-4f;
	float p = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r + 4.1665795894e-2f) * r +
	           1.6666665459e-1f) * r + 5.0000001201e-1f;
	float y = p * r * r + r + 1.0f;
	uint32_t bits = (uint32_t)((int32_t)n + 127) << 23;
	float s;
	memcpy(&s, &bits, 4);
	return y * s;
}

// Cephes logf for normal x > 0, without branches.
static inline float fg_logf(float x) {
	uint32_t bits;
	memcpy(&bits, &x, 4);
	float e = (float)((int32_t)((bits >> 23) & 0xff) - 126);
	bits = (bits & 0x807fffffu) | 0x3f000000u;
	float m;
	memcpy(&m, &bits, 4);
	float f;
	if (m < 0.70710678118654752440f) {
		e = e - 1.0f;
		f = m + m - 1.0f;
	} else {
		f = m - 1.0f;
	}
	float z = f * f;
	float y = ((((((((7.0376836292e-2f * f - 1.1514610310e-1f) * f + 1.1676998740e-1f) * f - 1.2420140846e-1f) * f +
	                1.4249322787e-1f) * f - 1.6668057665e-1f) * f + 2.0000714765e-1f) * f - 2.4999993993e-1f) * f +
	           3.3333331174e-1f) * f * z;
	y += -2.12194440e-4f * e;
	y += -0.5f * z;
	return f + y + 0.693359375f * e;
}

static inline float fg_sigmoid1(float v) {
	float e = fg_expf(-fabsf(v));
	float s = 1.0f / (1.0f + e);
	return v < 0 ? s * e : s;
}

static inline float fg_bce1(float z, float y, float t) {
	float big = y > 1.0f - y ? y : 1.0f - y;
	return ((z > 0 ? z : 0.0f) - t * z) - fg_logf(big);
}

static inline void fg_adam1(float *w, const float *g, float *m, float *v, long i, float b1, float b2, float c1, float c2,
                            float step, float sq, float eps) {
	float gi = g[i];
	float mi = b1 * m[i] + c1 * gi;
	float vi = b2 * v[i] + c2 * gi * gi;
	m[i] = mi;
	v[i] = vi;
	w[i] -= step * mi / (sqrtf(vi) / sq + eps);
}

// ---- AVX2 versions ----
#if defined(__x86_64__)
#include <immintrin.h>
#define FG_AVX2 __attribute__((target("avx2")))

FG_AVX2 static inline __m256 fg_expf8(__m256 x) {
	x = _mm256_min_ps(x, _mm256_set1_ps(88.72283905206835f));
	x = _mm256_max_ps(x, _mm256_set1_ps(-87.33654475055310898657f));
	__m256 n = _mm256_floor_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(1.44269504088896341f), x), _mm256_set1_ps(0.5f)));
	__m256 r = _mm256_sub_ps(_mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps(0.693359375f))),
	                         _mm256_mul_ps(n, _mm256_set1_ps(-2.12194440e-4f)));
	__m256 p = _mm256_set1_ps(1.9875691500e-4f);
	p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.3981999507e-3f));
	p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(8.3334519073e-3f));
	p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(4.1665795894e-2f));
	p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.6666665459e-1f));
	p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(5.0000001201e-1f));
	__m256 y = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r), _mm256_set1_ps(1.0f));
	__m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
	return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

FG_AVX2 static inline __m256 fg_logf8(__m256 x) {
	__m256i bits = _mm256_castps_si256(x);
	__m256 e = _mm256_cvtepi32_ps(
	    _mm256_sub_epi32(_mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xff)), _mm256_set1_epi32(126)));
	__m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x807fffff)),
	                                               _mm256_set1_epi32(0x3f000000)));
	__m256 lt = _mm256_cmp_ps(m, _mm256_set1_ps(0.70710678118654752440f), _CMP_LT_OQ);
	__m256 one = _mm256_set1_ps(1.0f);
	e = _mm256_blendv_ps(e, _mm256_sub_ps(e, one), lt);
	__m256 f = _mm256_blendv_ps(_mm256_sub_ps(m, one), _mm256_sub_ps(_mm256_add_ps(m, m), one), lt);
	__m256 z = _mm256_mul_ps(f, f);
	__m256 y = _mm256_set1_ps(7.0376836292e-2f);
	y = _mm256_sub_ps(_mm256_mul_ps(y, f), _mm256_set1_ps(1.1514610310e-1f));
	y = _mm256_add_ps(_mm256_mul_ps(y, f), _mm256_set1_ps(1.1676998740e-1f));
	y = _mm256_sub_ps(_mm256_mul_ps(y, f), _mm256_set1_ps(1.2420140846e-1f));
	y = _mm256_add_ps(_mm256_mul_ps(y, f), _mm256_set1_ps(1.4249322787e-1f));
	y = _mm256_sub_ps(_mm256_mul_ps(y, f), _mm256_set1_ps(1.6668057665e-1f));
	y = _mm256_add_ps(_mm256_mul_ps(y, f), _mm256_set1_ps(2.0000714765e-1f));
	y = _mm256_sub_ps(_mm256_mul_ps(y, f), _mm256_set1_ps(2.4999993993e-1f));
	y = _mm256_add_ps(_mm256_mul_ps(y, f), _mm256_set1_ps(3.3333331174e-1f));
	y = _mm256_mul_ps(_mm256_mul_ps(y, f), z);
	y = _mm256_add_ps(y, _mm256_mul_ps(_mm256_set1_ps(-2.12194440e-4f), e));
	y = _mm256_add_ps(y, _mm256_mul_ps(_mm256_set1_ps(-0.5f), z));
	return _mm256_add_ps(_mm256_add_ps(f, y), _mm256_mul_ps(_mm256_set1_ps(0.693359375f), e));
}

FG_AVX2 static void fg_sigmoid_avx2(const float *x, float *y, long n) {
	const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
	long i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 v = _mm256_loadu_ps(x + i);
		__m256 e = fg_expf8(_mm256_or_ps(v, sign)); // -|v|
		__m256 s = _mm256_div_ps(one, _mm256_add_ps(one, e));
		__m256 neg = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
		_mm256_storeu_ps(y + i, _mm256_blendv_ps(s, _mm256_mul_ps(s, e), neg));
	}
	for (; i < n; i++) y[i] = fg_sigmoid1(x[i]);
}

FG_AVX2 static double fg_bce_avx2(const float *z, const float *y, const float *t, float scale, float *dz, long n) {
	double total = 0;
	const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps(), sc = _mm256_set1_ps(scale);
	for (long lo = 0; lo < n; lo += 256) {
		long len = n - lo < 256 ? n - lo : 256;
		__m256 acc = _mm256_setzero_ps();
		long i = 0;
		for (; i + 8 <= len; i += 8) {
			__m256 zi = _mm256_loadu_ps(z + lo + i), yi = _mm256_loadu_ps(y + lo + i), ti = _mm256_loadu_ps(t + lo + i);
			__m256 big = _mm256_max_ps(yi, _mm256_sub_ps(one, yi));
			__m256 term = _mm256_sub_ps(_mm256_sub_ps(_mm256_max_ps(zi, zero), _mm256_mul_ps(ti, zi)), fg_logf8(big));
			acc = _mm256_add_ps(acc, term);
			if (dz) _mm256_storeu_ps(dz + lo + i, _mm256_mul_ps(sc, _mm256_sub_ps(yi, ti)));
		}
		float lanes[8];
		_mm256_storeu_ps(lanes, acc);
		for (; i < len; i++) {
			lanes[i & 7] += fg_bce1(z[lo + i], y[lo + i], t[lo + i]);
			if (dz) dz[lo + i] = scale * (y[lo + i] - t[lo + i]);
		}
		for (int j = 0; j < 8; j++) total += (double)lanes[j];
	}
	return total;
}

FG_AVX2 static void fg_adam_avx2(float *w, const float *g, float *m, float *v, long n, float b1, float b2, float c1,
                                 float c2, float step, float sq, float eps) {
	const __m256 B1 = _mm256_set1_ps(b1), B2 = _mm256_set1_ps(b2), C1 = _mm256_set1_ps(c1),
	             C2 = _mm256_set1_ps(c2), ST = _mm256_set1_ps(step), SQ = _mm256_set1_ps(sq), EPS = _mm256_set1_ps(eps);
	long i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 gi = _mm256_loadu_ps(g + i);
		__m256 mi = _mm256_add_ps(_mm256_mul_ps(B1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(C1, gi));
		__m256 vi = _mm256_add_ps(_mm256_mul_ps(B2, _mm256_loadu_ps(v + i)), _mm256_mul_ps(_mm256_mul_ps(C2, gi), gi));
		_mm256_storeu_ps(m + i, mi);
		_mm256_storeu_ps(v + i, vi);
		__m256 den = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), SQ), EPS);
		_mm256_storeu_ps(w + i, _mm256_sub_ps(_mm256_loadu_ps(w + i), _mm256_div_ps(_mm256_mul_ps(ST, mi), den)));
	}
	for (; i < n; i++) fg_adam1(w, g, m, v, i, b1, b2, c1, c2, step, sq, eps);
}

#else
#define fg_sigmoid_avx2(x, y, n) ((void)0)
#define fg_bce_avx2(z, y, t, s, d, n) (0.0)
#define fg_adam_avx2(w, g, m, v, n, b1, b2, c1, c2, st, sq, e) ((void)0)
#endif

#include "kernels512.h"

// ---- entry points ----

static void fg_sigmoid(const float *x, float *y, long n) {
	if (fg_has_avx512()) {
		fg_sigmoid_avx512(x, y, n);
		return;
	}
	if (fg_has_avx2()) {
		fg_sigmoid_avx2(x, y, n);
		return;
	}
	for (long i = 0; i < n; i++) y[i] = fg_sigmoid1(x[i]);
}

// Sums in eight float lanes over blocks of 256 terms (term i into lane i mod 8, in order), each
// block's lanes then added in order to a double: the same order in every version.
static double fg_bce_logits(const float *z, const float *y, const float *t, float scale, float *dz, long n) {
	if (fg_has_avx512()) return fg_bce_avx512(z, y, t, scale, dz, n);
	if (fg_has_avx2()) return fg_bce_avx2(z, y, t, scale, dz, n);
	double total = 0;
	for (long lo = 0; lo < n; lo += 256) {
		long len = n - lo < 256 ? n - lo : 256;
		float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
		for (long i = 0; i < len; i++) {
			lanes[i & 7] += fg_bce1(z[lo + i], y[lo + i], t[lo + i]);
			if (dz) dz[lo + i] = scale * (y[lo + i] - t[lo + i]);
		}
		for (int j = 0; j < 8; j++) total += (double)lanes[j];
	}
	return total;
}

static void fg_adam(float *w, const float *g, float *m, float *v, long n, float b1, float b2, float c1, float c2,
                    float step, float sq, float eps) {
	if (fg_has_avx512()) {
		fg_adam_avx512(w, g, m, v, n, b1, b2, c1, c2, step, sq, eps);
		return;
	}
	if (fg_has_avx2()) {
		fg_adam_avx2(w, g, m, v, n, b1, b2, c1, c2, step, sq, eps);
		return;
	}
	for (long i = 0; i < n; i++) fg_adam1(w, g, m, v, i, b1, b2, c1, c2, step, sq, eps);
}
