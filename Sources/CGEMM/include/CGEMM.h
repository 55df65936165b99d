#ifndef CGEMM_H
#define CGEMM_H

/// Whether this CPU can run one of the GEMM kernels: AVX-512 (AVX512F and AVX512VL) or AVX2 with
/// FMA; 0 on every other CPU, where the caller keeps using OpenBLAS.
int cgemm_available(void);

/// Whether an m×n×k product should run here rather than on OpenBLAS: always with AVX-512; with
/// AVX2 only for the shapes where our kernel measured faster.
int cgemm_suits(long m, long n, long k);

/// C[m×n] = op(A)·op(B) in float32, row-major like cblas_sgemm with CblasRowMajor, alpha = 1 and
/// beta = 0: C is overwritten, never read. op(A) is m×k (A is stored k×m when `transA` is
/// nonzero), op(B) is k×n (B is stored n×k when `transB` is nonzero); `lda`, `ldb` and `ldc` are
/// the stored row lengths, so submatrices work. Single-threaded and free of global mutable state,
/// so two threads may each run one on their own part of C. Only call when `cgemm_available()`
/// returned 1 for full speed; elsewhere it falls back to a plain (slow but correct) loop.
void cgemm_sgemm(int transA, int transB, long m, long n, long k, const float *a, long lda,
                 const float *b, long ldb, float *c, long ldc);

/// `cgemm_sgemm` on the AVX2 kernel even where AVX-512 is there (the plain loop without AVX2), so
/// tests check that kernel on every x86-64 machine.
void cgemm_sgemm_avx2(int transA, int transB, long m, long n, long k, const float *a, long lda,
                      const float *b, long ldb, float *c, long ldc);

#endif
