// Patch gathering for convolutions (im2col) and its adjoint (col2im), over channels-last
// images; see patches.go for the geometry. col2im adds in the same order as the Go version
// (rows in order; within a row every image value receives at most one term), so the two agree
// to the last bit; the AVX2 add only changes how many values one instruction adds.
#include "cpu.h"
#include <stddef.h>
#include <string.h>

typedef struct {
	long H, W, C, K, Stride, Pad, OH, OW;
} fg_patches;

static inline void fg_add_scalar(float *d, const float *s, long n) {
	for (long i = 0; i < n; i++) d[i] += s[i];
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2"))) static inline void fg_add_avx2(float *d, const float *s, long n) {
	long i = 0;
	for (; i + 8 <= n; i += 8) _mm256_storeu_ps(d + i, _mm256_add_ps(_mm256_loadu_ps(d + i), _mm256_loadu_ps(s + i)));
	for (; i < n; i++) d[i] += s[i];
}
#endif

// fg_window clips window offsets [0, K) at grid coordinate o to those inside [0, size):
// offsets [*k0, *k1) read image coordinates o·Stride − Pad + k.
static inline void fg_window(long o, long stride, long pad, long k, long size, long *k0, long *k1) {
	long i0 = o * stride - pad;
	*k0 = i0 < 0 ? -i0 : 0;
	if (*k0 > k) *k0 = k;
	*k1 = size - i0 < k ? size - i0 : k;
	if (*k1 < *k0) *k1 = *k0;
}

static void fg_im2col(const fg_patches *g, const float *x, long n0, long n1, float *cols) {
	const long C = g->C, K = g->K, img = g->H * g->W * C, pl = K * K * C;
	float *dst = cols;
	for (long n = n0; n < n1; n++) {
		const float *im = x + n * img;
		for (long oh = 0; oh < g->OH; oh++) {
			long kh0, kh1;
			fg_window(oh, g->Stride, g->Pad, K, g->H, &kh0, &kh1);
			for (long ow = 0; ow < g->OW; ow++, dst += pl) {
				long kw0, kw1;
				fg_window(ow, g->Stride, g->Pad, K, g->W, &kw0, &kw1);
				long ih0 = oh * g->Stride - g->Pad, iw0 = ow * g->Stride - g->Pad;
				for (long kh = 0; kh < K; kh++) {
					float *seg = dst + kh * K * C;
					if (kh < kh0 || kh >= kh1) {
						memset(seg, 0, (size_t)(K * C) * sizeof(float));
						continue;
					}
					if (kw0 > 0) memset(seg, 0, (size_t)(kw0 * C) * sizeof(float));
					memcpy(seg + kw0 * C, im + ((ih0 + kh) * g->W + iw0 + kw0) * C, (size_t)((kw1 - kw0) * C) * sizeof(float));
					if (kw1 < K) memset(seg + kw1 * C, 0, (size_t)((K - kw1) * C) * sizeof(float));
				}
			}
		}
	}
}

// FG_COL2IM defines a col2im whose row adds are ADD(d, s, n).
#define FG_COL2IM(NAME, ATTR, ADD)                                                                    \
	ATTR static void NAME(const fg_patches *g, const float *cols, long n0, long n1, float *x) {        \
		const long C = g->C, K = g->K, img = g->H * g->W * C, pl = K * K * C;                        \
		const float *src = cols;                                                                      \
		for (long n = n0; n < n1; n++) {                                                              \
			float *im = x + n * img;                                                                  \
			for (long oh = 0; oh < g->OH; oh++) {                                                     \
				long kh0, kh1;                                                                        \
				fg_window(oh, g->Stride, g->Pad, K, g->H, &kh0, &kh1);                                \
				for (long ow = 0; ow < g->OW; ow++, src += pl) {                                      \
					long kw0, kw1;                                                                    \
					fg_window(ow, g->Stride, g->Pad, K, g->W, &kw0, &kw1);                            \
					long ih0 = oh * g->Stride - g->Pad, iw0 = ow * g->Stride - g->Pad;                \
					for (long kh = kh0; kh < kh1; kh++)                                               \
						ADD(im + ((ih0 + kh) * g->W + iw0 + kw0) * C, src + (kh * K + kw0) * C,       \
						    (kw1 - kw0) * C);                                                         \
				}                                                                                     \
			}                                                                                         \
		}                                                                                             \
	}

FG_COL2IM(fg_col2im_scalar, , fg_add_scalar)
#if defined(__x86_64__)
FG_COL2IM(fg_col2im_avx2, __attribute__((target("avx2"))), fg_add_avx2)
#else
#define fg_col2im_avx2 fg_col2im_scalar
#endif

static void fg_col2im(const fg_patches *g, const float *cols, long n0, long n1, float *x) {
	if (fg_has_avx2())
		fg_col2im_avx2(g, cols, n0, n1, x);
	else
		fg_col2im_scalar(g, cols, n0, n1, x);
}
