// Float32 GEMM with an AVX-512 microkernel (and an AVX2 one for CPUs without AVX-512, see below),
// for the convolution and dense products of inference.
//
// Our machines force OpenBLAS onto its Haswell (AVX2) kernels, because older OpenBLAS builds
// misbehave on Zen 5, and that left convolutions at half the speed of TensorFlow's AVX-512 code.
// This is the GotoBLAS / BLIS blocking with our own 512-bit kernel, about twice as fast as those
// kernels on the shapes our im2col convolutions make. The kernel holds a 14×32 tile of C in 28 zmm
// registers; each step of k loads two vectors of B and broadcasts 14 elements of A straight from
// memory into 28 FMAs, enough independent chains for both FMA pipes. A row-major A (the im2col
// patches) is read in place, 14 rows at a time that stay in L1 while the kernel sweeps a block of
// B, and the next 14 rows are prefetched meanwhile, which keeps full speed when A is larger than
// the caches (batched convolutions); copying A into panels, as BLIS does, would cost as much as
// the product itself when n is 64. B is read in place too, unless its rows are a multiple of 4 KB
// apart (they would then crowd a few cache sets), when it is copied into 32-column slivers. k is
// taken in passes of about 384, the first writing C and the rest adding to it. Edge tiles use the
// same kernel, exactly as many rows high as remain and with masked loads and stores of C, so
// nothing past the matrices is read; a transposed A or B is first copied into the untransposed
// layout (correct, not tuned).
#include "CGEMM.h"

#include <stdint.h>
#include <stdlib.h>

// The plain triple loop: the fallback on CPUs without AVX-512, if memory runs out, and for k = 0.
static void reference_sgemm(int transA, int transB, long m, long n, long k, const float *a,
                            long lda, const float *b, long ldb, float *c, long ldc) {
  for (long i = 0; i < m; i++) {
    float *row = c + i * ldc;
    for (long j = 0; j < n; j++) row[j] = 0.0f;
    for (long p = 0; p < k; p++) {
      float x = transA ? a[p * lda + i] : a[i * lda + p];
      if (transB) {
        for (long j = 0; j < n; j++) row[j] += x * b[j * ldb + p];
      } else {
        const float *brow = b + p * ldb;
        for (long j = 0; j < n; j++) row[j] += x * brow[j];
      }
    }
  }
}

#if defined(__x86_64__)
#include <immintrin.h>

#define CGEMM_TARGET __attribute__((target("avx512f,avx512vl,fma")))
#define CGEMM_INLINE static inline __attribute__((always_inline))
// Loops over the rows and vectors of a tile must be unrolled for the tile to live in registers.
#if defined(__clang__)
#define CGEMM_UNROLL _Pragma("clang loop unroll(full)")
#else
#define CGEMM_UNROLL _Pragma("GCC unroll 16")
#endif

// The tile: MR rows of A by NR columns of B (two zmm vectors).
enum { MR = 14, NR = 32 };
// Depth of one pass over k: the A sliver (MR×KC, 21 KB) stays in L1d (48 KB) while the kernel
// sweeps B. (256 to 768 measured alike on the shapes we run; longer passes mean fewer passes
// over C, shorter ones less for L1 to hold.)
enum { KC = 384 };
// The block of B (KC×NC) one pass sweeps is held to half of the 1 MB L2, leaving room for A and C.
enum { B_BLOCK_BYTES = 512 * 1024 };
// Rows of a transposed A copied at a time.
enum { MC = MR * 12 };

static int has_avx512(void) {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("fma");
}

static int has_avx2(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

int cgemm_available(void) {
  __builtin_cpu_init();
  return has_avx512() || has_avx2();
}

int cgemm_suits(long m, long n, long k) {
  (void)k;
  if (has_avx512()) return 1;
  // Measured on Zen 3 against OpenBLAS 0.3.21's Zen kernels, one thread (best of 7): ours is
  // 15-40% faster with at most 64 columns (DenseNet's 32-channel and ResNet's 64-channel
  // convolutions, whose im2col patches OpenBLAS copies whole before multiplying) and 10-30%
  // slower with 192 or more, so those stay on OpenBLAS.
  return has_avx2() && n <= 64 && m >= 16;
}

// Brings the next sliver of A (`rows` rows, `lda` apart, `kc` long) into L1 while a tile is
// computed: one cache line per step of k, row after row, 16 floats further each round.
struct prefetch {
  const float *column, *at;
  int row;
  long left;
};

CGEMM_INLINE struct prefetch prefetch_start(const float *next, int rows, long kc) {
  struct prefetch ahead = {next, next, 0, next ? rows * ((kc + 15) / 16) : 0};
  return ahead;
}

CGEMM_INLINE void prefetch_step(struct prefetch *ahead, int rows, long lda) {
  if (ahead->left <= 0) return;
  ahead->left--;
  _mm_prefetch((const char *)ahead->at, _MM_HINT_T0);
  ahead->at += lda;
  if (++ahead->row == rows) {
    ahead->row = 0;
    ahead->column += 16;
    ahead->at = ahead->column;
  }
}

// C[0:rows, 0:nr] = (or +=) A[0:rows, 0:kc] · B[0:kc, 0:16*nv], with A's element (i, p) at
// a[i*lda + p] and B's (p, j) at b[p*ldb + j]; columns of C from nr on are left alone. `rows` and
// `nv` are constants after inlining, so the accumulators live in registers. When `next` is not
// null, the next sliver of A (`rows` rows, same lda) is prefetched into L1, a line per step of k.
CGEMM_TARGET CGEMM_INLINE void kernel_body(const int rows, const int nv, long kc, const float *a,
                                           long lda, const float *b, long ldb, float *c, long ldc,
                                           int accumulate, long nr, const float *next) {
  __m512 acc[MR][2];
  CGEMM_UNROLL
  for (int i = 0; i < rows; i++)
    CGEMM_UNROLL
    for (int j = 0; j < nv; j++) acc[i][j] = _mm512_setzero_ps();

  struct prefetch ahead = prefetch_start(next, rows, kc);
  for (long p = 0; p < kc; p++) {
    prefetch_step(&ahead, rows, lda);
    __m512 bv[2];
    CGEMM_UNROLL
    for (int j = 0; j < nv; j++) bv[j] = _mm512_loadu_ps(b + p * ldb + 16 * j);
    CGEMM_UNROLL
    for (int i = 0; i < rows; i++) {
      __m512 ai = _mm512_set1_ps(a[i * lda + p]);
      CGEMM_UNROLL
      for (int j = 0; j < nv; j++) acc[i][j] = _mm512_fmadd_ps(ai, bv[j], acc[i][j]);
    }
  }

  if (nr == 16 * nv) {
    CGEMM_UNROLL
    for (int i = 0; i < rows; i++) {
      CGEMM_UNROLL
      for (int j = 0; j < nv; j++) {
        float *cp = c + i * ldc + 16 * j;
        __m512 v = acc[i][j];
        if (accumulate) v = _mm512_add_ps(v, _mm512_loadu_ps(cp));
        _mm512_storeu_ps(cp, v);
      }
    }
  } else {
    __mmask16 mask[2];
    CGEMM_UNROLL
    for (int j = 0; j < nv; j++) {
      long left = nr - 16 * j;
      mask[j] = left >= 16 ? (__mmask16)0xFFFF
                : left <= 0 ? (__mmask16)0
                            : (__mmask16)((1u << left) - 1);
    }
    CGEMM_UNROLL
    for (int i = 0; i < rows; i++) {
      CGEMM_UNROLL
      for (int j = 0; j < nv; j++) {
        float *cp = c + i * ldc + 16 * j;
        __m512 v = acc[i][j];
        if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask[j], cp));
        _mm512_mask_storeu_ps(cp, mask[j], v);
      }
    }
  }
}

// One tile of mr (1...MR) rows and nr (1...NR) columns; a sliver of B at most 16 wide is packed
// 16 wide, and gets the one-vector kernel.
CGEMM_TARGET static void kernel(long mr, long kc, const float *a, long lda, const float *b,
                                long ldb, float *c, long ldc, int accumulate, long nr,
                                const float *next) {
  int nv = nr > 16 ? 2 : 1;
  switch (mr * 2 + nv - 1) {
#define CGEMM_ROWS(R)                                                         \
  case R * 2: kernel_body(R, 1, kc, a, lda, b, ldb, c, ldc, accumulate, nr, next); break; \
  case R * 2 + 1: kernel_body(R, 2, kc, a, lda, b, ldb, c, ldc, accumulate, nr, next); break;
    CGEMM_ROWS(1) CGEMM_ROWS(2) CGEMM_ROWS(3) CGEMM_ROWS(4) CGEMM_ROWS(5) CGEMM_ROWS(6)
    CGEMM_ROWS(7) CGEMM_ROWS(8) CGEMM_ROWS(9) CGEMM_ROWS(10) CGEMM_ROWS(11) CGEMM_ROWS(12)
    CGEMM_ROWS(13) CGEMM_ROWS(14)
#undef CGEMM_ROWS
    default: break;
  }
}

// Packs op(B)[pc:pc+kc, jc:jc+nc] as slivers of NR columns, each kc×NR row by row; the sliver
// of column jr starts at dst + jr*kc. A last sliver of at most 16 columns is packed 16 wide, any
// other short one NR wide; either is zero-padded. With `edges_only` (B read in place), only a
// short last sliver is packed, at dst.
CGEMM_TARGET static void pack_b(int transB, const float *b, long ldb, long pc, long jc, long kc,
                                long nc, float *dst, int edges_only) {
  for (long jr = 0; jr < nc; jr += NR) {
    long nr = nc - jr < NR ? nc - jr : NR;
    float *out = edges_only ? dst : dst + jr * kc;
    if (transB) {
      long width = nr > 16 ? NR : 16;
      const float *src = b + (jc + jr) * ldb + pc;
      for (long p = 0; p < kc; p++) {
        for (long j = 0; j < nr; j++) out[p * width + j] = src[j * ldb + p];
        for (long j = nr; j < width; j++) out[p * width + j] = 0.0f;
      }
      continue;
    }
    const float *src = b + pc * ldb + jc + jr;
    if (nr == NR) {
      if (edges_only) continue;
      for (long p = 0; p < kc; p++) {
        _mm512_store_ps(out + p * NR, _mm512_loadu_ps(src + p * ldb));
        _mm512_store_ps(out + p * NR + 16, _mm512_loadu_ps(src + p * ldb + 16));
      }
    } else if (nr > 16) {
      __mmask16 mask = (__mmask16)((1u << (nr - 16)) - 1);
      for (long p = 0; p < kc; p++) {
        _mm512_store_ps(out + p * NR, _mm512_loadu_ps(src + p * ldb));
        _mm512_store_ps(out + p * NR + 16, _mm512_maskz_loadu_ps(mask, src + p * ldb + 16));
      }
    } else {
      __mmask16 mask = (__mmask16)((1u << nr) - 1);
      for (long p = 0; p < kc; p++)
        _mm512_store_ps(out + p * 16, _mm512_maskz_loadu_ps(mask, src + p * ldb));
    }
  }
}

// Copies op(A)[ic:ic+mc, pc:pc+kc] of a transposed A (stored k×m) into row-major mc×kc, so the
// kernel reads it as it reads an untransposed A.
static void pack_a_transposed(const float *a, long lda, long ic, long pc, long mc,
                                           long kc, float *dst) {
  // 16 steps of k at a time, so each row of dst gets a whole cache line per visit.
  for (long p0 = 0; p0 < kc; p0 += 16) {
    long pn = kc - p0 < 16 ? kc - p0 : 16;
    const float *src = a + (pc + p0) * lda + ic;
    for (long i = 0; i < mc; i++)
      for (long p = 0; p < pn; p++) dst[i * kc + p0 + p] = src[p * lda + i];
  }
}

static long min_long(long x, long y) { return x < y ? x : y; }

// How a kernel family blocks a product: its MR×NR tile, the depth KC of a pass over k, the bytes
// of B one pass sweeps, the rows MC of a transposed A copied at a time, and its B packing and
// tile functions. `blocked_sgemm` is the one loop nest both families run.
struct blocking {
  long mr, nr, kc, b_block_bytes, mc;
  void (*pack_b)(int transB, const float *b, long ldb, long pc, long jc, long kc, long nc, float *dst,
                 int edges_only);
  void (*kernel)(long mr, long kc, const float *a, long lda, const float *b, long ldb, float *c,
                 long ldc, int accumulate, long nr, const float *next);
};

// The loop nest (GotoBLAS / BLIS order): blocks of B's columns, passes over k, then every sliver
// of MR rows of A (read in place, or copied when transposed) against every sliver of the B block.
// `b_in_place`: B's full slivers are read where they are; only a short last one is packed.
static void blocked_sgemm(const struct blocking *g, int b_in_place, int transA, int transB, long m,
                          long n, long k, const float *a, long lda, const float *b, long ldb,
                          float *c, long ldc) {
  const long MRg = g->mr, NRg = g->nr;
  // The depth of a pass: k split evenly, in one pass when it is at most a quarter over KC.
  long passes = (k + g->kc - 1) / g->kc;
  if (passes > 1 && k <= g->kc * 5 / 4) passes = 1;
  long kc_max = (k + passes - 1) / passes;
  long nc_max = g->b_block_bytes / (long)sizeof(float) / kc_max / NRg * NRg;
  if (nc_max < NRg) nc_max = NRg;
  long n_padded = (n + NRg - 1) / NRg * NRg;
  if (nc_max > n_padded) nc_max = n_padded;
  long mc_max = transA ? g->mc : m;

  // One buffer: the packed B block (or only its short last sliver), then (for a transposed A)
  // the copied A block.
  long b_floats = kc_max * (b_in_place ? NRg : nc_max);
  size_t floats = (size_t)b_floats + (transA ? (size_t)(kc_max * g->mc) : 0);
  void *block = malloc(floats * sizeof(float) + 64);
  if (!block) {
    reference_sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
    return;
  }
  float *bbuf = (float *)(((uintptr_t)block + 63) & ~(uintptr_t)63);
  float *abuf = bbuf + b_floats;

  for (long jc = 0; jc < n; jc += nc_max) {
    long nc = min_long(nc_max, n - jc);
    for (long pc = 0; pc < k; pc += kc_max) {
      long kc = min_long(kc_max, k - pc);
      int accumulate = pc > 0;
      g->pack_b(transB, b, ldb, pc, jc, kc, nc, bbuf, b_in_place);
      for (long ic = 0; ic < m; ic += mc_max) {
        long mc = min_long(mc_max, m - ic);
        const float *ablock = a + ic * lda + pc;
        long rs = lda;
        if (transA) {
          pack_a_transposed(a, lda, ic, pc, mc, kc, abuf);
          ablock = abuf;
          rs = kc;
        }
        for (long ir = 0; ir < mc; ir += MRg) {
          long mr = min_long(MRg, mc - ir);
          const float *arow = ablock + ir * rs;
          const float *next = ir + 2 * MRg <= mc ? arow + MRg * rs : 0;
          float *crow = c + (ic + ir) * ldc + jc;
          for (long jr = 0; jr < nc; jr += NRg) {
            long nr = min_long(NRg, nc - jr);
            const float *bsliver = b_in_place ? bbuf : bbuf + jr * kc;
            long bs = nr > NRg / 2 ? NRg : NRg / 2;
            if (b_in_place && nr == NRg) {
              bsliver = b + pc * ldb + jc + jr;
              bs = ldb;
            }
            g->kernel(mr, kc, arow, rs, bsliver, bs, crow + jr, ldc, accumulate, nr,
                      jr == 0 ? next : 0);
          }
        }
      }
    }
  }
  free(block);
}

static void avx512_sgemm(int transA, int transB, long m, long n, long k, const float *a, long lda,
                         const float *b, long ldb, float *c, long ldc) {
  static const struct blocking avx512 = {MR, NR, KC, B_BLOCK_BYTES, MC, pack_b, kernel};
  // An untransposed B is read in place: copying it costs more than it saves (the kernel reads
  // whole rows of 32 floats either way), except when its rows are a multiple of 4 KB apart, so
  // they pile into a few sets of L1 and L2, and A has enough rows to make the copy pay.
  int b_in_place = !transB && (m < 128 || ldb % 1024 != 0);
  blocked_sgemm(&avx512, b_in_place, transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
}


// ---------------------------------------------------------------------------------------------
// The AVX2 kernel, for x86-64 CPUs without AVX-512 (Zen 2 and 3, older Intel): the same blocking
// with a 6×16 tile of C in 12 ymm registers; each step of k loads two vectors of B and
// broadcasts 6 elements of A into 12 FMAs. OpenBLAS's kernels are as fast in their inner loop,
// but on every call they pack all of A and B and first zero C (`beta`), which costs a fifth of a
// convolution with few output channels. `cgemm_suits` says where it is the faster one.

#define CGEMM_TARGET2 __attribute__((target("avx2,fma")))

enum { MR2 = 6, NR2 = 16 };
// A 6×256 sliver of A (6 KB) and the 256×16 sliver of B (16 KB) it meets fit a 32 KB L1d.
enum { KC2 = 256 };
// The block of B one pass sweeps: half of a 512 KB L2 (Zen 2 and 3).
enum { B_BLOCK_BYTES2 = 256 * 1024 };
enum { MC2 = MR2 * 16 };


// The AVX2 tile: as `kernel_body`, with `nv` (1 or 2) vectors of 8 columns.
CGEMM_TARGET2 CGEMM_INLINE void kernel_body2(const int rows, const int nv, long kc, const float *a,
                                             long lda, const float *b, long ldb, float *c, long ldc,
                                             int accumulate, long nr, const float *next) {
  __m256 acc[MR2][2];
  CGEMM_UNROLL
  for (int i = 0; i < rows; i++)
    CGEMM_UNROLL
    for (int j = 0; j < nv; j++) acc[i][j] = _mm256_setzero_ps();

  struct prefetch ahead = prefetch_start(next, rows, kc);
  for (long p = 0; p < kc; p++) {
    prefetch_step(&ahead, rows, lda);
    __m256 bv[2];
    CGEMM_UNROLL
    for (int j = 0; j < nv; j++) bv[j] = _mm256_loadu_ps(b + p * ldb + 8 * j);
    CGEMM_UNROLL
    for (int i = 0; i < rows; i++) {
      __m256 ai = _mm256_broadcast_ss(a + i * lda + p);
      CGEMM_UNROLL
      for (int j = 0; j < nv; j++) acc[i][j] = _mm256_fmadd_ps(ai, bv[j], acc[i][j]);
    }
  }

  if (nr == 8 * nv) {
    CGEMM_UNROLL
    for (int i = 0; i < rows; i++) {
      CGEMM_UNROLL
      for (int j = 0; j < nv; j++) {
        float *cp = c + i * ldc + 8 * j;
        __m256 v = acc[i][j];
        if (accumulate) v = _mm256_add_ps(v, _mm256_loadu_ps(cp));
        _mm256_storeu_ps(cp, v);
      }
    }
  } else {
    __m256i mask[2];
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    CGEMM_UNROLL
    for (int j = 0; j < nv; j++) {
      long left = nr - 8 * j;
      int count = left >= 8 ? 8 : left <= 0 ? 0 : (int)left;
      mask[j] = _mm256_cmpgt_epi32(_mm256_set1_epi32(count), lanes);
    }
    CGEMM_UNROLL
    for (int i = 0; i < rows; i++) {
      CGEMM_UNROLL
      for (int j = 0; j < nv; j++) {
        float *cp = c + i * ldc + 8 * j;
        __m256 v = acc[i][j];
        if (accumulate) v = _mm256_add_ps(v, _mm256_maskload_ps(cp, mask[j]));
        _mm256_maskstore_ps(cp, mask[j], v);
      }
    }
  }
}

CGEMM_TARGET2 static void kernel2(long mr, long kc, const float *a, long lda, const float *b,
                                  long ldb, float *c, long ldc, int accumulate, long nr,
                                  const float *next) {
  int nv = nr > 8 ? 2 : 1;
  switch (mr * 2 + nv - 1) {
#define CGEMM_ROWS2(R)                                                                     \
  case R * 2: kernel_body2(R, 1, kc, a, lda, b, ldb, c, ldc, accumulate, nr, next); break; \
  case R * 2 + 1: kernel_body2(R, 2, kc, a, lda, b, ldb, c, ldc, accumulate, nr, next); break;
    CGEMM_ROWS2(1) CGEMM_ROWS2(2) CGEMM_ROWS2(3) CGEMM_ROWS2(4) CGEMM_ROWS2(5) CGEMM_ROWS2(6)
#undef CGEMM_ROWS2
    default: break;
  }
}

// As `pack_b`, for slivers of NR2 columns; a last sliver of at most 8 columns is packed 8 wide.
CGEMM_TARGET2 static void pack_b2(int transB, const float *b, long ldb, long pc, long jc, long kc,
                                  long nc, float *dst, int edges_only) {
  for (long jr = 0; jr < nc; jr += NR2) {
    long nr = nc - jr < NR2 ? nc - jr : NR2;
    float *out = edges_only ? dst : dst + jr * kc;
    long width = nr > 8 ? NR2 : 8;
    if (transB) {
      const float *src = b + (jc + jr) * ldb + pc;
      for (long p = 0; p < kc; p++) {
        for (long j = 0; j < nr; j++) out[p * width + j] = src[j * ldb + p];
        for (long j = nr; j < width; j++) out[p * width + j] = 0.0f;
      }
      continue;
    }
    if (nr == NR2 && edges_only) continue;
    const float *src = b + pc * ldb + jc + jr;
    for (long p = 0; p < kc; p++) {
      for (long j = 0; j < nr; j++) out[p * width + j] = src[p * ldb + j];
      for (long j = nr; j < width; j++) out[p * width + j] = 0.0f;
    }
  }
}

static void avx2_sgemm(int transA, int transB, long m, long n, long k, const float *a, long lda,
                       const float *b, long ldb, float *c, long ldc) {
  static const struct blocking avx2 = {MR2, NR2, KC2, B_BLOCK_BYTES2, MC2, pack_b2, kernel2};
  // B is copied into slivers unless A has only a tile or two of rows: read in place, rows of B a
  // multiple of 256 bytes apart (most filters) fall into a few sets of the 8-way L2.
  int b_in_place = !transB && m <= 2 * MR2;
  blocked_sgemm(&avx2, b_in_place, transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
}

void cgemm_sgemm(int transA, int transB, long m, long n, long k, const float *a, long lda,
                 const float *b, long ldb, float *c, long ldc) {
  if (m <= 0 || n <= 0) return;
  if (k > 0 && has_avx512()) {
    avx512_sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
  } else if (k > 0 && has_avx2()) {
    avx2_sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
  } else {
    reference_sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
  }
}

void cgemm_sgemm_avx2(int transA, int transB, long m, long n, long k, const float *a, long lda,
                      const float *b, long ldb, float *c, long ldc) {
  if (m <= 0 || n <= 0) return;
  if (k > 0 && has_avx2()) {
    avx2_sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
  } else {
    reference_sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
  }
}

#else

int cgemm_available(void) { return 0; }

int cgemm_suits(long m, long n, long k) { return 0; }

void cgemm_sgemm_avx2(int transA, int transB, long m, long n, long k, const float *a, long lda,
                      const float *b, long ldb, float *c, long ldc) {
  if (m <= 0 || n <= 0) return;
  reference_sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
}

void cgemm_sgemm(int transA, int transB, long m, long n, long k, const float *a, long lda,
                 const float *b, long ldb, float *c, long ldc) {
  if (m <= 0 || n <= 0) return;
  reference_sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
}

#endif
