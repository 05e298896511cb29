// The input and output transforms of winograd.h at one vector width: included once per width
// with FG_W_NAME, FG_W_TARGET, FG_W_VT (the vector type), FG_W_LANES, FG_W_LOAD, FG_W_STORE and
// FG_W_SET1 defined. The arithmetic is written with GCC's vector operators, evaluated left to
// right, so that each width rounds every value alike.

// fg_wino_in writes V for tiles [t0, t0 + T): V[(ξ·6 + ν)·T + i][c] = (Bᵀ d B)[ξ][ν] of tile
// t0 + i and channel c. Columns of d first (into u), then rows.
__attribute__((target(FG_W_TARGET))) static void FG_W_NAME(fg_wino_in)(const fg_wino *g, const float *x, long t0, long T, float *V) {
	const long C = g->c, per = g->th * g->tw;
	const FG_W_VT four = FG_W_SET1(4), five = FG_W_SET1(5), two = FG_W_SET1(2), zero = FG_W_SET1(0);
	for (long i = 0; i < T; i++) {
		long t = t0 + i, n = t / per, r = t % per;
		long y0 = 2 * (r / g->tw) - g->pad, x0 = 2 * (r % g->tw) - g->pad;
		int inside = y0 >= 0 && x0 >= 0 && y0 + 6 <= g->h && x0 + 6 <= g->w;
		const float *img = x + n * g->h * g->w * C;
		for (long c = 0; c < C; c += FG_W_LANES) {
			FG_W_VT u[6][6];
#pragma GCC unroll 6
			for (int b = 0; b < 6; b++) {
				FG_W_VT d[6];
				long xx = x0 + b;
#pragma GCC unroll 6
				for (int a = 0; a < 6; a++) {
					long yy = y0 + a;
					d[a] = inside || (yy >= 0 && yy < g->h && xx >= 0 && xx < g->w) ? FG_W_LOAD(img + (yy * g->w + xx) * C + c) : zero;
				}
				u[0][b] = four * d[0] - five * d[2] + d[4];
				u[1][b] = d[3] + d[4] - four * (d[1] + d[2]);
				u[2][b] = four * (d[1] - d[2]) + (d[4] - d[3]);
				u[3][b] = two * (d[3] - d[1]) + (d[4] - d[2]);
				u[4][b] = two * (d[1] - d[3]) + (d[4] - d[2]);
				u[5][b] = four * d[1] - five * d[3] + d[5];
			}
			float *v = V + i * C + c;
			const long s = T * C; // from one (ξ, ν) to the next
#pragma GCC unroll 6
			for (int a = 0; a < 6; a++) {
				const FG_W_VT *e = u[a];
				float *va = v + a * 6 * s;
				FG_W_STORE(va, four * e[0] - five * e[2] + e[4]);
				FG_W_STORE(va + s, e[3] + e[4] - four * (e[1] + e[2]));
				FG_W_STORE(va + 2 * s, four * (e[1] - e[2]) + (e[4] - e[3]));
				FG_W_STORE(va + 3 * s, two * (e[3] - e[1]) + (e[4] - e[2]));
				FG_W_STORE(va + 4 * s, two * (e[1] - e[3]) + (e[4] - e[2]));
				FG_W_STORE(va + 5 * s, four * e[1] - five * e[3] + e[5]);
			}
		}
	}
}

// fg_wino_out writes the outputs of tiles [t0, t0 + T), Aᵀ M A from M[(ξ·6 + ν)·T + i][o], plus
// the bias b (NULL: none). Columns first, then rows.
__attribute__((target(FG_W_TARGET))) static void FG_W_NAME(fg_wino_out)(const fg_wino *g, const float *M, const float *b, long t0, long T, float *y) {
	const long O = g->o, per = g->th * g->tw, s = T * O;
	const FG_W_VT two = FG_W_SET1(2);
	for (long i = 0; i < T; i++) {
		long t = t0 + i, n = t / per, r = t % per;
		long y0 = 2 * (r / g->tw), x0 = 2 * (r % g->tw);
		float *grid = y + n * g->oh * g->ow * O;
		for (long o = 0; o < O; o += FG_W_LANES) {
			const float *m = M + i * O + o;
			FG_W_VT q[2][6];
#pragma GCC unroll 6
			for (int c = 0; c < 6; c++) {
				FG_W_VT e[6];
#pragma GCC unroll 6
				for (int a = 0; a < 6; a++) e[a] = FG_W_LOAD(m + (a * 6 + c) * s);
				q[0][c] = e[0] + (e[1] + e[2]) + (e[3] + e[4]);
				q[1][c] = (e[1] - e[2]) + two * (e[3] - e[4]) + e[5];
			}
#pragma GCC unroll 2
			for (int a = 0; a < 2; a++) {
				const FG_W_VT *e = q[a];
				FG_W_VT r2[2] = {e[0] + (e[1] + e[2]) + (e[3] + e[4]), (e[1] - e[2]) + two * (e[3] - e[4]) + e[5]};
				if (b) {
					FG_W_VT bias = FG_W_LOAD(b + o);
					r2[0] = r2[0] + bias;
					r2[1] = r2[1] + bias;
				}
				long yy = y0 + a;
				for (int c = 0; c < 2; c++)
					if (yy < g->oh && x0 + c < g->ow) FG_W_STORE(grid + (yy * g->ow + x0 + c) * O + o, r2[c]);
			}
		}
	}
}

// fg_wino_dy writes P for tiles [t0, t0 + T) of the output gradient dy (a grid of g):
// P[(ξ·6 + ν)·T + i][o] = (A dy A ᵀ)[ξ][ν] of tile t0 + i (2×2 values, zero outside the grid):
// the weight gradient's transform of the output side. Rows of the tile first, then columns.
__attribute__((target(FG_W_TARGET))) static void FG_W_NAME(fg_wino_dy)(const fg_wino *g, const float *dy, long t0, long T, float *P) {
	const long O = g->o, per = g->th * g->tw, s = T * O;
	const FG_W_VT two = FG_W_SET1(2), zero = FG_W_SET1(0);
	for (long i = 0; i < T; i++) {
		long t = t0 + i, n = t / per, r = t % per;
		long y0 = 2 * (r / g->tw), x0 = 2 * (r % g->tw);
		const float *grid = dy + n * g->oh * g->ow * O;
		for (long o = 0; o < O; o += FG_W_LANES) {
			FG_W_VT d[2][2], q[6][2];
			for (int a = 0; a < 2; a++)
				for (int c = 0; c < 2; c++)
					d[a][c] = y0 + a < g->oh && x0 + c < g->ow ? FG_W_LOAD(grid + ((y0 + a) * g->ow + x0 + c) * O + o) : zero;
			for (int c = 0; c < 2; c++) {
				q[0][c] = d[0][c];
				q[1][c] = d[0][c] + d[1][c];
				q[2][c] = d[0][c] - d[1][c];
				q[3][c] = d[0][c] + two * d[1][c];
				q[4][c] = d[0][c] - two * d[1][c];
				q[5][c] = d[1][c];
			}
			float *p = P + i * O + o;
#pragma GCC unroll 6
			for (int a = 0; a < 6; a++) {
				const FG_W_VT e0 = q[a][0], e1 = q[a][1];
				float *pa = p + a * 6 * s;
				FG_W_STORE(pa, e0);
				FG_W_STORE(pa + s, e0 + e1);
				FG_W_STORE(pa + 2 * s, e0 - e1);
				FG_W_STORE(pa + 3 * s, e0 + two * e1);
				FG_W_STORE(pa + 4 * s, e0 - two * e1);
				FG_W_STORE(pa + 5 * s, e1);
			}
		}
	}
}
