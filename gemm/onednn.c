//go:build cgo && !noonednn

// Convolutions in oneDNN (Debian: libdnnl-dev), the library PyTorch runs its convolutions in.
// One fg_conv holds the primitives of one geometry; activations are NHWC and weights OHWI, as
// the nn package stores them, and the weights are reordered into whatever layout each primitive
// prefers before every call (a few hundred kilobytes at most).

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#include "onednn.h"

static dnnl_engine_t engine;
static int conv_threads; // OpenMP threads per convolution

// fg_dnnl_init makes the engine; a convolution will run on at most max_threads threads (Go's
// GOMAXPROCS, which follows a container's CPU quota) and at most one per core it may run on.
int fg_dnnl_init(int max_threads) {
	if (engine) {
		return dnnl_success;
	}
	conv_threads = omp_get_num_procs();
	if (max_threads > 0 && max_threads < conv_threads) {
		conv_threads = max_threads;
	}
	return dnnl_engine_create(&engine, dnnl_cpu, 0);
}

// OpenMP's thread count belongs to the calling thread, and Go runs C calls on whichever thread
// it likes: every call sets the count it wants. A matrix product runs on one thread (gemm's Mul
// splits products over goroutines itself), a convolution on conv_threads. oneDNN divides a
// convolution's work when it makes the primitive, by the thread count it sees then: a primitive
// made on a thread that last ran a product would run on one core.
int fg_dnnl_sgemm(char ta, char tb, long m, long n, long k, float alpha, const float *a, long lda, const float *b,
	long ldb, float beta, float *c, long ldc) {
	omp_set_num_threads(1);
	return dnnl_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

struct fg_conv {
	fg_conv_geom g;
	dnnl_dims_t stride, pad_l, pad_r; // from g (fill_strides)
	dnnl_stream_t stream;
	dnnl_memory_desc_t src_md, dst_md, w_md, b_md, w_any;
	dnnl_primitive_desc_t fwd_pd, bwd_data_pd, bwd_w_pd;
	dnnl_primitive_t fwd, bwd_data, bwd_w;
	// The caller's buffers (handles set for each call) and the primitives' own weight layouts.
	dnnl_memory_t src, dst, w, b;
	dnnl_memory_t w_fwd, w_bwd_data, dw_prim, dw_user, db;
	dnnl_primitive_t to_fwd, to_bwd_data, from_bwd_w; // reorders; NULL when layouts agree
	// Every primitive takes its scratch memory from here. The library's own scratchpad belongs
	// to the OS thread that made the primitive, and Go runs each call on whichever thread it
	// likes: a primitive made on one thread and run on another with a smaller scratchpad wrote
	// past its end (seen with oneDNN's gemm-based convolutions, which fg_conv_create now
	// declines; this guards every other kind).
	dnnl_primitive_attr_t attr;
	dnnl_memory_t scratch;
	size_t scratch_size;
};

#define TRY(call)                          \
	do {                                   \
		dnnl_status_t s_ = (call);         \
		if (s_ != dnnl_success) return s_; \
	} while (0)

static void fill_strides(fg_conv *c) {
	const fg_conv_geom *g = &c->g;
	c->stride[0] = c->stride[1] = g->stride;
	c->pad_l[0] = c->pad_l[1] = g->pad;
	// Whatever the right padding must be for the grid to have the size it has (a transposed
	// convolution's output padding shows up here).
	c->pad_r[0] = (g->oh - 1) * g->stride + g->k - g->h - g->pad;
	c->pad_r[1] = (g->ow - 1) * g->stride + g->k - g->w - g->pad;
}

// make_scratch grows c's scratch memory to what the primitive pd needs, if it needs more.
static dnnl_status_t make_scratch(fg_conv *c, const_dnnl_primitive_desc_t pd) {
	const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
	size_t size = md ? dnnl_memory_desc_get_size(md) : 0;
	if (size <= c->scratch_size) {
		return dnnl_success;
	}
	if (c->scratch) {
		dnnl_memory_destroy(c->scratch);
		c->scratch = NULL;
		c->scratch_size = 0;
	}
	dnnl_memory_desc_t bytes;
	dnnl_dims_t d = {(dnnl_dim_t)size};
	TRY(dnnl_memory_desc_init_by_tag(&bytes, 1, d, dnnl_u8, dnnl_x));
	TRY(dnnl_memory_create(&c->scratch, &bytes, engine, DNNL_MEMORY_ALLOCATE));
	c->scratch_size = size;
	return dnnl_success;
}

// A reorder from one layout to another, or NULL when the two are the same.
static dnnl_status_t make_reorder(fg_conv *c, dnnl_primitive_t *r, const dnnl_memory_desc_t *from,
	const dnnl_memory_desc_t *to) {
	*r = NULL;
	if (dnnl_memory_desc_equal(from, to)) {
		return dnnl_success;
	}
	dnnl_primitive_desc_t pd;
	TRY(dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, c->attr));
	dnnl_status_t s = make_scratch(c, pd);
	if (s == dnnl_success) {
		s = dnnl_primitive_create(r, pd);
	}
	dnnl_primitive_desc_destroy(pd);
	return s;
}

// Memory the library allocates and owns, in the given layout.
static dnnl_status_t own_memory(dnnl_memory_t *m, const dnnl_memory_desc_t *md) {
	return dnnl_memory_create(m, md, engine, DNNL_MEMORY_ALLOCATE);
}

// weights_layout prepares what a primitive needs to read the caller's OHWI weights: nothing when
// it reads them as they are, else a reorder into its own layout and memory to hold them there.
static dnnl_status_t weights_layout(fg_conv *c, const_dnnl_primitive_desc_t pd, dnnl_primitive_t *reorder,
	dnnl_memory_t *own) {
	const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
	TRY(make_reorder(c, reorder, &c->w_md, md));
	return *reorder ? own_memory(own, md) : dnnl_success;
}

// gemm_based says whether oneDNN chose its im2col-and-gemm implementation for pd. It does so
// where its direct kernels do not fit (few channels, odd strides), more often on AVX2, and there
// it ran up to six times slower than our own im2col products (cifar-ae's last layer: 18.3 against
// 3.0 ms on AVX2 dispatch).
static int gemm_based(const_dnnl_primitive_desc_t pd) {
	const char *impl = NULL;
	if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success || !impl) {
		return 0;
	}
	return strstr(impl, "gemm") != NULL; // "x64:gemm:jit" and the like
}

// describe_backward_data makes the input gradient's primitive descriptor: fg_conv_create asks
// it which implementation oneDNN chose, and make_backward_data makes the primitive from it.
static dnnl_status_t describe_backward_data(fg_conv *c) {
	dnnl_convolution_desc_t d;
	TRY(dnnl_convolution_backward_data_desc_init(&d, dnnl_convolution_direct, &c->src_md, &c->w_any, &c->dst_md,
		c->stride, c->pad_l, c->pad_r));
	return dnnl_primitive_desc_create(&c->bwd_data_pd, &d, c->attr, engine, c->fwd_pd);
}

int fg_conv_create(fg_conv **out, const fg_conv_geom *g) {
	*out = NULL;
	fg_conv *c = calloc(1, sizeof *c);
	if (!c) {
		return dnnl_out_of_memory;
	}
	c->g = *g;
	*out = c;
	omp_set_num_threads(conv_threads);
	TRY(dnnl_primitive_attr_create(&c->attr));
	TRY(dnnl_primitive_attr_set_scratchpad_mode(c->attr, dnnl_scratchpad_mode_user));
	dnnl_dims_t src = {g->n, g->c, g->h, g->w}, dst = {g->n, g->o, g->oh, g->ow};
	dnnl_dims_t wd = {g->o, g->c, g->k, g->k}, bd = {g->o};
	TRY(dnnl_memory_desc_init_by_tag(&c->src_md, 4, src, dnnl_f32, dnnl_nhwc));
	TRY(dnnl_memory_desc_init_by_tag(&c->dst_md, 4, dst, dnnl_f32, dnnl_nhwc));
	TRY(dnnl_memory_desc_init_by_tag(&c->w_md, 4, wd, dnnl_f32, dnnl_ohwi));
	TRY(dnnl_memory_desc_init_by_tag(&c->w_any, 4, wd, dnnl_f32, dnnl_format_tag_any));
	TRY(dnnl_memory_desc_init_by_tag(&c->b_md, 1, bd, dnnl_f32, dnnl_x));
	fill_strides(c);
	if (g->k == 1 && (c->pad_r[0] < 0 || c->pad_r[1] < 0)) {
		// A 1×1 kernel with pixels at the bottom or right that no window reaches (stride 2 on
		// an even image): oneDNN 2.6's 1×1 weight gradient corrupts memory on AVX-512 and comes
		// out wrong on AVX2 there. The layer computes these with im2col instead; none of the
		// project's networks has one. Larger kernels with such pixels agree with im2col.
		return dnnl_unimplemented;
	}
	dnnl_convolution_desc_t d;
	TRY(dnnl_convolution_forward_desc_init(&d, dnnl_forward_training, dnnl_convolution_direct, &c->src_md, &c->w_any,
		g->bias ? &c->b_md : NULL, &c->dst_md, c->stride, c->pad_l, c->pad_r));
	TRY(dnnl_primitive_desc_create(&c->fwd_pd, &d, c->attr, engine, NULL));
	TRY(describe_backward_data(c));
	if (gemm_based(c->fwd_pd) || gemm_based(c->bwd_data_pd)) {
		return dnnl_unimplemented; // the layer's own im2col products are faster
	}
	TRY(make_scratch(c, c->fwd_pd));
	TRY(dnnl_primitive_create(&c->fwd, c->fwd_pd));
	TRY(dnnl_stream_create(&c->stream, engine, dnnl_stream_default_flags));
	TRY(dnnl_memory_create(&c->src, &c->src_md, engine, DNNL_MEMORY_NONE));
	TRY(dnnl_memory_create(&c->dst, &c->dst_md, engine, DNNL_MEMORY_NONE));
	TRY(dnnl_memory_create(&c->w, &c->w_md, engine, DNNL_MEMORY_NONE));
	TRY(dnnl_memory_create(&c->b, &c->b_md, engine, DNNL_MEMORY_NONE));
	return weights_layout(c, c->fwd_pd, &c->to_fwd, &c->w_fwd);
}

// The backward primitives are made on first use: evaluation never needs them. The input
// gradient's descriptor exists already (fg_conv_create).
static dnnl_status_t make_backward_data(fg_conv *c) {
	if (c->bwd_data) {
		return dnnl_success;
	}
	omp_set_num_threads(conv_threads);
	TRY(make_scratch(c, c->bwd_data_pd));
	TRY(weights_layout(c, c->bwd_data_pd, &c->to_bwd_data, &c->w_bwd_data));
	return dnnl_primitive_create(&c->bwd_data, c->bwd_data_pd);
}

static dnnl_status_t make_backward_weights(fg_conv *c) {
	if (c->bwd_w) {
		return dnnl_success;
	}
	omp_set_num_threads(conv_threads);
	dnnl_convolution_desc_t d;
	TRY(dnnl_convolution_backward_weights_desc_init(&d, dnnl_convolution_direct, &c->src_md, &c->w_any,
		c->g.bias ? &c->b_md : NULL, &c->dst_md, c->stride, c->pad_l, c->pad_r));
	TRY(dnnl_primitive_desc_create(&c->bwd_w_pd, &d, c->attr, engine, c->fwd_pd));
	TRY(make_scratch(c, c->bwd_w_pd));
	const dnnl_memory_desc_t *dw = dnnl_primitive_desc_query_md(c->bwd_w_pd, dnnl_query_diff_weights_md, 0);
	TRY(own_memory(&c->dw_prim, dw));
	TRY(make_reorder(c, &c->from_bwd_w, dw, &c->w_md));
	if (c->from_bwd_w) {
		TRY(own_memory(&c->dw_user, &c->w_md));
	}
	if (c->g.bias) {
		TRY(own_memory(&c->db, &c->b_md));
	}
	return dnnl_primitive_create(&c->bwd_w, c->bwd_w_pd);
}

// run executes one primitive with at most four arguments, and c's scratch memory.
static dnnl_status_t run(fg_conv *c, dnnl_primitive_t p, int n, const dnnl_exec_arg_t *args) {
	dnnl_exec_arg_t a[5];
	memcpy(a, args, n * sizeof *a);
	if (c->scratch) {
		a[n++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, c->scratch};
	}
	omp_set_num_threads(conv_threads);
	TRY(dnnl_primitive_execute(p, c->stream, n, a));
	return dnnl_stream_wait(c->stream);
}

// weights_for runs the reorder into a primitive's layout, if it has its own; returns the memory
// the primitive reads.
static dnnl_status_t weights_for(fg_conv *c, dnnl_primitive_t reorder, dnnl_memory_t own, dnnl_memory_t *use) {
	*use = c->w;
	if (!reorder) {
		return dnnl_success;
	}
	dnnl_exec_arg_t a[] = {{DNNL_ARG_FROM, c->w}, {DNNL_ARG_TO, own}};
	*use = own;
	return run(c, reorder, 2, a);
}

// The caller's buffers are set for one call and forgotten after it.
static void forget(fg_conv *c) {
	dnnl_memory_set_data_handle(c->src, NULL);
	dnnl_memory_set_data_handle(c->dst, NULL);
	dnnl_memory_set_data_handle(c->w, NULL);
	dnnl_memory_set_data_handle(c->b, NULL);
}

int fg_conv_forward(fg_conv *c, const float *x, const float *w, const float *b, float *y) {
	TRY(dnnl_memory_set_data_handle(c->src, (void *)x));
	TRY(dnnl_memory_set_data_handle(c->dst, y));
	TRY(dnnl_memory_set_data_handle(c->w, (void *)w));
	dnnl_memory_t wm;
	dnnl_status_t s = weights_for(c, c->to_fwd, c->w_fwd, &wm);
	if (s == dnnl_success) {
		dnnl_exec_arg_t a[] = {{DNNL_ARG_SRC, c->src}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, c->dst}, {DNNL_ARG_BIAS, c->b}};
		int n = 3;
		if (c->g.bias) {
			TRY(dnnl_memory_set_data_handle(c->b, (void *)b));
			n = 4;
		}
		s = run(c, c->fwd, n, a);
	}
	forget(c);
	return s;
}

int fg_conv_backward_data(fg_conv *c, const float *dy, const float *w, float *dx) {
	TRY(make_backward_data(c));
	TRY(dnnl_memory_set_data_handle(c->dst, (void *)dy));
	TRY(dnnl_memory_set_data_handle(c->src, dx));
	TRY(dnnl_memory_set_data_handle(c->w, (void *)w));
	dnnl_memory_t wm;
	dnnl_status_t s = weights_for(c, c->to_bwd_data, c->w_bwd_data, &wm);
	if (s == dnnl_success) {
		dnnl_exec_arg_t a[] = {{DNNL_ARG_DIFF_DST, c->dst}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DIFF_SRC, c->src}};
		s = run(c, c->bwd_data, 3, a);
	}
	forget(c);
	return s;
}

static void add_memory(float *to, dnnl_memory_t m, size_t n) {
	void *p;
	dnnl_memory_get_data_handle(m, &p);
	const float *from = p;
	for (size_t i = 0; i < n; i++) {
		to[i] += from[i];
	}
}

int fg_conv_backward_weights(fg_conv *c, const float *x, const float *dy, float *dw, float *db) {
	TRY(make_backward_weights(c));
	TRY(dnnl_memory_set_data_handle(c->src, (void *)x));
	TRY(dnnl_memory_set_data_handle(c->dst, (void *)dy));
	dnnl_exec_arg_t a[] = {{DNNL_ARG_SRC, c->src}, {DNNL_ARG_DIFF_DST, c->dst}, {DNNL_ARG_DIFF_WEIGHTS, c->dw_prim},
		{DNNL_ARG_DIFF_BIAS, c->db}};
	dnnl_status_t s = run(c, c->bwd_w, c->g.bias ? 4 : 3, a);
	forget(c);
	TRY(s);
	dnnl_memory_t dwm = c->dw_prim;
	if (c->from_bwd_w) {
		dnnl_exec_arg_t r[] = {{DNNL_ARG_FROM, c->dw_prim}, {DNNL_ARG_TO, c->dw_user}};
		TRY(run(c, c->from_bwd_w, 2, r));
		dwm = c->dw_user;
	}
	const fg_conv_geom *g = &c->g;
	add_memory(dw, dwm, (size_t)g->o * g->k * g->k * g->c);
	if (g->bias) {
		add_memory(db, c->db, (size_t)g->o);
	}
	return dnnl_success;
}

void fg_conv_destroy(fg_conv *c) {
	if (!c) {
		return;
	}
	dnnl_primitive_t ps[] = {c->fwd, c->bwd_data, c->bwd_w, c->to_fwd, c->to_bwd_data, c->from_bwd_w};
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		if (ps[i]) dnnl_primitive_destroy(ps[i]);
	}
	dnnl_primitive_desc_t pds[] = {c->fwd_pd, c->bwd_data_pd, c->bwd_w_pd};
	for (size_t i = 0; i < sizeof pds / sizeof pds[0]; i++) {
		if (pds[i]) dnnl_primitive_desc_destroy(pds[i]);
	}
	dnnl_memory_t ms[] = {c->src, c->dst, c->w, c->b, c->w_fwd, c->w_bwd_data, c->dw_prim, c->dw_user, c->db,
		c->scratch};
	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
		if (ms[i]) dnnl_memory_destroy(ms[i]);
	}
	if (c->attr) dnnl_primitive_attr_destroy(c->attr);
	if (c->stream) dnnl_stream_destroy(c->stream);
	free(c);
}

static const char *isa_name(dnnl_cpu_isa_t isa) {
	switch (isa) {
	case dnnl_cpu_isa_sse41: return "SSE4.1";
	case dnnl_cpu_isa_avx: return "AVX";
	case dnnl_cpu_isa_avx2: return "AVX2";
	case dnnl_cpu_isa_avx2_vnni: return "AVX2 VNNI";
	case dnnl_cpu_isa_avx512_core: return "AVX-512";
	case dnnl_cpu_isa_avx512_core_vnni: return "AVX-512 VNNI";
	case dnnl_cpu_isa_avx512_core_bf16: return "AVX-512 BF16";
	case dnnl_cpu_isa_avx512_core_amx: return "AVX-512 AMX";
	default: return "other ISA";
	}
}

// fg_dnnl_version names the library, its threads and the instruction set it runs, which
// decide its rounding.
const char *fg_dnnl_version(void) {
	static char buf[64];
	const dnnl_version_t *v = dnnl_version();
	const char *rt = v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : v->cpu_runtime == DNNL_RUNTIME_TBB ? "TBB" : "other";
	snprintf(buf, sizeof buf, "%d.%d.%d, %s threads, %s", v->major, v->minor, v->patch, rt, isa_name(dnnl_get_effective_cpu_isa()));
	return buf;
}
