// The transforms of Winograd's minimal filtering F(2×2, 3×3) for float32 3×3 convolutions with
// stride 1 (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016), on NHWC
// activations and HWIO filters. A 2×2 block of outputs is Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, where d is
// the 4×4 input patch the block sees and g the 3×3 filter: 16 multiplies per channel pair instead
// of 36. Summed over input channels, the 16 elementwise products become 16 matrix products (one
// per position ξ of the 4×4 transformed tile), which the caller runs on its GEMM:
//   M[ξ] (tiles × K) = V[ξ] (tiles × C) · U[ξ] (C × K).
// These functions compute U from the filter, V from the input and the outputs from M. Every
// coefficient is 0, ±1 or ±1/2, so the transforms round little (exact multiplies, a few adds).
//
// Each loops innermost over channels, contiguous in NHWC, with no dependence between iterations
// (the caller's buffers never overlap), which the pragma tells the vectoriser; each body is
// compiled for AVX2 with FMA and for the baseline, and the CPU picks.

#include "CGEMM.h"

#define WINOGRAD_BODY static inline __attribute__((always_inline))
#if defined(__clang__)
#define WINOGRAD_INDEPENDENT _Pragma("clang loop vectorize(assume_safety)")
#else
#define WINOGRAD_INDEPENDENT _Pragma("GCC ivdep")
#endif

// U[ξ][c][k] = (G g Gᵀ)[ξ] with G = [[1, 0, 0], [½, ½, ½], [½, -½, ½], [0, 0, 1]].
WINOGRAD_BODY void filter_body(const float *filter, long channels, long outputs, float *u) {
  const long ck = channels * outputs;
  for (long c = 0; c < channels; c++) {
    const float *g = filter + c * outputs;
    float *dst = u + c * outputs;
    WINOGRAD_INDEPENDENT
    for (long k = 0; k < outputs; k++) {
      float w[3][3];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) w[i][j] = g[(i * 3 + j) * ck + k];
      // t = G g (4×3), then U = t Gᵀ (4×4).
      float t[4][3];
      for (int j = 0; j < 3; j++) {
        t[0][j] = w[0][j];
        t[1][j] = 0.5f * (w[0][j] + w[1][j] + w[2][j]);
        t[2][j] = 0.5f * (w[0][j] - w[1][j] + w[2][j]);
        t[3][j] = w[2][j];
      }
      for (int i = 0; i < 4; i++) {
        dst[(i * 4 + 0) * ck + k] = t[i][0];
        dst[(i * 4 + 1) * ck + k] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
        dst[(i * 4 + 2) * ck + k] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
        dst[(i * 4 + 3) * ck + k] = t[i][2];
      }
    }
  }
}

// V[ξ][t][c] = (Bᵀ d B)[ξ] with Bᵀ = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
// for the `tiles` tiles of one tile row: tile t sees input rows top…top+3 and columns
// left+2t…left+2t+3 of `image` (height×width×channels); positions outside it read `zeros`.
WINOGRAD_BODY void input_row_body(const float *image, long height, long width, long channels,
                                  long top, long left, long tiles, const float *zeros, float *v,
                                  long position_stride) {
  for (long t = 0; t < tiles; t++) {
    const float *d[4][4];
    for (int i = 0; i < 4; i++) {
      long y = top + i;
      for (int j = 0; j < 4; j++) {
        long x = left + 2 * t + j;
        d[i][j] = y >= 0 && y < height && x >= 0 && x < width ? image + (y * width + x) * channels
                                                              : zeros;
      }
    }
    float *dst = v + t * channels;
    WINOGRAD_INDEPENDENT
    for (long c = 0; c < channels; c++) {
      // r = Bᵀ d (rows), then V = r B (columns).
      float r[4][4];
      for (int j = 0; j < 4; j++) {
        float d0 = d[0][j][c], d1 = d[1][j][c], d2 = d[2][j][c], d3 = d[3][j][c];
        r[0][j] = d0 - d2;
        r[1][j] = d1 + d2;
        r[2][j] = d2 - d1;
        r[3][j] = d1 - d3;
      }
      for (int i = 0; i < 4; i++) {
        dst[(i * 4 + 0) * position_stride + c] = r[i][0] - r[i][2];
        dst[(i * 4 + 1) * position_stride + c] = r[i][1] + r[i][2];
        dst[(i * 4 + 2) * position_stride + c] = r[i][2] - r[i][1];
        dst[(i * 4 + 3) * position_stride + c] = r[i][1] - r[i][3];
      }
    }
  }
}

// The 2×2 outputs of one tile, Y = Aᵀ s A with Aᵀ = [[1, 1, 1, 0], [0, 1, -1, -1]], for output
// channel k; s[i][j] is at src[(i·4 + j)·position_stride + k].
#define WINOGRAD_OUTPUTS(src, position_stride, k, y)                   \
  float s[4][4];                                                       \
  for (int i = 0; i < 4; i++)                                          \
    for (int j = 0; j < 4; j++) s[i][j] = src[(i * 4 + j) * position_stride + k]; \
  float r[2][4];                                                       \
  for (int j = 0; j < 4; j++) {                                        \
    r[0][j] = s[0][j] + s[1][j] + s[2][j];                             \
    r[1][j] = s[1][j] - s[2][j] - s[3][j];                             \
  }                                                                    \
  y[0] = r[0][0] + r[0][1] + r[0][2];                                  \
  y[1] = r[0][1] - r[0][2] - r[0][3];                                  \
  y[2] = r[1][0] + r[1][1] + r[1][2];                                  \
  y[3] = r[1][1] - r[1][2] - r[1][3];

// The outputs of one tile row from M[ξ][t][k], written to rows top, top+1 and columns 2t, 2t+1
// of `output` (height×width×outputs), those inside it.
WINOGRAD_BODY void output_row_body(const float *m, long position_stride, long tiles, long outputs,
                                   float *output, long height, long width, long top) {
  for (long t = 0; t < tiles; t++) {
    const float *src = m + t * outputs;
    long x = 2 * t;
    float *out0 = output + (top * width + x) * outputs;
    float *out1 = out0 + width * outputs;
    if (top + 1 < height && x + 1 < width) {
      WINOGRAD_INDEPENDENT
      for (long k = 0; k < outputs; k++) {
        float y[4];
        WINOGRAD_OUTPUTS(src, position_stride, k, y)
        out0[k] = y[0];
        out0[outputs + k] = y[1];
        out1[k] = y[2];
        out1[outputs + k] = y[3];
      }
      continue;
    }
    // A tile on the bottom or right edge of an odd-sized output: only its inside outputs.
    int two_rows = top + 1 < height, two_columns = x + 1 < width;
    for (long k = 0; k < outputs; k++) {
      float y[4];
      WINOGRAD_OUTPUTS(src, position_stride, k, y)
      out0[k] = y[0];
      if (two_columns) out0[outputs + k] = y[1];
      if (two_rows) out1[k] = y[2];
    }
  }
}

#if defined(__x86_64__)
#define WINOGRAD_AVX2 __attribute__((target("avx2,fma")))
static int winograd_avx2(void) {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
WINOGRAD_AVX2 static void filter_avx2(const float *filter, long channels, long outputs, float *u) {
  filter_body(filter, channels, outputs, u);
}
WINOGRAD_AVX2 static void input_row_avx2(const float *image, long height, long width,
                                         long channels, long top, long left, long tiles,
                                         const float *zeros, float *v, long position_stride) {
  input_row_body(image, height, width, channels, top, left, tiles, zeros, v, position_stride);
}
WINOGRAD_AVX2 static void output_row_avx2(const float *m, long position_stride, long tiles,
                                          long outputs, float *output, long height, long width,
                                          long top) {
  output_row_body(m, position_stride, tiles, outputs, output, height, width, top);
}
#else
static int winograd_avx2(void) { return 0; }
#define filter_avx2 filter_body
#define input_row_avx2 input_row_body
#define output_row_avx2 output_row_body
#endif

void cgemm_winograd_filter(const float *filter, long channels, long outputs, float *u) {
  if (winograd_avx2()) {
    filter_avx2(filter, channels, outputs, u);
  } else {
    filter_body(filter, channels, outputs, u);
  }
}

void cgemm_winograd_input_row(const float *image, long height, long width, long channels, long top,
                              long left, long tiles, const float *zeros, float *v,
                              long position_stride) {
  if (winograd_avx2()) {
    input_row_avx2(image, height, width, channels, top, left, tiles, zeros, v, position_stride);
  } else {
    input_row_body(image, height, width, channels, top, left, tiles, zeros, v, position_stride);
  }
}

void cgemm_winograd_output_row(const float *m, long position_stride, long tiles, long outputs,
                               float *output, long height, long width, long top) {
  if (winograd_avx2()) {
    output_row_avx2(m, position_stride, tiles, outputs, output, height, width, top);
  } else {
    output_row_body(m, position_stride, tiles, outputs, output, height, width, top);
  }
}

// 1 when every value is finite and at most 2^50 in magnitude (NaN fails the comparison).
int cgemm_winograd_values_fit(const float *values, long count) {
  int fits = 1;
  for (long i = 0; i < count; i++) fits &= __builtin_fabsf(values[i]) <= 0x1p50f;
  return fits;
}
