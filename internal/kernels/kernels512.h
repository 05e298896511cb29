// AVX-512 versions of the sigmoid, binary cross-entropy and Adam (kernels.h): the AVX2 code
// sixteen lanes wide, with the same operations in the same order, so they round as it does.
// On Zen 5 Adam's update takes half the time of the AVX2 version (its two divisions and square
// root dominate).
#if defined(__x86_64__)
#define FG_AVX512 __attribute__((target("avx512f,avx2")))

FG_AVX512 static inline __m512 fg_expf16(__m512 x) {
	x = _mm512_min_ps(x, _mm512_set1_ps(88.72283905206835f));
	x = _mm512_max_ps(x, _mm512_set1_ps(-87.33654475055310898657f));
	__m512 n = _mm512_roundscale_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(1.44269504088896341f), x), _mm512_set1_ps(0.5f)),
	                                _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
	__m512 r = _mm512_sub_ps(_mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(0.693359375f))),
	                         _mm512_mul_ps(n, _mm512_set1_ps(-2.12194440e-4f)));
	__m512 p = _mm512_set1_ps(1.9875691500e-4f);
	p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.3981999507e-3f));
	p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(8.3334519073e-3f));
	p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(4.1665795894e-2f));
	p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.6666665459e-1f));
	p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(5.0000001201e-1f));
	__m512 y = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(p, r), r), r), _mm512_set1_ps(1.0f));
	__m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
	return _mm512_mul_ps(y, _mm512_castsi512_ps(e));
}

FG_AVX512 static inline __m512 fg_logf16(__m512 x) {
	__m512i bits = _mm512_castps_si512(x);
	__m512 e = _mm512_cvtepi32_ps(
	    _mm512_sub_epi32(_mm512_and_si512(_mm512_srli_epi32(bits, 23), _mm512_set1_epi32(0xff)), _mm512_set1_epi32(126)));
	__m512 m = _mm512_castsi512_ps(_mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi32(0x807fffff)),
	                                               _mm512_set1_epi32(0x3f000000)));
	__mmask16 lt = _mm512_cmp_ps_mask(m, _mm512_set1_ps(0.70710678118654752440f), _CMP_LT_OQ);
	__m512 one = _mm512_set1_ps(1.0f);
	e = _mm512_mask_blend_ps(lt, e, _mm512_sub_ps(e, one));
	__m512 f = _mm512_mask_blend_ps(lt, _mm512_sub_ps(m, one), _mm512_sub_ps(_mm512_add_ps(m, m), one));
	__m512 z = _mm512_mul_ps(f, f);
	__m512 y = _mm512_set1_ps(7.0376836292e-2f);
	y = _mm512_sub_ps(_mm512_mul_ps(y, f), _mm512_set1_ps(1.1514610310e-1f));
	y = _mm512_add_ps(_mm512_mul_ps(y, f), _mm512_set1_ps(1.1676998740e-1f));
	y = _mm512_sub_ps(_mm512_mul_ps(y, f), _mm512_set1_ps(1.2420140846e-1f));
	y = _mm512_add_ps(_mm512_mul_ps(y, f), _mm512_set1_ps(1.4249322787e-1f));
	y = _mm512_sub_ps(_mm512_mul_ps(y, f), _mm512_set1_ps(1.6668057665e-1f));
	y = _mm512_add_ps(_mm512_mul_ps(y, f), _mm512_set1_ps(2.0000714765e-1f));
	y = _mm512_sub_ps(_mm512_mul_ps(y, f), _mm512_set1_ps(2.4999993993e-1f));
	y = _mm512_add_ps(_mm512_mul_ps(y, f), _mm512_set1_ps(3.3333331174e-1f));
	y = _mm512_mul_ps(_mm512_mul_ps(y, f), z);
	y = _mm512_add_ps(y, _mm512_mul_ps(_mm512_set1_ps(-2.12194440e-4f), e));
	y = _mm512_add_ps(y, _mm512_mul_ps(_mm512_set1_ps(-0.5f), z));
	return _mm512_add_ps(_mm512_add_ps(f, y), _mm512_mul_ps(_mm512_set1_ps(0.693359375f), e));
}

FG_AVX512 static void fg_sigmoid_avx512(const float *x, float *y, long n) {
	const __m512 one = _mm512_set1_ps(1.0f);
	long i = 0;
	for (; i + 16 <= n; i += 16) {
		__m512 v = _mm512_loadu_ps(x + i);
		__m512 e = fg_expf16(_mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(v), _mm512_set1_epi32((int)0x80000000))));
		__m512 s = _mm512_div_ps(one, _mm512_add_ps(one, e));
		__mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
		_mm512_storeu_ps(y + i, _mm512_mask_blend_ps(neg, s, _mm512_mul_ps(s, e)));
	}
	fg_sigmoid_avx2(x + i, y + i, n - i);
}

// Sixteen terms at a time, added into the eight lanes of the AVX2 version in its order: the
// first eight, then the next eight.
FG_AVX512 static double fg_bce_avx512(const float *z, const float *y, const float *t, float scale, float *dz, long n) {
	double total = 0;
	const __m512 one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps(), sc = _mm512_set1_ps(scale);
	for (long lo = 0; lo < n; lo += 256) {
		long len = n - lo < 256 ? n - lo : 256;
		__m256 acc = _mm256_setzero_ps();
		long i = 0;
		for (; i + 16 <= len; i += 16) {
			__m512 zi = _mm512_loadu_ps(z + lo + i), yi = _mm512_loadu_ps(y + lo + i), ti = _mm512_loadu_ps(t + lo + i);
			__m512 big = _mm512_max_ps(yi, _mm512_sub_ps(one, yi));
			__m512 term = _mm512_sub_ps(_mm512_sub_ps(_mm512_max_ps(zi, zero), _mm512_mul_ps(ti, zi)), fg_logf16(big));
			acc = _mm256_add_ps(acc, _mm512_castps512_ps256(term));
			acc = _mm256_add_ps(acc, _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(term), 1)));
			if (dz) _mm512_storeu_ps(dz + lo + i, _mm512_mul_ps(sc, _mm512_sub_ps(yi, ti)));
		}
		for (; i + 8 <= len; i += 8) {
			__m256 zi = _mm256_loadu_ps(z + lo + i), yi = _mm256_loadu_ps(y + lo + i), ti = _mm256_loadu_ps(t + lo + i);
			__m256 big = _mm256_max_ps(yi, _mm256_sub_ps(_mm256_set1_ps(1.0f), yi));
			__m256 term = _mm256_sub_ps(_mm256_sub_ps(_mm256_max_ps(zi, _mm256_setzero_ps()), _mm256_mul_ps(ti, zi)), fg_logf8(big));
			acc = _mm256_add_ps(acc, term);
			if (dz) _mm256_storeu_ps(dz + lo + i, _mm256_mul_ps(_mm256_set1_ps(scale), _mm256_sub_ps(yi, ti)));
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

FG_AVX512 static void fg_adam_avx512(float *w, const float *g, float *m, float *v, long n, float b1, float b2, float c1,
                                     float c2, float step, float sq, float eps) {
	const __m512 B1 = _mm512_set1_ps(b1), B2 = _mm512_set1_ps(b2), C1 = _mm512_set1_ps(c1),
	             C2 = _mm512_set1_ps(c2), ST = _mm512_set1_ps(step), SQ = _mm512_set1_ps(sq), EPS = _mm512_set1_ps(eps);
	long i = 0;
	for (; i + 16 <= n; i += 16) {
		__m512 gi = _mm512_loadu_ps(g + i);
		__m512 mi = _mm512_add_ps(_mm512_mul_ps(B1, _mm512_loadu_ps(m + i)), _mm512_mul_ps(C1, gi));
		__m512 vi = _mm512_add_ps(_mm512_mul_ps(B2, _mm512_loadu_ps(v + i)), _mm512_mul_ps(_mm512_mul_ps(C2, gi), gi));
		_mm512_storeu_ps(m + i, mi);
		_mm512_storeu_ps(v + i, vi);
		__m512 den = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(vi), SQ), EPS);
		_mm512_storeu_ps(w + i, _mm512_sub_ps(_mm512_loadu_ps(w + i), _mm512_div_ps(_mm512_mul_ps(ST, mi), den)));
	}
	fg_adam_avx2(w + i, g + i, m + i, v + i, n - i, b1, b2, c1, c2, step, sq, eps);
}

#else
#define fg_sigmoid_avx512(x, y, n) ((void)0)
#define fg_bce_avx512(z, y, t, s, d, n) (0.0)
#define fg_adam_avx512(w, g, m, v, n, b1, b2, c1, c2, st, sq, e) ((void)0)
#endif
