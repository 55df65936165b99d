// Debian's OpenBLAS (libopenblas-dev), loaded on first use rather than linked.
//
// Linked, OpenBLAS starts its thread pool in a library constructor, before main, and those
// threads spin (sched_yield) for about 0.1 s of a core before they sleep: in every process,
// including a push or a pull that never multiplies a matrix. Loaded with dlopen on the first
// product, only the processes that run a model pay for it. The types and enums are CBLAS's own.
#ifndef REGISTRY_COPENBLAS_H
#define REGISTRY_COPENBLAS_H

#include <cblas.h>

/// `cblas_sgemm`, `cblas_sgemv`, `cblas_dgemm` and `cblas_dgemv` through the loaded library.
void registry_cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans_a, enum CBLAS_TRANSPOSE trans_b,
                          blasint m, blasint n, blasint k, float alpha, const float *a, blasint lda,
                          const float *b, blasint ldb, float beta, float *c, blasint ldc);
void registry_cblas_sgemv(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans, blasint m, blasint n, float alpha,
                          const float *a, blasint lda, const float *x, blasint inc_x, float beta, float *y,
                          blasint inc_y);
void registry_cblas_dgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans_a, enum CBLAS_TRANSPOSE trans_b,
                          blasint m, blasint n, blasint k, double alpha, const double *a, blasint lda,
                          const double *b, blasint ldb, double beta, double *c, blasint ldc);
void registry_cblas_dgemv(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans, blasint m, blasint n, double alpha,
                          const double *a, blasint lda, const double *x, blasint inc_x, double beta, double *y,
                          blasint inc_y);

/// OpenBLAS's own thread-count controls.
void registry_openblas_set_num_threads(int threads);
int registry_openblas_get_num_threads(void);

#endif
