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

#endif
