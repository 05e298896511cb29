// The feedback-gated ReLU's loops over μ_S for one example at a time; see gate.go. Every
// version computes each value with the same operations in the same order (per-channel sums in
// double, position by position), so they agree to the last bit.
#include "cpu.h"
#include "relu.h"
#include <stdint.h>

typedef struct {
	long N, Per, Ch;                  // examples, values per example, channels (Per % Ch == 0)
	float Alpha;                      // α (0 without a threshold)
} fg_gate;

// The per-example-and-channel values, each [N, Ch]: gain(μ_D), gain′(μ_D), μ_D. Passed apart
// from fg_gate so that no Go memory handed to C holds Go pointers (the cgo rules).
typedef struct {
	const float *Gain, *DGain, *MuD;
} fg_gate_in;

static void fg_gate_fwd_scalar(const fg_gate *g, fg_gate_in in, const float *x, float *y) {
	for (long b = 0; b < g->N; b++, x += g->Per, y += g->Per) {
		const float *gain = in.Gain + b * g->Ch, *mu = in.MuD + b * g->Ch;
		for (long p = 0; p < g->Per; p += g->Ch)
			for (long c = 0; c < g->Ch; c++) y[p + c] = fg_relu(x[p + c] + g->Alpha * mu[c]) * gain[c];
	}
}

// fg_gate_bwd1 is one value's backward: dx and its term of ∂L/∂μ_D (dx may be dy).
static inline void fg_gate_bwd1(float alpha, float x, const float *dy, float *dx, float gain, float dgain, float mu, double *acc) {
	float u = x + alpha * mu;
	if (u <= 0) {
		*dx = 0;
		return;
	}
	float d = *dy;
	*dx = d * gain;
	*acc += (double)d * ((double)alpha * (double)gain + (double)u * (double)dgain);
}

// dmu[b, c] is Σ_p dy·(α·gain + u·gain′), summed in double over the positions where u <= 0 is
// false (so NaN counts, as in the Go version), then rounded; acc is Ch doubles of scratch.
static void fg_gate_bwd_scalar(const fg_gate *g, fg_gate_in in, const float *x, const float *dy, float *dx, float *dmu, double *acc) {
	for (long b = 0; b < g->N; b++, x += g->Per, dy += g->Per, dx += g->Per) {
		const float *gain = in.Gain + b * g->Ch, *dgain = in.DGain + b * g->Ch, *mu = in.MuD + b * g->Ch;
		for (long c = 0; c < g->Ch; c++) acc[c] = 0;
		for (long p = 0; p < g->Per; p += g->Ch)
			for (long c = 0; c < g->Ch; c++) fg_gate_bwd1(g->Alpha, x[p + c], dy + p + c, dx + p + c, gain[c], dgain[c], mu[c], acc + c);
		for (long c = 0; c < g->Ch; c++) dmu[b * g->Ch + c] = (float)acc[c];
	}
}

#if defined(__x86_64__)
#include <immintrin.h>
#define FG_GATE_AVX2 __attribute__((target("avx2")))

FG_GATE_AVX2 static void fg_gate_fwd_avx2(const fg_gate *g, fg_gate_in in, const float *x, float *y) {
	const long Ch = g->Ch, C8 = Ch & ~7L;
	const __m256 a = _mm256_set1_ps(g->Alpha), zero = _mm256_setzero_ps();
	for (long b = 0; b < g->N; b++, x += g->Per, y += g->Per) {
		const float *gain = in.Gain + b * Ch, *mu = in.MuD + b * Ch;
		for (long p = 0; p < g->Per; p += Ch) {
			for (long c = 0; c < C8; c += 8) {
				__m256 u = _mm256_add_ps(_mm256_loadu_ps(x + p + c), _mm256_mul_ps(a, _mm256_loadu_ps(mu + c)));
				_mm256_storeu_ps(y + p + c, _mm256_mul_ps(fg_relu8(u), _mm256_loadu_ps(gain + c)));
			}
			for (long c = C8; c < Ch; c++) y[p + c] = fg_relu(x[p + c] + g->Alpha * mu[c]) * gain[c];
		}
	}
}

FG_GATE_AVX2 static void fg_gate_bwd_avx2(const fg_gate *g, fg_gate_in in, const float *x, const float *dy, float *dx, float *dmu, double *acc) {
	const long Ch = g->Ch, C8 = Ch & ~7L;
	const __m256 a = _mm256_set1_ps(g->Alpha), zero = _mm256_setzero_ps();
	const __m256d ad = _mm256_set1_pd((double)g->Alpha);
	for (long b = 0; b < g->N; b++, x += g->Per, dy += g->Per, dx += g->Per) {
		const float *gain = in.Gain + b * Ch, *dgain = in.DGain + b * Ch, *mu = in.MuD + b * Ch;
		for (long c = 0; c < Ch; c++) acc[c] = 0;
		for (long p = 0; p < g->Per; p += Ch) {
			for (long c = 0; c < C8; c += 8) {
				__m256 u = _mm256_add_ps(_mm256_loadu_ps(x + p + c), _mm256_mul_ps(a, _mm256_loadu_ps(mu + c)));
				__m256 on = _mm256_cmp_ps(u, zero, _CMP_NLE_UQ); // not u <= 0
				__m256 d = _mm256_loadu_ps(dy + p + c), gn = _mm256_loadu_ps(gain + c), dg = _mm256_loadu_ps(dgain + c);
				_mm256_storeu_ps(dx + p + c, _mm256_and_ps(_mm256_mul_ps(d, gn), on));
				for (int h = 0; h < 2; h++) { // four doubles at a time
					__m128 dh = h ? _mm256_extractf128_ps(d, 1) : _mm256_castps256_ps128(d);
					__m128 gh = h ? _mm256_extractf128_ps(gn, 1) : _mm256_castps256_ps128(gn);
					__m128 uh = h ? _mm256_extractf128_ps(u, 1) : _mm256_castps256_ps128(u);
					__m128 dgh = h ? _mm256_extractf128_ps(dg, 1) : _mm256_castps256_ps128(dg);
					__m128 onh = h ? _mm256_extractf128_ps(on, 1) : _mm256_castps256_ps128(on);
					__m256d inner = _mm256_add_pd(_mm256_mul_pd(ad, _mm256_cvtps_pd(gh)),
					                              _mm256_mul_pd(_mm256_cvtps_pd(uh), _mm256_cvtps_pd(dgh)));
					__m256d term = _mm256_mul_pd(_mm256_cvtps_pd(dh), inner);
					__m256d mask = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm_castps_si128(onh)));
					__m256d old = _mm256_loadu_pd(acc + c + 4 * h);
					_mm256_storeu_pd(acc + c + 4 * h, _mm256_blendv_pd(old, _mm256_add_pd(old, term), mask));
				}
			}
			for (long c = C8; c < Ch; c++) fg_gate_bwd1(g->Alpha, x[p + c], dy + p + c, dx + p + c, gain[c], dgain[c], mu[c], acc + c);
		}
		for (long c = 0; c < Ch; c++) dmu[b * Ch + c] = (float)acc[c];
	}
}

#else
#define fg_gate_fwd_avx2 fg_gate_fwd_scalar
#define fg_gate_bwd_avx2 fg_gate_bwd_scalar
#endif

static void fg_gate_fwd(const fg_gate *g, fg_gate_in in, const float *x, float *y) {
	if (fg_has_avx2())
		fg_gate_fwd_avx2(g, in, x, y);
	else
		fg_gate_fwd_scalar(g, in, x, y);
}

static void fg_gate_bwd(const fg_gate *g, fg_gate_in in, const float *x, const float *dy, float *dx, float *dmu, double *acc) {
	if (fg_has_avx2())
		fg_gate_bwd_avx2(g, in, x, dy, dx, dmu, acc);
	else
		fg_gate_bwd_scalar(g, in, x, dy, dx, dmu, acc);
}
