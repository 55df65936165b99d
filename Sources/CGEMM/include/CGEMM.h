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

/// Winograd F(2×2, 3×3) for float32 3×3 convolutions with stride 1 (see winograd.c): the
/// caller multiplies V[ξ] (tiles × channels) by U[ξ] (channels × outputs) into M[ξ] for each of
/// the 16 positions ξ.
///
/// The filter's 16 transformed matrices: `filter` is HWIO (3×3×channels×outputs), `u` receives
/// 16×channels×outputs floats, position-major.
void cgemm_winograd_filter(const float *filter, long channels, long outputs, float *u);

/// The transformed input of one row of `tiles` 2×2 output tiles: tile t sees rows `top`…`top`+3
/// and columns `left`+2t…`left`+2t+3 of `image` (height×width×channels, NHWC), reading `zeros`
/// (at least `channels` zeros) outside it. Tile t's channels for position ξ go to
/// `v[ξ·position_stride + t·channels …]`.
void cgemm_winograd_input_row(const float *image, long height, long width, long channels, long top,
                              long left, long tiles, const float *zeros, float *v,
                              long position_stride);

/// The outputs of one row of tiles from the products: tile t's outputs for position ξ are at
/// `m[ξ·position_stride + t·outputs …]`; rows `top`, `top`+1 and columns 2t, 2t+1 of `output`
/// (height×width×outputs) are written, those inside it.
void cgemm_winograd_output_row(const float *m, long position_stride, long tiles, long outputs,
                               float *output, long height, long width, long top);

/// 1 when all `count` values are finite and at most 2^50 in magnitude, so the transforms neither
/// overflow nor turn one infinity into NaN in neighbouring outputs; 0 otherwise.
int cgemm_winograd_values_fit(const float *values, long count);

#endif
