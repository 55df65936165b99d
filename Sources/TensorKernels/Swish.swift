/// `x · sigmoid(β·x)` (swish; SiLU when β is 1) in one pass: EfficientNet's activation, which
/// Keras writes as `Mul(β, x)`, `Sigmoid` and `Mul`. Bit for bit what those ops give apart.
public enum Swish {
  /// `x · sigmoid(β·x)`.
  ///
  /// - Throws: `TensorError.unsupportedDType` for non-float tensors.
  public static func apply(_ x: Tensor, beta: Float = 1) throws(TensorError) -> Tensor {
    guard x.dtype == .float32 else {
      let scale = try Cast.apply(Tensor(float32: [beta], shape: []), to: x.dtype)
      return try Elementwise.apply(.mul, x, try Elementwise.apply(.sigmoid, try Elementwise.apply(.mul, scale, x)))
    }
    return VectorMath.swish(x, beta: beta)
  }

  /// Overwrites a float32 `x` that no other tensor shares with `x · sigmoid(β·x)`; `false`,
  /// leaving it untouched, otherwise.
  public static func applyInPlace(_ x: inout Tensor, beta: Float = 1) -> Bool {
    x.withUniqueBuffer(Float.self) { elements in VectorMath.swishInPlace(elements, beta: beta) }
  }
}
