#ifndef CVECTORMATH_H
#define CVECTORMATH_H

#include <stddef.h>

// e^x for each of `count` floats; within 2 ulps of expf (exactly expf below the normal range).
// `output` must not overlap `input`.
void cvectormath_exp_f32(const float *input, float *output, size_t count);

// 1 / (1 + e^-x) for each of `count` floats, from e^-|x| so neither side overflows.
void cvectormath_sigmoid_f32(const float *input, float *output, size_t count);

// tanh of each of `count` floats, within a few ulps of tanhf.
void cvectormath_tanh_f32(const float *input, float *output, size_t count);

// x * sigmoid(beta * x) for each of `count` floats, bit for bit the ops apart; `output` may be
// `input`.
void cvectormath_swish_f32(const float *input, float *output, size_t count, float beta);

// erfc of each of `count` floats (relative error about 1e-6 where erfc is a normal float).
void cvectormath_erfc_f32(const float *input, float *output, size_t count);

// Depthwise convolution with one filter per channel (NHWC input, HWC filter) for output rows
// [row_begin, row_end) of batch * out_height; output rows of other ranges are not touched.
void cvectormath_depthwise_f32(const float *input, const float *filter, float *output, long height, long width,
                               long channels, long kernel_height, long kernel_width, long stride_height,
                               long stride_width, long dilation_height, long dilation_width, long pad_top,
                               long pad_left, long out_height, long out_width, long row_begin, long row_end);

// Max or average pooling (NHWC) for output rows [row_begin, row_end) of batch * out_height, with
// TensorFlow's CPU semantics: the max starts from the lowest finite float and skips NaN; the
// average sums the window's valid positions in row-major order and divides by their count.
void cvectormath_pool_f32(const float *input, float *output, long height, long width, long channels,
                          long kernel_height, long kernel_width, long stride_height, long stride_width, long pad_top,
                          long pad_left, long out_height, long out_width, int average, long row_begin, long row_end);

// One step of what a convolution's consumers do to its output, applied along each output row
// (channels last), so the output is transformed while it is still in cache instead of by one
// pass over memory per op. `values` has one float per channel (a scalar operand is spread over
// the row by the caller); `beta` is swish's.
enum {
  CVECTORMATH_STEP_ADD = 0,       // x + v   (BiasAdd, Add, AddV2)
  CVECTORMATH_STEP_MUL = 1,       // x * v   (Mul)
  CVECTORMATH_STEP_SUB = 2,       // x - v   (Sub with x on the left)
  CVECTORMATH_STEP_SUB_FROM = 3,  // v - x   (Sub with x on the right)
  CVECTORMATH_STEP_RELU = 4,      // x < 0 ? 0 : x, NaN stays NaN
  CVECTORMATH_STEP_RELU6 = 5,     // min(max(x, 0), 6), NaN stays NaN
  CVECTORMATH_STEP_SWISH = 6,     // x * sigmoid(beta * x), as cvectormath_swish_f32
};
typedef struct {
  int kind;
  const float *values;
  float beta;
} cvectormath_step;

// Applies `count` steps in order to each of `rows` rows of `columns` floats, `stride` floats
// apart, starting at `output`; step values are read from `column_offset` on. Each step rounds
// as the op it stands for does alone, so the result is bit for bit the ops run one by one.
void cvectormath_epilogue_f32(float *output, long rows, long columns, long stride, long column_offset,
                              const cvectormath_step *steps, long count);

#endif
