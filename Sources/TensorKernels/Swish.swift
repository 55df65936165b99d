/// `x · sigmoid(x)` (swish, SiLU) in one pass: EfficientNet's activation, which Keras writes as a
/// `Sigmoid` and a `Mul`. Bit for bit what those two ops give apart.
public enum Swish {
  /// `x · sigmoid(x)`.
  ///
  /// - Throws: `TensorError.unsupportedDType` for non-float tensors.
  public static func apply(_ x: Tensor) throws(TensorError) -> Tensor {
    guard x.dtype == .float32 else { return try Elementwise.apply(.mul, x, try Elementwise.apply(.sigmoid, x)) }
    return VectorMath.swish(x)
  }

  /// Overwrites a float32 `x` that no other tensor shares with `x · sigmoid(x)`; `false`, leaving
  /// it untouched, otherwise.
  public static func applyInPlace(_ x: inout Tensor) -> Bool {
    x.withUniqueBuffer(Float.self) { elements in VectorMath.swishInPlace(elements) }
  }
}
