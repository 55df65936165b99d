/// Softmax and log-softmax over the last axis.
///
/// Both subtract the row maximum before exponentiating, so large logits (1e4, 1e30) neither
/// overflow nor lose the result: `softmax([1000, 1001])` is `[0.2689…, 0.7310…]`. A row containing
/// NaN gives NaN. Tolerance class: rounding.
public enum Softmax {
  /// `exp(x - max) / sum(exp(x - max))` along the last axis.
  ///
  /// Corresponds to the TensorFlow op `Softmax`.
  ///
  /// - Throws: `TensorError.invalidShape` for a scalar, `.unsupportedDType` for non-float dtypes.
  /// - Complexity: O(n), rows on several cores when n is large.
  public static func softmax(_ logits: Tensor) throws(TensorError) -> Tensor {
    try run("Softmax", logits, log: false)
  }

  /// `x - max - log(sum(exp(x - max)))` along the last axis.
  ///
  /// Corresponds to the TensorFlow op `LogSoftmax`.
  ///
  /// - Throws: `TensorError.invalidShape` for a scalar, `.unsupportedDType` for non-float dtypes.
  /// - Complexity: O(n), rows on several cores when n is large.
  public static func logSoftmax(_ logits: Tensor) throws(TensorError) -> Tensor {
    try run("LogSoftmax", logits, log: true)
  }

  private static func run(_ name: String, _ logits: Tensor, log: Bool) throws(TensorError) -> Tensor {
    guard logits.rank >= 1 else {
      throw .invalidShape(
        op: name, shape: logits.shape, reason: "logits must have at least 1 dimension")
    }
    switch logits.dtype {
    case .float32 where !log: return floatSoftmax(logits)
    case .float32: return rows(logits, Float.self, log: log)
    case .float64: return rows(logits, Double.self, log: log)
    case .float16, .bfloat16:
      return rows(logits.widenedToFloat32(), Float.self, log: log).narrowed(to: logits.dtype)
    default: throw .unsupportedDType(op: name, logits.dtype)
    }
  }

  /// float32 softmax with the exponentials from `CVectorMath` (attention spends its softmax time
  /// there): each row shifted by its maximum into a scratch row, exponentiated into the output,
  /// summed in order and divided.
  private static func floatSoftmax(_ logits: Tensor) -> Tensor {
    let width = logits.shape[logits.rank - 1]
    let rowCount = width == 0 ? 0 : logits.elementCount / width
    return logits.withElements(Float.self) { input in
      Tensor.makeOverwritten(Float.self, shape: logits.shape) { output in
        Parallel.forEachRange(rowCount, costPerItem: width * 20) { range in
          let shifted = UnsafeMutablePointer<Float>.allocate(capacity: width)
          defer { shifted.deallocate() }
          for row in range {
            let source = input.baseAddress! + row * width
            let destination = output.baseAddress! + row * width
            var maximum = -Float.infinity
            for i in 0..<width where source[i] > maximum { maximum = source[i] }
            for i in 0..<width { shifted[i] = source[i] - maximum }
            VectorMath.exp(shifted, destination, width)
            var sum: Float = 0
            for i in 0..<width { sum += destination[i] }
            for i in 0..<width { destination[i] /= sum }
          }
        }
      }
    }
  }

  private static func rows<T: FloatElement>(_ logits: Tensor, _: T.Type, log: Bool) -> Tensor {
    let width = logits.shape[logits.rank - 1]
    let count = logits.elementCount
    let rowCount = width == 0 ? 0 : count / width
    return logits.withElements(T.self) { input in
      Tensor.makeOverwritten(T.self, shape: logits.shape) { output in
        Parallel.forEachRange(rowCount, costPerItem: width * 20) { range in
          for row in range {
            let start = row * width
            var maximum = -T.infinity
            for i in start..<start + width where input[i] > maximum { maximum = input[i] }
            var sum: T = 0
            if log {
              for i in start..<start + width { sum += T.exponential(input[i] - maximum) }
              let logSum = T.logarithm(sum)
              for i in start..<start + width { output[i] = input[i] - maximum - logSum }
            } else {
              for i in start..<start + width {
                let e = T.exponential(input[i] - maximum)
                output[i] = e
                sum += e
              }
              for i in start..<start + width { output[i] /= sum }
            }
          }
        }
      }
    }
  }
}
