// The C side of winograd.go: a stride-1 5×5 convolution as Winograd's minimal filtering
// algorithm F(2×2, 5×5) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
// CVPR 2016, section 4; the Toom-Cook construction with the points 0, 1, −1, 2, −2 and ∞):
//
//	Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//
// for each 2×2 output tile Y, its 6×6 input tile d and each 5×5 filter g, the element-wise
// products summed over input channels: 36 products per tile where the direct convolution has 100.
// The tiles' transformed inputs V = Bᵀ d B are laid out as 36 matrices of tiles × channels, the
// filters' U = G g Gᵀ as 36 matrices of channels × outputs, and the 36 matrix products
// M = V·U are followed by the output transform Aᵀ M A (plus the bias).
//
// Every output value is computed by the same operations in the same order whichever vector width
// computes it (the products' sums run over the channels in order, one fused multiply-add each), so
// the AVX2 and AVX-512 versions agree to the last bit, as does any split of the tiles over
// threads. The matrices (derived with exact rationals; see winograd_test.go):
//
//	Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
//	G  = [1/4 0 0 0 0; −1/6 ×5; −1/6 1/6 −1/6 1/6 −1/6; 1/24 1/12 1/6 1/3 2/3;
//	      1/24 −1/12 1/6 −1/3 2/3; 0 0 0 0 1]
//	Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 1]
// No contraction of a multiplication and an addition into one instruction: the transforms must
// round the same at every vector width (GCC contracts vector arithmetic by default).
#pragma GCC optimize("fp-contract=off")
#include <stddef.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// One convolution: n images of h×w×c (channels last) to n grids of oh×ow×o, stride 1, a 5×5
// kernel, top and left padding pad; th×tw tiles of 2×2 outputs per image.
typedef struct {
	long n, h, w, c, oh, ow, o, pad, th, tw;
} fg_wino;

// fg_wino_filter writes U (36 matrices of c × o values, row-major) for the output channels
// [o0, o1) of the weights w, stored [o][5][5][c]. With flip, it writes the filters of the
// adjoint convolution instead (input and output channels swapped, the kernel turned by 180°):
// U holds 36 matrices of o × c values, from which fg_wino_tiles computes an input gradient. The
// transform runs in double precision and rounds each value once.
static void fg_wino_filter(const float *w, long o_count, long c_count, int flip, float *U, long o0, long o1) {
	static const double G[6][5] = {
		{1.0 / 4, 0, 0, 0, 0},
		{-1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6},
		{-1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6},
		{1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3},
		{1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3},
		{0, 0, 0, 0, 1},
	};
	for (long o = o0; o < o1; o++) {
		for (long c = 0; c < c_count; c++) {
			double g[5][5], t[6][5];
			for (long kh = 0; kh < 5; kh++)
				for (long kw = 0; kw < 5; kw++) {
					long sh = flip ? 4 - kh : kh, sw = flip ? 4 - kw : kw;
					g[kh][kw] = w[((o * 5 + sh) * 5 + sw) * c_count + c];
				}
			for (int i = 0; i < 6; i++)
				for (int j = 0; j < 5; j++) {
					double s = 0;
					for (int k = 0; k < 5; k++) s += G[i][k] * g[k][j];
					t[i][j] = s;
				}
			for (int i = 0; i < 6; i++)
				for (int j = 0; j < 6; j++) {
					double s = 0;
					for (int k = 0; k < 5; k++) s += t[i][k] * G[j][k];
					long at = flip ? ((i * 6 + j) * o_count + o) * c_count + c : ((i * 6 + j) * c_count + c) * o_count + o;
					U[at] = (float)s;
				}
		}
	}
}

#if defined(__x86_64__)

// The transforms at two vector widths, from one body (winograd_vec.h): eight channels at a time
// with AVX2, sixteen with AVX-512. Both apply the same operations to each value.
#define FG_W_NAME(f) f##_avx2
#define FG_W_TARGET "avx2,fma"
#define FG_W_VT __m256
#define FG_W_LANES 8
#define FG_W_LOAD _mm256_loadu_ps
#define FG_W_STORE _mm256_storeu_ps
#define FG_W_SET1 _mm256_set1_ps
#include "winograd_vec.h"
#undef FG_W_NAME
#undef FG_W_TARGET
#undef FG_W_VT
#undef FG_W_LANES
#undef FG_W_LOAD
#undef FG_W_STORE
#undef FG_W_SET1
#define FG_W_NAME(f) f##_avx512
#define FG_W_TARGET "avx512f,avx2,fma"
#define FG_W_VT __m512
#define FG_W_LANES 16
#define FG_W_LOAD _mm512_loadu_ps
#define FG_W_STORE _mm512_storeu_ps
#define FG_W_SET1 _mm512_set1_ps
#include "winograd_vec.h"

// The 36 products M = V·U of a block of T tiles: M (T × O) for each (ξ, ν). Each value is the
// sum over c = 0, 1, … of V[i][c]·U[c][o], one fused multiply-add per term, in every version.
// AVX2: six tiles × 16 outputs at a time (12 accumulators); O must be a multiple of 16.
__attribute__((target("avx2,fma"))) static void fg_wino_gemm_avx2(const float *V, const float *U, float *M, long T, long C, long O) {
	for (int p = 0; p < 36; p++) {
		const float *v = V + p * T * C, *u = U + p * C * O;
		float *m = M + p * T * O;
		long i = 0;
		for (; i + 6 <= T; i += 6)
			for (long o = 0; o < O; o += 16) {
				__m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
				__m256 a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
				const float *vr = v + i * C;
				for (long c = 0; c < C; c++) {
					__m256 u0 = _mm256_loadu_ps(u + c * O + o), u1 = _mm256_loadu_ps(u + c * O + o + 8), e;
					e = _mm256_broadcast_ss(vr + c);
					a00 = _mm256_fmadd_ps(e, u0, a00), a01 = _mm256_fmadd_ps(e, u1, a01);
					e = _mm256_broadcast_ss(vr + C + c);
					a10 = _mm256_fmadd_ps(e, u0, a10), a11 = _mm256_fmadd_ps(e, u1, a11);
					e = _mm256_broadcast_ss(vr + 2 * C + c);
					a20 = _mm256_fmadd_ps(e, u0, a20), a21 = _mm256_fmadd_ps(e, u1, a21);
					e = _mm256_broadcast_ss(vr + 3 * C + c);
					a30 = _mm256_fmadd_ps(e, u0, a30), a31 = _mm256_fmadd_ps(e, u1, a31);
					e = _mm256_broadcast_ss(vr + 4 * C + c);
					a40 = _mm256_fmadd_ps(e, u0, a40), a41 = _mm256_fmadd_ps(e, u1, a41);
					e = _mm256_broadcast_ss(vr + 5 * C + c);
					a50 = _mm256_fmadd_ps(e, u0, a50), a51 = _mm256_fmadd_ps(e, u1, a51);
				}
				float *mr = m + i * O + o;
				_mm256_storeu_ps(mr, a00), _mm256_storeu_ps(mr + 8, a01);
				_mm256_storeu_ps(mr + O, a10), _mm256_storeu_ps(mr + O + 8, a11);
				_mm256_storeu_ps(mr + 2 * O, a20), _mm256_storeu_ps(mr + 2 * O + 8, a21);
				_mm256_storeu_ps(mr + 3 * O, a30), _mm256_storeu_ps(mr + 3 * O + 8, a31);
				_mm256_storeu_ps(mr + 4 * O, a40), _mm256_storeu_ps(mr + 4 * O + 8, a41);
				_mm256_storeu_ps(mr + 5 * O, a50), _mm256_storeu_ps(mr + 5 * O + 8, a51);
			}
		for (; i < T; i++)
			for (long o = 0; o < O; o += 16) {
				__m256 a0 = _mm256_setzero_ps(), a1 = a0;
				for (long c = 0; c < C; c++) {
					__m256 e = _mm256_broadcast_ss(v + i * C + c);
					a0 = _mm256_fmadd_ps(e, _mm256_loadu_ps(u + c * O + o), a0);
					a1 = _mm256_fmadd_ps(e, _mm256_loadu_ps(u + c * O + o + 8), a1);
				}
				_mm256_storeu_ps(m + i * O + o, a0), _mm256_storeu_ps(m + i * O + o + 8, a1);
			}
	}
}

// AVX-512: six tiles × 64 outputs at a time (24 accumulators); O must be a multiple of 64.
__attribute__((target("avx512f,avx2,fma"))) static void fg_wino_gemm_avx512(const float *V, const float *U, float *M, long T, long C, long O) {
	for (int p = 0; p < 36; p++) {
		const float *v = V + p * T * C, *u = U + p * C * O;
		float *m = M + p * T * O;
		long i = 0;
		for (; i + 6 <= T; i += 6)
			for (long o = 0; o < O; o += 64) {
				__m512 acc[6][4];
				for (int r = 0; r < 6; r++)
					for (int q = 0; q < 4; q++) acc[r][q] = _mm512_setzero_ps();
				const float *vr = v + i * C;
				for (long c = 0; c < C; c++) {
					const float *uc = u + c * O + o;
					__m512 u0 = _mm512_loadu_ps(uc), u1 = _mm512_loadu_ps(uc + 16), u2 = _mm512_loadu_ps(uc + 32), u3 = _mm512_loadu_ps(uc + 48);
#pragma GCC unroll 6
					for (int r = 0; r < 6; r++) {
						__m512 e = _mm512_set1_ps(vr[r * C + c]);
						acc[r][0] = _mm512_fmadd_ps(e, u0, acc[r][0]);
						acc[r][1] = _mm512_fmadd_ps(e, u1, acc[r][1]);
						acc[r][2] = _mm512_fmadd_ps(e, u2, acc[r][2]);
						acc[r][3] = _mm512_fmadd_ps(e, u3, acc[r][3]);
					}
				}
				for (int r = 0; r < 6; r++)
					for (int q = 0; q < 4; q++) _mm512_storeu_ps(m + (i + r) * O + o + 16 * q, acc[r][q]);
			}
		for (; i < T; i++)
			for (long o = 0; o < O; o += 64) {
				__m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
				for (long c = 0; c < C; c++) {
					__m512 e = _mm512_set1_ps(v[i * C + c]);
					const float *uc = u + c * O + o;
					a0 = _mm512_fmadd_ps(e, _mm512_loadu_ps(uc), a0);
					a1 = _mm512_fmadd_ps(e, _mm512_loadu_ps(uc + 16), a1);
					a2 = _mm512_fmadd_ps(e, _mm512_loadu_ps(uc + 32), a2);
					a3 = _mm512_fmadd_ps(e, _mm512_loadu_ps(uc + 48), a3);
				}
				float *mr = m + i * O + o;
				_mm512_storeu_ps(mr, a0), _mm512_storeu_ps(mr + 16, a1), _mm512_storeu_ps(mr + 32, a2), _mm512_storeu_ps(mr + 48, a3);
			}
	}
}

// fg_wino_tiles computes the outputs of tiles [t0, t0 + T) of the convolution g of x with the
// transformed filters U (see fg_wino_filter), adding b when it is not NULL. scratch holds
// 36·T·(c + o) values. wide: use the AVX-512 versions (c a multiple of 16, o of 64).
static void fg_wino_tiles(const fg_wino *g, const float *x, const float *U, const float *b, float *y, long t0, long T,
	float *scratch, int wide) {
	float *V = scratch, *M = scratch + 36 * T * g->c;
	if (wide) {
		fg_wino_in_avx512(g, x, t0, T, V);
		fg_wino_gemm_avx512(V, U, M, T, g->c, g->o);
		fg_wino_out_avx512(g, M, b, t0, T, y);
	} else {
		fg_wino_in_avx2(g, x, t0, T, V);
		fg_wino_gemm_avx2(V, U, M, T, g->c, g->o);
		fg_wino_out_avx2(g, M, b, t0, T, y);
	}
}

// fg_wino_isa reports what the CPU offers: 0 neither, 1 AVX2 with FMA, 2 AVX-512 too.
static int fg_wino_isa(void) {
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return 0;
	return __builtin_cpu_supports("avx512f") ? 2 : 1;
}
#else
static void fg_wino_tiles(const fg_wino *g, const float *x, const float *U, const float *b, float *y, long t0, long T,
	float *scratch, int wide) {}
static int fg_wino_isa(void) { return 0; }
#endif
