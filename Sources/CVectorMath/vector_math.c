// exp, sigmoid, tanh, erfc and swish over float arrays, in loops the C compiler vectorises.
//
// EfficientNet's swish activations (x * sigmoid(x)) made the C library's expf, one call per
// element, most of a call's time. This is the Cephes range reduction and polynomial, the scheme
// of Eigen's vectorised pexp that TensorFlow uses: x = n ln2 + r with |r| <= ln2/2, e^r by a
// degree-6 polynomial, scaled by 2^n through the exponent bits. Every step is branch-free, so
// the loops vectorise; `target_clones` builds x86-64-v4 (AVX-512) and x86-64-v3 (AVX2, FMA)
// copies beside the baseline one and the loader picks the one the CPU runs. Results below the
// smallest normal float are rare and taken from expf itself in a second pass.
#include "CVectorMath.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
// ThreadSanitizer instruments the clones' ifunc resolver, which the loader runs before the TSan
// runtime is set up: the test binary crashed in __tsan_func_entry before main. One copy then.
#define CVECTORMATH_NO_CLONES 1
#endif
#endif

#if defined(__x86_64__) && defined(__clang__) && !defined(CVECTORMATH_NO_CLONES)
#define CVECTORMATH_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CVECTORMATH_CLONES
#endif

static const float kHighest = 88.722839f;   // above: e^x overflows
static const float kLowest = -87.33654f;    // below: e^x is subnormal

// e^x for x in [kLowest, kHighest].
static inline float exp_in_range(float x) {
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer kept in the low bits
  float shifted = x * 1.44269504088896341f + magic;
  float n = shifted - magic;
  float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * (r * r) + r + 1.0f;
  int32_t bits;
  memcpy(&bits, &shifted, sizeof bits);
  int32_t exponent = bits - 0x4B400000;
  int32_t top = exponent > 127;  // 2^128 is past the exponent range: use 2^127 * 2
  exponent -= top;
  int32_t scale_bits = (exponent + 127) << 23;
  float scale;
  memcpy(&scale, &scale_bits, sizeof scale);
  float result = y * scale;
  return top ? result * 2.0f : result;
}

CVECTORMATH_CLONES
void cvectormath_exp_f32(const float *input, float *output, size_t count) {
  for (size_t i = 0; i < count; i++) {
    float x = input[i];
    float clamped = fminf(fmaxf(x, kLowest), kHighest);  // NaN becomes a bound here, and is put back below
    float result = exp_in_range(clamped);
    result = x > kHighest ? INFINITY : result;
    output[i] = x != x ? x : result;
  }
  for (size_t i = 0; i < count; i++) {
    if (input[i] < kLowest) output[i] = expf(input[i]);
  }
}

CVECTORMATH_CLONES
void cvectormath_sigmoid_f32(const float *input, float *output, size_t count) {
  for (size_t i = 0; i < count; i++) {
    float x = input[i];
    float negative_magnitude = -fabsf(x);
    float e = exp_in_range(fmaxf(negative_magnitude, kLowest));
    float denominator = 1.0f + e;
    float result = x < 0 ? e / denominator : 1.0f / denominator;
    output[i] = x != x ? x : result;
  }
  for (size_t i = 0; i < count; i++) {
    float x = input[i];
    if (-fabsf(x) < kLowest) {
      float e = expf(-fabsf(x));
      output[i] = x < 0 ? e / (1.0f + e) : 1.0f / (1.0f + e);
    }
  }
}

// tanh: Cephes's odd polynomial below |x| = 0.625, where 1 - 2/(e^2|x| + 1) would lose digits
// to cancellation, and that formula above it; both computed, one kept, so the loop vectorises.
CVECTORMATH_CLONES
void cvectormath_tanh_f32(const float *input, float *output, size_t count) {
  for (size_t i = 0; i < count; i++) {
    float x = input[i];
    float magnitude = fabsf(x);
    float z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z
                   - 3.33332819422e-1f) * z * x + x;
    float e = exp_in_range(fminf(2.0f * magnitude, 88.0f));
    float large = 1.0f - 2.0f / (e + 1.0f);
    large = x < 0 ? -large : large;
    float result = magnitude < 0.625f ? copysignf(small, x) : large;  // keeps tanh(-0) = -0
    output[i] = x != x ? x : result;
  }
}

// x * sigmoid(beta * x) (swish, or SiLU when beta is 1) in one pass, the same arithmetic as the
// ops apart: beta * x rounded to float, its sigmoid rounded to float, then one multiplication.
// `output` may be `input`: each block of 256 is computed into a scratch block first, so the rare
// far-out lanes can still be redone from their input before the block is written.
CVECTORMATH_CLONES
void cvectormath_swish_f32(const float *input, float *output, size_t count, float beta) {
  float block[256];
  for (size_t start = 0; start < count; start += 256) {
    size_t length = count - start < 256 ? count - start : 256;
    const float *x = input + start;
    for (size_t i = 0; i < length; i++) {
      float value = x[i];
      float scaled = beta * value;
      float e = exp_in_range(fmaxf(-fabsf(scaled), kLowest));
      float denominator = 1.0f + e;
      float sigmoid = scaled < 0 ? e / denominator : 1.0f / denominator;
      sigmoid = scaled != scaled ? scaled : sigmoid;
      block[i] = value * sigmoid;
    }
    for (size_t i = 0; i < length; i++) {
      float scaled = beta * x[i];
      if (-fabsf(scaled) < kLowest) {
        float e = expf(-fabsf(scaled));
        block[i] = x[i] * (scaled < 0 ? e / (1.0f + e) : 1.0f / (1.0f + e));
      }
    }
    memcpy(output + start, block, length * sizeof(float));
  }
}

// erfc by the Chebyshev-fitted formula of Numerical Recipes (`erfcc`: fractional error below
// 1.2e-7 for every x in exact arithmetic): erfc(|x|) = t exp(-x^2 + P(t)), t = 1 / (1 + |x|/2),
// and erfc(x) = 2 - erfc(-x) below zero. Exact gelu (`0.5 x erfc(-x / sqrt 2)`) runs through it
// once per activation. Float rounding of x^2 adds about x^2 * 6e-8 relative error far out.
CVECTORMATH_CLONES
void cvectormath_erfc_f32(const float *input, float *output, size_t count) {
  for (size_t i = 0; i < count; i++) {
    float x = input[i];
    float z = fabsf(x);
    float t = 1.0f / (1.0f + 0.5f * z);
    float p = 0.17087277f;
    p = p * t - 0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t - 1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t - 0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    p = p * t - 1.26551223f;
    float exponent = fmaxf(-z * z + p, kLowest);
    float positive = t * exp_in_range(exponent);
    positive = -z * z + p < kLowest ? 0.0f : positive;  // below ~1e-38: 0 (erfc(9.2) is 1e-38)
    float result = x < 0 ? 2.0f - positive : positive;
    output[i] = x != x ? x : result;
  }
}

// Depthwise 2-D convolution (one filter per channel, NHWC) for output rows [row_begin, row_end)
// of `batch * out_height`. Each output pixel's channels are summed tap by tap in the output row
// itself, which stays in L1; the channel loop is what vectorises (16 lanes with AVX-512), so the
// kernel runs at the speed of the loads. Taps are added in (kh, kw) order starting from zero,
// skipping those that fall in the padding.
CVECTORMATH_CLONES
void cvectormath_depthwise_f32(const float *input, const float *filter, float *output, long height, long width,
                               long channels, long kernel_height, long kernel_width, long stride_height,
                               long stride_width, long dilation_height, long dilation_width, long pad_top,
                               long pad_left, long out_height, long out_width, long row_begin, long row_end) {
  for (long row = row_begin; row < row_end; row++) {
    long image = row / out_height;
    long top = (row % out_height) * stride_height - pad_top;
    for (long ox = 0; ox < out_width; ox++) {
      long left = ox * stride_width - pad_left;
      float *out = output + (row * out_width + ox) * channels;
      for (long c = 0; c < channels; c++) out[c] = 0.0f;
      for (long kh = 0; kh < kernel_height; kh++) {
        long y = top + kh * dilation_height;
        if (y < 0 || y >= height) continue;
        for (long kw = 0; kw < kernel_width; kw++) {
          long x = left + kw * dilation_width;
          if (x < 0 || x >= width) continue;
          const float *source = input + ((image * height + y) * width + x) * channels;
          const float *weights = filter + (kh * kernel_width + kw) * channels;
          for (long c = 0; c < channels; c++) out[c] += source[c] * weights[c];
        }
      }
    }
  }
}

// The loops over channels are what vectorise; the order of the sums is the Swift kernel's it
// replaced (Pooling.swift keeps that one for other dtypes), so the bits are the same.
CVECTORMATH_CLONES
void cvectormath_pool_f32(const float *input, float *output, long height, long width, long channels,
                          long kernel_height, long kernel_width, long stride_height, long stride_width, long pad_top,
                          long pad_left, long out_height, long out_width, int average, long row_begin, long row_end) {
  for (long row = row_begin; row < row_end; row++) {
    long image = row / out_height;
    long top = (row % out_height) * stride_height - pad_top;
    long y_start = top > 0 ? top : 0;
    long y_end = top + kernel_height < height ? top + kernel_height : height;
    for (long ox = 0; ox < out_width; ox++) {
      long left = ox * stride_width - pad_left;
      long x_start = left > 0 ? left : 0;
      long x_end = left + kernel_width < width ? left + kernel_width : width;
      float *out = output + (row * out_width + ox) * channels;
      if (average) {
        for (long c = 0; c < channels; c++) out[c] = 0.0f;
        for (long y = y_start; y < y_end; y++) {
          for (long x = x_start; x < x_end; x++) {
            const float *source = input + ((image * height + y) * width + x) * channels;
            for (long c = 0; c < channels; c++) out[c] += source[c];
          }
        }
        long count = (y_end > y_start ? y_end - y_start : 0) * (x_end > x_start ? x_end - x_start : 0);
        float divisor = (float)(count > 1 ? count : 1);
        for (long c = 0; c < channels; c++) out[c] /= divisor;
      } else {
        for (long c = 0; c < channels; c++) out[c] = -FLT_MAX;
        for (long y = y_start; y < y_end; y++) {
          for (long x = x_start; x < x_end; x++) {
            const float *source = input + ((image * height + y) * width + x) * channels;
            for (long c = 0; c < channels; c++) out[c] = source[c] > out[c] ? source[c] : out[c];
          }
        }
      }
    }
  }
}

// One row at a time, every step over it while it is in L1: a convolution's output rows are at
// most a few thousand channels. Each loop does one IEEE operation per element, so nothing is
// contracted into a fused multiply-add and the bits are those of the ops apart.
CVECTORMATH_CLONES
void cvectormath_epilogue_f32(float *output, long rows, long columns, long stride, long column_offset,
                              const cvectormath_step *steps, long count) {
  for (long row = 0; row < rows; row++) {
    float *x = output + row * stride;
    for (long s = 0; s < count; s++) {
      const float *v = steps[s].values ? steps[s].values + column_offset : 0;
      switch (steps[s].kind) {
        case CVECTORMATH_STEP_ADD:
          for (long j = 0; j < columns; j++) x[j] = x[j] + v[j];
          break;
        case CVECTORMATH_STEP_MUL:
          for (long j = 0; j < columns; j++) x[j] = x[j] * v[j];
          break;
        case CVECTORMATH_STEP_SUB:
          for (long j = 0; j < columns; j++) x[j] = x[j] - v[j];
          break;
        case CVECTORMATH_STEP_SUB_FROM:
          for (long j = 0; j < columns; j++) x[j] = v[j] - x[j];
          break;
        case CVECTORMATH_STEP_RELU:
          for (long j = 0; j < columns; j++) x[j] = x[j] < 0 ? 0.0f : x[j];
          break;
        case CVECTORMATH_STEP_RELU6:
          for (long j = 0; j < columns; j++) x[j] = x[j] < 0 ? 0.0f : (x[j] > 6 ? 6.0f : x[j]);
          break;
        case CVECTORMATH_STEP_SWISH:
          cvectormath_swish_f32(x, x, (size_t)columns, steps[s].beta);
          break;
        default:
          break;
      }
    }
  }
}
