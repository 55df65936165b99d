// Loads libopenblas.so.0 once, on the first call, and forwards to it (see COpenBLAS.h).
#include "COpenBLAS.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*sgemm_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint, blasint, blasint,
                         float, const float *, blasint, const float *, blasint, float, float *, blasint);
typedef void (*sgemv_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, blasint, blasint, float, const float *, blasint,
                         const float *, blasint, float, float *, blasint);
typedef void (*dgemm_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint, blasint, blasint,
                         double, const double *, blasint, const double *, blasint, double, double *, blasint);
typedef void (*dgemv_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, blasint, blasint, double, const double *,
                         blasint, const double *, blasint, double, double *, blasint);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);

static struct {
  sgemm_fn sgemm;
  sgemv_fn sgemv;
  dgemm_fn dgemm;
  dgemv_fn dgemv;
  set_threads_fn set_threads;
  get_threads_fn get_threads;
} blas;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;

static void *symbol(void *library, const char *name) {
  void *address = dlsym(library, name);
  if (address == NULL) {
    fprintf(stderr, "registry: libopenblas.so.0 has no %s (%s)\n", name, dlerror());
    abort();
  }
  return address;
}

// A missing library is an installation defect, like a missing shared library at start-up
// would be: the process stops with the reason rather than computing without it.
static void load(void) {
  void *library = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    fprintf(stderr, "registry: cannot load OpenBLAS (%s); install libopenblas0\n", dlerror());
    abort();
  }
  blas.sgemm = (sgemm_fn)symbol(library, "cblas_sgemm");
  blas.sgemv = (sgemv_fn)symbol(library, "cblas_sgemv");
  blas.dgemm = (dgemm_fn)symbol(library, "cblas_dgemm");
  blas.dgemv = (dgemv_fn)symbol(library, "cblas_dgemv");
  blas.set_threads = (set_threads_fn)symbol(library, "openblas_set_num_threads");
  blas.get_threads = (get_threads_fn)symbol(library, "openblas_get_num_threads");
}

static void ensure_loaded(void) { pthread_once(&loaded, load); }

void registry_cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans_a, enum CBLAS_TRANSPOSE trans_b,
                          blasint m, blasint n, blasint k, float alpha, const float *a, blasint lda,
                          const float *b, blasint ldb, float beta, float *c, blasint ldc) {
  ensure_loaded();
  blas.sgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void registry_cblas_sgemv(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans, blasint m, blasint n, float alpha,
                          const float *a, blasint lda, const float *x, blasint inc_x, float beta, float *y,
                          blasint inc_y) {
  ensure_loaded();
  blas.sgemv(order, trans, m, n, alpha, a, lda, x, inc_x, beta, y, inc_y);
}

void registry_cblas_dgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans_a, enum CBLAS_TRANSPOSE trans_b,
                          blasint m, blasint n, blasint k, double alpha, const double *a, blasint lda,
                          const double *b, blasint ldb, double beta, double *c, blasint ldc) {
  ensure_loaded();
  blas.dgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void registry_cblas_dgemv(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans, blasint m, blasint n, double alpha,
                          const double *a, blasint lda, const double *x, blasint inc_x, double beta, double *y,
                          blasint inc_y) {
  ensure_loaded();
  blas.dgemv(order, trans, m, n, alpha, a, lda, x, inc_x, beta, y, inc_y);
}

void registry_openblas_set_num_threads(int threads) {
  ensure_loaded();
  blas.set_threads(threads);
}

int registry_openblas_get_num_threads(void) {
  ensure_loaded();
  return blas.get_threads();
}
