import Foundation

/// The complementary error function, `1 - erf(x)` without the cancellation: exact gelu
/// (`0.5 · x · erfc(-x / √2)`) and its tails need relative accuracy where erfc is small.
public enum Erfc {
  /// `erfc(x)` elementwise.
  ///
  /// Corresponds to the TensorFlow op `Erfc`. float32 runs the vectorised formula in
  /// `CVectorMath` (relative error about 1e-6 where the result is a normal float); float64 the C
  /// library's `erfc`; float16 and bfloat16 through float32.
  ///
  /// - Throws: `TensorError.unsupportedDType` for integer, bool and string tensors.
  public static func apply(_ x: Tensor) throws(TensorError) -> Tensor {
    switch x.dtype {
    case .float32: return VectorMath.erfc(x)
    case .float64: return ElementwiseLoops.map(x, Double.self, to: Double.self, cost: 16) { Foundation.erfc($0) }
    case .float16, .bfloat16: return VectorMath.erfc(x.widenedToFloat32()).narrowed(to: x.dtype)
    default: throw .unsupportedDType(op: "Erfc", x.dtype)
    }
  }
}
