// Max pooling over non-overlapping S×S windows of channels-last images; see pool.go.
#include "cpu.h"
#include <stdint.h>
#include <string.h>

typedef struct {
	long N, H, W, C, S;
} fg_pool;

// The scalar versions, whole windows channel vector by channel vector as the Go version does:
// row-major within the window, strict >, so the first of equal values wins.
static void fg_maxpool_fwd_scalar(const fg_pool *p, const float *x, float *y, uint8_t *arg) {
	const long S = p->S, C = p->C, OH = p->H / S, OW = p->W / S;
	for (long b = 0; b < p->N; b++)
		for (long i = 0; i < OH; i++)
			for (long j = 0; j < OW; j++) {
				long o = ((b * OH + i) * OW + j) * C;
				float *out = y + o;
				uint8_t *at = arg + o;
				for (long di = 0; di < S; di++)
					for (long dj = 0; dj < S; dj++) {
						const float *in = x + ((b * p->H + i * S + di) * p->W + j * S + dj) * C;
						if (di == 0 && dj == 0) {
							memcpy(out, in, (size_t)C * sizeof(float));
							memset(at, 0, (size_t)C);
							continue;
						}
						uint8_t k = (uint8_t)(di * S + dj);
						for (long c = 0; c < C; c++)
							if (in[c] > out[c]) {
								out[c] = in[c];
								at[c] = k;
							}
					}
			}
}

// The backward writes every input gradient: the output's gradient at the window's winner, zero
// elsewhere (also in rows and columns no window covers).
static void fg_maxpool_bwd_scalar(const fg_pool *p, const float *dy, const uint8_t *arg, float *dx) {
	const long S = p->S, C = p->C, OH = p->H / S, OW = p->W / S;
	memset(dx, 0, (size_t)(p->N * p->H * p->W * C) * sizeof(float));
	for (long b = 0; b < p->N; b++)
		for (long i = 0; i < OH; i++)
			for (long j = 0; j < OW; j++) {
				long o = ((b * OH + i) * OW + j) * C;
				for (long c = 0; c < C; c++) {
					long k = arg[o + c];
					dx[((b * p->H + i * S + k / S) * p->W + j * S + k % S) * C + c] = dy[o + c] + 0.0f; // −0 → +0, as 0 + dy
				}
			}
}

#if defined(__x86_64__)
#include <immintrin.h>
#define FG_POOL_AVX2 __attribute__((target("avx2")))

// Eight channels at a time: the running maximum and the window position it came from.
FG_POOL_AVX2 static void fg_maxpool_fwd_avx2(const fg_pool *p, const float *x, float *y, uint8_t *arg) {
	const long S = p->S, C = p->C, OH = p->H / S, OW = p->W / S, C8 = C & ~7L;
	for (long b = 0; b < p->N; b++)
		for (long i = 0; i < OH; i++)
			for (long j = 0; j < OW; j++) {
				long o = ((b * OH + i) * OW + j) * C;
				const float *base = x + ((b * p->H + i * S) * p->W + j * S) * C;
				for (long c = 0; c < C8; c += 8) {
					__m256 m = _mm256_loadu_ps(base + c);
					__m256i at = _mm256_setzero_si256();
					for (long di = 0; di < S; di++)
						for (long dj = 0; dj < S; dj++) {
							if (di == 0 && dj == 0) continue;
							__m256 v = _mm256_loadu_ps(base + (di * p->W + dj) * C + c);
							__m256 gt = _mm256_cmp_ps(v, m, _CMP_GT_OQ);
							m = _mm256_blendv_ps(m, v, gt);
							at = _mm256_blendv_epi8(at, _mm256_set1_epi32((int)(di * S + dj)), _mm256_castps_si256(gt));
						}
					_mm256_storeu_ps(y + o + c, m);
					int32_t k[8];
					_mm256_storeu_si256((__m256i *)k, at);
					for (int l = 0; l < 8; l++) arg[o + c + l] = (uint8_t)k[l];
				}
				for (long c = C8; c < C; c++) {
					float m = base[c];
					uint8_t at = 0;
					for (long di = 0; di < S; di++)
						for (long dj = 0; dj < S; dj++) {
							float v = base[(di * p->W + dj) * C + c];
							if (v > m) {
								m = v;
								at = (uint8_t)(di * S + dj);
							}
						}
					y[o + c] = m;
					arg[o + c] = at;
				}
			}
}

FG_POOL_AVX2 static void fg_maxpool_bwd_avx2(const fg_pool *p, const float *dy, const uint8_t *arg, float *dx) {
	const long S = p->S, C = p->C, OH = p->H / S, OW = p->W / S, C8 = C & ~7L;
	if (OH * S != p->H || OW * S != p->W) { // uncovered rows or columns: clear everything first
		fg_maxpool_bwd_scalar(p, dy, arg, dx);
		return;
	}
	for (long b = 0; b < p->N; b++)
		for (long i = 0; i < OH; i++)
			for (long j = 0; j < OW; j++) {
				long o = ((b * OH + i) * OW + j) * C;
				float *base = dx + ((b * p->H + i * S) * p->W + j * S) * C;
				for (long c = 0; c < C8; c += 8) {
					__m256 g = _mm256_add_ps(_mm256_loadu_ps(dy + o + c), _mm256_setzero_ps()); // −0 → +0, as 0 + dy
					__m256i at = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(arg + o + c)));
					for (long di = 0; di < S; di++)
						for (long dj = 0; dj < S; dj++) {
							__m256i hit = _mm256_cmpeq_epi32(at, _mm256_set1_epi32((int)(di * S + dj)));
							_mm256_storeu_ps(base + (di * p->W + dj) * C + c, _mm256_and_ps(g, _mm256_castsi256_ps(hit)));
						}
				}
				for (long c = C8; c < C; c++) {
					long k = arg[o + c];
					for (long di = 0; di < S; di++)
						for (long dj = 0; dj < S; dj++)
							base[(di * p->W + dj) * C + c] = di * S + dj == k ? dy[o + c] + 0.0f : 0.0f;
				}
			}
}

#else
#define fg_maxpool_fwd_avx2 fg_maxpool_fwd_scalar
#define fg_maxpool_bwd_avx2 fg_maxpool_bwd_scalar
#endif

static void fg_maxpool_fwd(const fg_pool *p, const float *x, float *y, uint8_t *arg) {
	if (fg_has_avx2())
		fg_maxpool_fwd_avx2(p, x, y, arg);
	else
		fg_maxpool_fwd_scalar(p, x, y, arg);
}

static void fg_maxpool_bwd(const fg_pool *p, const float *dy, const uint8_t *arg, float *dx) {
	if (fg_has_avx2())
		fg_maxpool_bwd_avx2(p, dy, arg, dx);
	else
		fg_maxpool_bwd_scalar(p, dy, arg, dx);
}
