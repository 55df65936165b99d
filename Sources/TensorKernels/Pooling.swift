import CVectorMath

/// Max and average pooling over NHWC tensors.
///
/// Windows that hang over the border see only the real elements: `maxPool` ignores padded
/// positions and `avgPool` divides by the number of real elements in each window, as TensorFlow's
/// CPU kernels do (so a corner window of a 3×3 `SAME` pool averages 4 values, not 9).
///
/// Tolerance class: `maxPool` is exact, `avgPool` rounds.
public enum Pooling {
  /// The largest element of each window, per channel, ignoring NaN as TensorFlow does (a window
  /// of only NaN or -inf gives the lowest finite value).
  ///
  /// Corresponds to the TensorFlow op `MaxPool` with `data_format` `NHWC`.
  ///
  /// - Parameters:
  ///   - input: `[batch, height, width, channels]`, floating-point.
  ///   - ksize: TensorFlow's `ksize` attribute, `[1, windowHeight, windowWidth, 1]`.
  ///   - strides: TensorFlow's `strides` attribute, `[1, strideHeight, strideWidth, 1]`.
  ///   - padding: `same`, `valid` or `explicit` (see `Padding`).
  /// - Returns: `[batch, outHeight, outWidth, channels]`.
  /// - Throws: `TensorError.invalidShape` when the input is not 4-D, `.invalidArgument` for a
  ///   window or stride that is not 4 positive values with 1 for batch and depth (pooling across
  ///   channels is not supported), `.unsupportedDType` for non-float dtypes.
  /// - Complexity: O(batch · outHeight · outWidth · windowHeight · windowWidth · channels).
  public static func maxPool(
    _ input: Tensor, ksize: [Int], strides: [Int], padding: Padding
  ) throws(TensorError) -> Tensor {
    try pool("MaxPool", input, ksize: ksize, strides: strides, padding: padding, average: false)
  }

  /// The mean of the real (unpadded) elements of each window, per channel.
  ///
  /// Corresponds to the TensorFlow op `AvgPool` with `data_format` `NHWC`.
  ///
  /// - Parameters:
  ///   - input: `[batch, height, width, channels]`, floating-point.
  ///   - ksize: TensorFlow's `ksize` attribute, `[1, windowHeight, windowWidth, 1]`.
  ///   - strides: TensorFlow's `strides` attribute, `[1, strideHeight, strideWidth, 1]`.
  ///   - padding: `same` or `valid` (see `Padding`).
  /// - Returns: `[batch, outHeight, outWidth, channels]`.
  /// - Throws: as `maxPool`, and `.invalidArgument` for explicit padding.
  /// - Complexity: O(batch · outHeight · outWidth · windowHeight · windowWidth · channels).
  public static func avgPool(
    _ input: Tensor, ksize: [Int], strides: [Int], padding: Padding
  ) throws(TensorError) -> Tensor {
    if case .explicit = padding {
      throw .invalidArgument(op: "AvgPool", reason: "explicit padding is not supported")
    }
    return try pool(
      "AvgPool", input, ksize: ksize, strides: strides, padding: padding, average: true)
  }

  private static func pool(
    _ name: String, _ input: Tensor, ksize: [Int], strides: [Int], padding: Padding, average: Bool
  ) throws(TensorError) -> Tensor {
    guard input.rank == 4 else {
      throw .invalidShape(op: name, shape: input.shape, reason: "input must be 4-D (NHWC)")
    }
    guard ksize.count == 4, ksize.allSatisfy({ $0 > 0 }), ksize[0] == 1, ksize[3] == 1 else {
      throw .invalidArgument(
        op: name, reason: "ksize must be 4 positive values with 1 for batch and depth, got \(ksize)"
      )
    }
    let window = try Window2D(
      op: name, input: input.shape, kernelHeight: ksize[1], kernelWidth: ksize[2], strides: strides,
      dilations: [1, 1, 1, 1], padding: padding)
    try window.checkOutput(channels: window.channels, dtype: input.dtype, op: name)
    switch input.dtype {
    case .float32: return poolFloats(input, window, average: average)
    case .float64: return pool(input, window, average: average, Double.self)
    case .float16, .bfloat16:
      return pool(input.widenedToFloat32(), window, average: average, Float.self)
        .narrowed(to: input.dtype)
    default: throw .unsupportedDType(op: name, input.dtype)
    }
  }

  /// float32 through the vectorised C loop (`cvectormath_pool_f32`), same arithmetic as `pool`.
  private static func poolFloats(_ input: Tensor, _ window: Window2D, average: Bool) -> Tensor {
    let channels = window.channels
    let (outHeight, outWidth) = (window.outputHeight, window.outputWidth)
    let cost = outWidth * window.kernelHeight * window.kernelWidth * channels
    return input.withElements(Float.self) { source in
      // Every output element is written by the C loop.
      Tensor.makeOverwritten(Float.self, shape: [window.batch, outHeight, outWidth, channels]) { output in
        Parallel.forEachRange(window.batch * outHeight, costPerItem: cost) { range in
          cvectormath_pool_f32(
            source.baseAddress, output.baseAddress, window.height, window.width, channels, window.kernelHeight,
            window.kernelWidth, window.strideHeight, window.strideWidth, window.rows.padBefore,
            window.columns.padBefore, outHeight, outWidth, average ? 1 : 0, range.lowerBound, range.upperBound)
        }
      }
    }
  }

  private static func pool<T: FloatElement>(
    _ input: Tensor, _ window: Window2D, average: Bool, _: T.Type
  ) -> Tensor {
    let channels = window.channels
    let (outHeight, outWidth) = (window.outputHeight, window.outputWidth)
    let outputShape = [window.batch, outHeight, outWidth, channels]
    let cost = outWidth * window.kernelHeight * window.kernelWidth * channels
    return input.withElements(T.self) { source in
      Tensor.make(T.self, shape: outputShape) { output in
        Parallel.forEachRange(window.batch * outHeight, costPerItem: cost) { range in
          for imageRow in range {
            let image = imageRow / outHeight
            let top = (imageRow % outHeight) * window.strideHeight - window.rows.padBefore
            let yStart = Swift.max(top, 0)
            let yEnd = Swift.min(top + window.kernelHeight, window.height)
            for ox in 0..<outWidth {
              let left = ox * window.strideWidth - window.columns.padBefore
              let xStart = Swift.max(left, 0)
              let xEnd = Swift.min(left + window.kernelWidth, window.width)
              let out = (imageRow * outWidth + ox) * channels
              // TensorFlow's max starts from the lowest finite value and ignores NaN: a window
              // of only NaN (or -inf, or padding) gives the lowest float.
              let initial: T = average ? 0 : -T.greatestFiniteMagnitude
              for c in 0..<channels { output[out + c] = initial }
              for y in yStart..<Swift.max(yEnd, yStart) {
                for x in xStart..<Swift.max(xEnd, xStart) {
                  let pixel = ((image * window.height + y) * window.width + x) * channels
                  if average {
                    for c in 0..<channels { output[out + c] += source[pixel + c] }
                  } else {
                    for c in 0..<channels {
                      let value = source[pixel + c]
                      if value > output[out + c] { output[out + c] = value }
                    }
                  }
                }
              }
              if average {
                let count = Swift.max(yEnd - yStart, 0) * Swift.max(xEnd - xStart, 0)
                let divisor = T(Swift.max(count, 1))
                for c in 0..<channels { output[out + c] /= divisor }
              }
            }
          }
        }
      }
    }
  }
}
