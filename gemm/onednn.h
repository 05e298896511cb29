// The C side of onednn.go (see onednn.c).

// One convolution: n images of h×w×c (NHWC) to n grids of oh×ow×o, a k×k kernel, the stride
// and the top/left padding; bias: whether the forward adds one and the weight gradient has one.
typedef struct {
	long n, h, w, c, oh, ow, o, k, stride, pad;
	int bias;
} fg_conv_geom;

typedef struct fg_conv fg_conv;

int fg_dnnl_init(int max_threads);
int fg_dnnl_sgemm(char ta, char tb, long m, long n, long k, float alpha, const float *a, long lda, const float *b,
	long ldb, float beta, float *c, long ldc);
int fg_conv_create(fg_conv **out, const fg_conv_geom *g);
int fg_conv_forward(fg_conv *c, const float *x, const float *w, const float *b, float *y);
int fg_conv_backward_data(fg_conv *c, const float *dy, const float *w, float *dx);
int fg_conv_backward_weights(fg_conv *c, const float *x, const float *dy, float *dw, float *db);
void fg_conv_destroy(fg_conv *c);
const char *fg_dnnl_version(void);
