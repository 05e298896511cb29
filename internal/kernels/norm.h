// Batch normalisation's loops over rows × cols values (channels last); see norm.go. Sums are in
// double, column by column, row after row, as the Go versions add them.
#include "cpu.h"

static void fg_colsums_scalar(const float *a, const float *b, long rows, long cols, double *s, double *q) {
	for (long r = 0; r < rows; r++)
		for (long j = 0; j < cols; j++) {
			double v = (double)a[r * cols + j];
			s[j] += v;
			q[j] += v * (double)b[r * cols + j];
		}
}

static void fg_bn_apply_scalar(const float *x, const float *mean, const float *inv, const float *g, const float *be,
                               float *xhat, float *y, long rows, long cols) {
	for (long r = 0; r < rows; r++)
		for (long j = 0; j < cols; j++) {
			long i = r * cols + j;
			float h = (x[i] - mean[j]) * inv[j];
			xhat[i] = h;
			y[i] = g[j] * h + be[j];
		}
}

static void fg_bn_dx_scalar(const float *ds, const float *xhat, const float *scale, const float *mdy, const float *mdyx,
                            float *dx, long rows, long cols) {
	for (long r = 0; r < rows; r++)
		for (long j = 0; j < cols; j++) {
			long i = r * cols + j;
			dx[i] = scale[j] * (ds[i] - mdy[j] - xhat[i] * mdyx[j]);
		}
}

#if defined(__x86_64__)
#include <immintrin.h>
#define FG_NORM_AVX2 __attribute__((target("avx2")))

FG_NORM_AVX2 static void fg_colsums_avx2(const float *a, const float *b, long rows, long cols, double *s, double *q) {
	const long C4 = cols & ~3L;
	for (long r = 0; r < rows; r++) {
		const float *ar = a + r * cols, *br = b + r * cols;
		for (long j = 0; j < C4; j += 4) {
			__m256d v = _mm256_cvtps_pd(_mm_loadu_ps(ar + j)), w = _mm256_cvtps_pd(_mm_loadu_ps(br + j));
			_mm256_storeu_pd(s + j, _mm256_add_pd(_mm256_loadu_pd(s + j), v));
			_mm256_storeu_pd(q + j, _mm256_add_pd(_mm256_loadu_pd(q + j), _mm256_mul_pd(v, w)));
		}
		for (long j = C4; j < cols; j++) {
			double v = (double)ar[j];
			s[j] += v;
			q[j] += v * (double)br[j];
		}
	}
}

FG_NORM_AVX2 static void fg_bn_apply_avx2(const float *x, const float *mean, const float *inv, const float *g,
                                          const float *be, float *xhat, float *y, long rows, long cols) {
	const long C8 = cols & ~7L;
	for (long r = 0; r < rows; r++) {
		const float *xr = x + r * cols;
		float *hr = xhat + r * cols, *yr = y + r * cols;
		for (long j = 0; j < C8; j += 8) {
			__m256 h = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + j), _mm256_loadu_ps(mean + j)), _mm256_loadu_ps(inv + j));
			_mm256_storeu_ps(hr + j, h);
			_mm256_storeu_ps(yr + j, _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(g + j), h), _mm256_loadu_ps(be + j)));
		}
		for (long j = C8; j < cols; j++) {
			float h = (xr[j] - mean[j]) * inv[j];
			hr[j] = h;
			yr[j] = g[j] * h + be[j];
		}
	}
}

FG_NORM_AVX2 static void fg_bn_dx_avx2(const float *ds, const float *xhat, const float *scale, const float *mdy,
                                       const float *mdyx, float *dx, long rows, long cols) {
	const long C8 = cols & ~7L;
	for (long r = 0; r < rows; r++) {
		const float *dr = ds + r * cols, *hr = xhat + r * cols;
		float *out = dx + r * cols;
		for (long j = 0; j < C8; j += 8) {
			__m256 t = _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(dr + j), _mm256_loadu_ps(mdy + j)),
			                         _mm256_mul_ps(_mm256_loadu_ps(hr + j), _mm256_loadu_ps(mdyx + j)));
			_mm256_storeu_ps(out + j, _mm256_mul_ps(_mm256_loadu_ps(scale + j), t));
		}
		for (long j = C8; j < cols; j++) out[j] = scale[j] * (dr[j] - mdy[j] - hr[j] * mdyx[j]);
	}
}
#else
#define fg_colsums_avx2 fg_colsums_scalar
#define fg_bn_apply_avx2 fg_bn_apply_scalar
#define fg_bn_dx_avx2 fg_bn_dx_scalar
#endif

static void fg_colsums(const float *a, const float *b, long rows, long cols, double *s, double *q) {
	if (fg_has_avx2())
		fg_colsums_avx2(a, b, rows, cols, s, q);
	else
		fg_colsums_scalar(a, b, rows, cols, s, q);
}

static void fg_bn_apply(const float *x, const float *mean, const float *inv, const float *g, const float *be, float *xhat,
                        float *y, long rows, long cols) {
	if (fg_has_avx2())
		fg_bn_apply_avx2(x, mean, inv, g, be, xhat, y, rows, cols);
	else
		fg_bn_apply_scalar(x, mean, inv, g, be, xhat, y, rows, cols);
}

static void fg_bn_dx(const float *ds, const float *xhat, const float *scale, const float *mdy, const float *mdyx, float *dx,
                     long rows, long cols) {
	if (fg_has_avx2())
		fg_bn_dx_avx2(ds, xhat, scale, mdy, mdyx, dx, rows, cols);
	else
		fg_bn_dx_scalar(ds, xhat, scale, mdy, mdyx, dx, rows, cols);
}
