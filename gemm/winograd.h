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
// threads. The matrices (solved for in exact rationals from the construction; TestWinogradError
// checks the convolutions they compute against the definition):
//
//	Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
//	G  = [1/4 0 0 0 0; −1/6 ×5; −1/6 1/6 −1/6 1/6 −1/6; 1/24 1/12 1/6 1/3 2/3;
//	      1/24 −1/12 1/6 −1/3 2/3; 0 0 0 0 1]
//	Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 1]
//
// The weight gradient runs the adjoint of the same transforms: dg = Gᵀ [Σ (A dy Aᵀ) ⊙ (Bᵀ d B)] G,
// summed over the tiles.

// No contraction of a multiplication and an addition into one instruction: the transforms must
// round the same at every vector width (GCC contracts vector arithmetic by default).
#pragma GCC optimize("fp-contract=off")
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF // clang ignores GCC's pragma and honours the standard one
#endif
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

// G, the filters' transform (the header's comment), for the forward's filters and the weight
// gradient's adjoint.
static const double fg_wino_G[6][5] = {
	{1.0 / 4, 0, 0, 0, 0},
	{-1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6},
	{-1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6},
	{1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3},
	{1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3},
	{0, 0, 0, 0, 1},
};

// fg_wino_filter writes U (36 matrices of c × o values, row-major) for the output channels
// [o0, o1) of the weights w, stored [o][5][5][c]. With flip, it writes the filters of the
// adjoint convolution instead (input and output channels swapped, the kernel turned by 180°):
// U holds 36 matrices of o × c values, from which fg_wino_tiles computes an input gradient. The
// transform runs in double precision and rounds each value once.
static void fg_wino_filter(const float *w, long o_count, long c_count, int flip, float *U, long o0, long o1) {
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
					for (int k = 0; k < 5; k++) s += fg_wino_G[i][k] * g[k][j];
					t[i][j] = s;
				}
			for (int i = 0; i < 6; i++)
				for (int j = 0; j < 6; j++) {
					double s = 0;
					for (int k = 0; k < 5; k++) s += t[i][k] * fg_wino_G[j][k];
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

// fg_tile_avx2 is the AVX2 products' kernel: rows [0, rows) (rows 6, or 1) × 16 columns of
// C (row stride ldc) = Σ over k = 0, 1, …, K−1 of A[r][k]·B[k][0..16], A[r][k] at a + r·ar + k·ak
// and B[k] at b + k·bk, one fused multiply-add per term from zero; add: C += that sum, else
// C = it. The forward's and the weight gradient's products differ only in these strides. Always
// inlined with rows a constant (6, or 1 for the last rows), so that the accumulators stay in
// registers.
__attribute__((target("avx2,fma"), always_inline)) static inline void fg_tile_avx2(const float *a, long ar, long ak, const float *b, long bk,
	long K, float *c, long ldc, long rows, int add) {
	__m256 acc[6][2];
	for (int r = 0; r < 6; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
	if (rows == 6) {
		for (long k = 0; k < K; k++) {
			__m256 b0 = _mm256_loadu_ps(b + k * bk), b1 = _mm256_loadu_ps(b + k * bk + 8);
#pragma GCC unroll 6
			for (int r = 0; r < 6; r++) {
				__m256 e = _mm256_broadcast_ss(a + r * ar + k * ak);
				acc[r][0] = _mm256_fmadd_ps(e, b0, acc[r][0]);
				acc[r][1] = _mm256_fmadd_ps(e, b1, acc[r][1]);
			}
		}
	} else {
		for (long k = 0; k < K; k++) {
			__m256 b0 = _mm256_loadu_ps(b + k * bk), b1 = _mm256_loadu_ps(b + k * bk + 8);
			__m256 e = _mm256_broadcast_ss(a + k * ak);
			acc[0][0] = _mm256_fmadd_ps(e, b0, acc[0][0]);
			acc[0][1] = _mm256_fmadd_ps(e, b1, acc[0][1]);
		}
	}
#pragma GCC unroll 6
	for (int r = 0; r < 6; r++)
		for (int q = 0; q < 2; q++) {
			float *cr = c + r * ldc + 8 * q;
			if (r < rows) _mm256_storeu_ps(cr, add ? _mm256_add_ps(_mm256_loadu_ps(cr), acc[r][q]) : acc[r][q]);
		}
}

// The 36 products M = V·U of a block of T tiles: M (T × O) for each (ξ, ν). Each value is the
// sum over c = 0, 1, … of V[i][c]·U[c][o], one fused multiply-add per term, in every version.
// AVX2: six tiles × 16 outputs at a time (fg_tile_avx2); O must be a multiple of 16.
__attribute__((target("avx2,fma"))) static void fg_wino_gemm_avx2(const float *V, const float *U, float *M, long T, long C, long O) {
	for (int p = 0; p < 36; p++) {
		const float *v = V + p * T * C, *u = U + p * C * O;
		float *m = M + p * T * O;
		long i = 0;
		for (; i + 6 <= T; i += 6)
			for (long o = 0; o < O; o += 16) fg_tile_avx2(v + i * C, C, 1, u + o, O, C, m + i * O + o, O, 6, 0);
		for (; i < T; i++) // the last T % 6 tiles one at a time
			for (long o = 0; o < O; o += 16) fg_tile_avx2(v + i * C, C, 1, u + o, O, C, m + i * O + o, O, 1, 0);
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

// The weight gradient's 36 products of a block of T tiles, added to Z: Z (O × C) += Pᵀ·V for
// each (ξ, ν), P (T × O) and V (T × C). Each value of the block's product adds its tiles' terms
// in order from zero, one fused multiply-add each, in every version, and is then added to Z: a
// sum in two levels, whose rounding error grows with a block's length and the number of blocks
// rather than with the number of tiles. AVX2: six outputs × 16 channels at a time
// (fg_tile_avx2), the last O % 6 outputs one at a time.
__attribute__((target("avx2,fma"))) static void fg_wino_wgemm_avx2(const float *P, const float *V, float *Z, long T, long O, long C) {
	for (int p = 0; p < 36; p++) {
		const float *pp = P + p * T * O, *v = V + p * T * C;
		float *z = Z + p * O * C;
		long o = 0;
		for (; o + 6 <= O; o += 6)
			for (long c = 0; c < C; c += 16) fg_tile_avx2(pp + o, 1, O, v + c, C, T, z + o * C + c, C, 6, 1);
		for (; o < O; o++)
			for (long c = 0; c < C; c += 16) fg_tile_avx2(pp + o, 1, O, v + c, C, T, z + o * C + c, C, 1, 1);
	}
}

// AVX-512: eight outputs × 32 channels at a time (16 accumulators); O must be a multiple of 8
// (winograd.go takes 16) and C of 32.
__attribute__((target("avx512f,avx2,fma"))) static void fg_wino_wgemm_avx512(const float *P, const float *V, float *Z, long T, long O, long C) {
#define FG_ACC16(ptr, a) _mm512_storeu_ps(ptr, _mm512_add_ps(_mm512_loadu_ps(ptr), a))
	for (int p = 0; p < 36; p++) {
		const float *pp = P + p * T * O, *v = V + p * T * C;
		float *z = Z + p * O * C;
		for (long o = 0; o < O; o += 8)
			for (long c = 0; c < C; c += 32) {
				__m512 acc[8][2];
				for (int r = 0; r < 8; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
				for (long t = 0; t < T; t++) {
					const float *vt = v + t * C + c, *pt = pp + t * O + o;
					__m512 v0 = _mm512_loadu_ps(vt), v1 = _mm512_loadu_ps(vt + 16);
#pragma GCC unroll 8
					for (int r = 0; r < 8; r++) {
						__m512 e = _mm512_set1_ps(pt[r]);
						acc[r][0] = _mm512_fmadd_ps(e, v0, acc[r][0]);
						acc[r][1] = _mm512_fmadd_ps(e, v1, acc[r][1]);
					}
				}
				for (int r = 0; r < 8; r++) {
					FG_ACC16(z + (o + r) * C + c, acc[r][0]);
					FG_ACC16(z + (o + r) * C + c + 16, acc[r][1]);
				}
			}
	}
#undef FG_ACC16
}

// fg_wino_wfinal adds to the weights' gradient dw ([o][5][5][c]) of output channels [o0, o1) the
// weight gradient Gᵀ Z G of the sums Z of groups partial products (36 matrices of o × c each),
// the partials added in group order and the transform computed in double precision, four
// channels at a time (c a multiple of 4), each value rounded once when it is added to dw. One
// version for every width: the same bits.
__attribute__((target("avx2"))) static void fg_wino_wfinal(const float *Z, long groups, long o_count, long c_count, float *dw, long o0, long o1) {
	const long mat = o_count * c_count;
	for (long o = o0; o < o1; o++)
		for (long c = 0; c < c_count; c += 4) {
			__m256d z[6][6], t[5][6];
			for (int p = 0; p < 36; p++) {
				__m256d s = _mm256_setzero_pd();
				for (long k = 0; k < groups; k++) s = _mm256_add_pd(s, _mm256_cvtps_pd(_mm_loadu_ps(Z + (k * 36 + p) * mat + o * c_count + c)));
				z[p / 6][p % 6] = s;
			}
			for (int i = 0; i < 5; i++)
				for (int j = 0; j < 6; j++) {
					__m256d s = _mm256_setzero_pd();
					for (int k = 0; k < 6; k++) s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(fg_wino_G[k][i]), z[k][j]));
					t[i][j] = s;
				}
			for (int i = 0; i < 5; i++)
				for (int j = 0; j < 5; j++) {
					__m256d s = _mm256_setzero_pd();
					for (int k = 0; k < 6; k++) s = _mm256_add_pd(s, _mm256_mul_pd(t[i][k], _mm256_set1_pd(fg_wino_G[k][j])));
					float *d = dw + ((o * 5 + i) * 5 + j) * c_count + c;
					_mm_storeu_ps(d, _mm256_cvtpd_ps(_mm256_add_pd(_mm256_cvtps_pd(_mm_loadu_ps(d)), s)));
				}
		}
}

// fg_wino_wgroup adds the weight gradient's products of the images [n0, n1) of the convolution
// g (input x, output gradient dy) to Z (36 matrices of o × c, zeroed by the caller), blocks of
// T tiles at a time, and the column sums of their dy to db (o values, in double; NULL: none).
// scratch holds 36·T·(c + o) values. wide: the AVX-512 versions (c a multiple of 32, o of 16).
static void fg_wino_wgroup(const fg_wino *g, const float *x, const float *dy, long n0, long n1, long T, float *scratch,
	float *Z, double *db, int wide) {
	const long per = g->th * g->tw;
	float *V = scratch, *P = scratch + 36 * T * g->c;
	for (long t0 = n0 * per; t0 < n1 * per; t0 += T) {
		long n = n1 * per - t0 < T ? n1 * per - t0 : T;
		if (wide) {
			fg_wino_in_avx512(g, x, t0, n, V);
			fg_wino_dy_avx512(g, dy, t0, n, P);
			fg_wino_wgemm_avx512(P, V, Z, n, g->o, g->c);
		} else {
			fg_wino_in_avx2(g, x, t0, n, V);
			fg_wino_dy_avx2(g, dy, t0, n, P);
			fg_wino_wgemm_avx2(P, V, Z, n, g->o, g->c);
		}
	}
	if (db) {
		const long O = g->o;
		for (long p = n0 * g->oh * g->ow; p < n1 * g->oh * g->ow; p++)
			for (long o = 0; o < O; o++) db[o] += dy[p * O + o];
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
static int fg_wino_isa(void) { return 0; } // winograd.go then makes no Winograd convolution
static void fg_wino_wgroup(const fg_wino *g, const float *x, const float *dy, long n0, long n1, long T, float *scratch,
	float *Z, double *db, int wide) {}
static void fg_wino_wfinal(const float *Z, long groups, long o_count, long c_count, float *dw, long o0, long o1) {}
#endif
