/// Batch normalisation in its inference form.
///
/// Tolerance class: rounding.
public enum BatchNorm {
  /// Normalises `x` with fixed per-channel statistics: `(x - mean) · rsqrt(variance + epsilon) ·
  /// scale + offset`.
  ///
  /// Corresponds to the TensorFlow op `FusedBatchNormV3` with `is_training` false and `data_format`
  /// `NHWC` (output `y` only; in inference the other outputs are the given mean and variance). As
  /// in TensorFlow, the per-channel factor `rsqrt(variance + epsilon) · scale` is computed first
  /// and `x - mean` is multiplied by it. `float16` and `bfloat16` inputs take `float32` statistics.
  ///
  /// - Parameters:
  ///   - x: a tensor whose last dimension is the channel count.
  ///   - scale: per-channel scale (`gamma`), shape `[channels]`.
  ///   - offset: per-channel offset (`beta`), shape `[channels]`.
  ///   - mean: the population mean, shape `[channels]`.
  ///   - variance: the population variance, shape `[channels]`.
  ///   - epsilon: added to the variance; TensorFlow's default is 0.0001.
  /// - Returns: a tensor of `x`'s shape and dtype.
  /// - Throws: `TensorError.invalidShape` when `x` is a scalar or a statistic is not a vector of
  ///   the channel count, `.dtypeMismatch` when a statistic's dtype is not `float32` (`float64` for
  ///   a `float64` input), `.unsupportedDType` for non-float inputs.
  /// - Complexity: O(n).
  public static func fusedInference(
    _ x: Tensor, scale: Tensor, offset: Tensor, mean: Tensor, variance: Tensor,
    epsilon: Float = 0.0001
  ) throws(TensorError) -> Tensor {
    let name = "FusedBatchNormV3"
    guard x.dtype.isFloatingPoint else { throw .unsupportedDType(op: name, x.dtype) }
    guard x.rank >= 1 else {
      throw .invalidShape(op: name, shape: x.shape, reason: "x must have a channel dimension")
    }
    let channels = x.shape[x.rank - 1]
    let statisticsType: DType = x.dtype == .float64 ? .float64 : .float32
    for statistic in [scale, offset, mean, variance] {
      guard statistic.dtype == statisticsType else {
        throw .dtypeMismatch(op: name, statistic.dtype, statisticsType)
      }
      guard statistic.shape == [channels] else {
        throw .invalidShape(
          op: name, shape: statistic.shape,
          reason: "scale, offset, mean and variance must be vectors of \(channels) channels")
      }
    }
    if x.dtype == .float64 {
      return normalize(x, scale, offset, mean, variance, Double(epsilon), Double.self)
    }
    return normalize(x.widenedToFloat32(), scale, offset, mean, variance, epsilon, Float.self)
      .narrowed(to: x.dtype)
  }

  private static func normalize<T: FloatElement>(
    _ x: Tensor, _ scale: Tensor, _ offset: Tensor, _ mean: Tensor, _ variance: Tensor,
    _ epsilon: T, _: T.Type
  ) -> Tensor {
    let channels = x.shape[x.rank - 1]
    let means = mean.elements(T.self)
    let offsets = offset.elements(T.self)
    let scales = scale.elements(T.self)
    let factors = zip(variance.elements(T.self), scales).map { variance, scale in
      1 / (variance + epsilon).squareRoot() * scale
    }
    let positions = channels == 0 ? 0 : x.elementCount / channels
    return x.withElements(T.self) { input in
      Tensor.make(T.self, shape: x.shape) { output in
        Parallel.forEachRange(positions, costPerItem: channels * 2) { range in
          for position in range {
            let base = position * channels
            for c in 0..<channels {
              output[base + c] = (input[base + c] - means[c]) * factors[c] + offsets[c]
            }
          }
        }
      }
    }
  }
}
