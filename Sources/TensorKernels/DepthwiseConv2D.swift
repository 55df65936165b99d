import CVectorMath

/// Depthwise 2-D convolution: each input channel convolved with its own filters.
///
/// Tolerance class: rounding.
public enum DepthwiseConv2D {
  /// Convolves each channel of an NHWC input with `multiplier` filters of its own.
  ///
  /// Corresponds to the TensorFlow op `DepthwiseConv2dNative` with `data_format` `NHWC`. Output
  /// channel `c · multiplier + m` is input channel `c` convolved with `filter[:, :, c, m]`. The
  /// work is a direct loop (there is no large GEMM to be had), output rows spread across cores.
  ///
  /// - Parameters:
  ///   - input: `[batch, height, width, channels]`.
  ///   - filter: `[kernelHeight, kernelWidth, channels, multiplier]`, of the same dtype.
  ///   - strides: TensorFlow's `strides` attribute, `[1, strideHeight, strideWidth, 1]`.
  ///   - padding: `same`, `valid` or `explicit` (see `Padding`).
  ///   - dilations: TensorFlow's `dilations` attribute, `[1, dilationHeight, dilationWidth, 1]`.
  /// - Returns: `[batch, outHeight, outWidth, channels · multiplier]`.
  /// - Throws: `TensorError.invalidShape` when an operand is not 4-D, the kernel is empty or the
  ///   channel counts differ; `.invalidArgument` for bad strides, dilations or padding;
  ///   `.dtypeMismatch`; `.unsupportedDType` for non-float dtypes.
  /// - Complexity: O(batch · outHeight · outWidth · kernelHeight · kernelWidth · channels ·
  ///   multiplier).
  ///   - epilogue: per-channel ops to apply to the output as it is made (float32 only; see
  ///     `ChannelEpilogue`), as if run after the convolution.
  public static func apply(
    _ input: Tensor, filter: Tensor, strides: [Int], padding: Padding,
    dilations: [Int] = [1, 1, 1, 1], epilogue: ChannelEpilogue? = nil
  ) throws(TensorError) -> Tensor {
    let name = "DepthwiseConv2dNative"
    try Window2D.checkOperands(
      op: name, input: input, filter: filter, filterLayout: "HWIM",
      depthProblem: "filter depth must equal the input depth \(input.shape.last ?? 0)")
    let window = try Window2D(
      op: name, input: input.shape, kernelHeight: filter.shape[0], kernelWidth: filter.shape[1],
      strides: strides, dilations: dilations, padding: padding)
    let multiplier = filter.shape[3]
    try window.checkOutput(channels: window.channels * multiplier, dtype: input.dtype, op: name)
    if let epilogue {
      guard input.dtype == .float32, epilogue.channels == window.channels * multiplier else {
        throw .invalidArgument(op: name, reason: "the fused per-channel ops do not fit the output")
      }
      if multiplier != 1 {
        var output = convolve(input, filter, window, multiplier, Float.self)
        _ = epilogue.apply(toWhole: &output)
        return output
      }
    }
    switch input.dtype {
    case .float32 where multiplier == 1: return convolveFloatChannels(input, filter, window, epilogue: epilogue)
    case .float32: return convolve(input, filter, window, multiplier, Float.self)
    case .float64: return convolve(input, filter, window, multiplier, Double.self)
    case .float16, .bfloat16:
      return convolve(
        input.widenedToFloat32(), filter.widenedToFloat32(), window, multiplier, Float.self
      ).narrowed(to: input.dtype)
    default: throw .unsupportedDType(op: name, input.dtype)
    }
  }

  /// The common case (float32, one filter per channel, as MobileNet and EfficientNet use) runs
  /// `CVectorMath`'s vectorised C loop (16 lanes where the CPU has AVX-512), output rows spread
  /// across cores. Taps are added in the same order as in `convolve`.
  private static func convolveFloatChannels(
    _ input: Tensor, _ filter: Tensor, _ window: Window2D, epilogue: ChannelEpilogue?
  ) -> Tensor {
    let channels = window.channels
    let (outHeight, outWidth) = (window.outputHeight, window.outputWidth)
    let outputShape = [window.batch, outHeight, outWidth, channels]
    let cost = outWidth * window.kernelHeight * window.kernelWidth * channels
    return input.withElements(Float.self) { source in
      filter.withElements(Float.self) { weights in
        Tensor.make(Float.self, shape: outputShape) { output in
          // With an epilogue, output rows are made a few at a time (about 256 KB) and the epilogue
          // runs on each batch while it is in cache.
          let rowBytes = max(1, outWidth * channels * MemoryLayout<Float>.stride)
          let batchRows = epilogue == nil ? Int.max : max(1, (256 << 10) / rowBytes)
          Parallel.forEachRange(window.batch * outHeight, costPerItem: cost) { range in
            var start = range.lowerBound
            while start < range.upperBound {
              let end = min(range.upperBound, start + min(batchRows, range.count))
              cvectormath_depthwise_f32(
                source.baseAddress, weights.baseAddress, output.baseAddress, window.height, window.width, channels,
                window.kernelHeight, window.kernelWidth, window.strideHeight, window.strideWidth,
                window.dilationHeight, window.dilationWidth, window.rows.padBefore, window.columns.padBefore,
                outHeight, outWidth, start, end)
              epilogue?.apply(
                output.baseAddress! + start * outWidth * channels, rows: (end - start) * outWidth,
                columns: 0..<channels, stride: channels)
              start = end
            }
          }
        }
      }
    }
  }

  private static func convolve<T: FloatElement>(
    _ input: Tensor, _ filter: Tensor, _ window: Window2D, _ multiplier: Int, _: T.Type
  ) -> Tensor {
    let channels = window.channels
    let outDepth = channels * multiplier
    let (outHeight, outWidth) = (window.outputHeight, window.outputWidth)
    let outputShape = [window.batch, outHeight, outWidth, outDepth]
    let cost = outWidth * window.kernelHeight * window.kernelWidth * outDepth
    return input.withElements(T.self) { source in
      filter.withElements(T.self) { weights in
        Tensor.make(T.self, shape: outputShape) { output in
          Parallel.forEachRange(window.batch * outHeight, costPerItem: cost) { range in
            for imageRow in range {
              let image = imageRow / outHeight
              let top = (imageRow % outHeight) * window.strideHeight - window.rows.padBefore
              for ox in 0..<outWidth {
                let left = ox * window.strideWidth - window.columns.padBefore
                let out = (imageRow * outWidth + ox) * outDepth
                for kh in 0..<window.kernelHeight {
                  let y = top + kh * window.dilationHeight
                  guard y >= 0, y < window.height else { continue }
                  for kw in 0..<window.kernelWidth {
                    let x = left + kw * window.dilationWidth
                    guard x >= 0, x < window.width else { continue }
                    let pixel = ((image * window.height + y) * window.width + x) * channels
                    let taps = (kh * window.kernelWidth + kw) * outDepth
                    if multiplier == 1 {
                      for c in 0..<channels {
                        output[out + c] += source[pixel + c] * weights[taps + c]
                      }
                    } else {
                      for c in 0..<channels {
                        let value = source[pixel + c]
                        let base = c * multiplier
                        for m in 0..<multiplier {
                          output[out + base + m] += value * weights[taps + base + m]
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
