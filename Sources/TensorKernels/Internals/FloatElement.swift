#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A floating-point storage type that kernels compute on directly: `Float` and `Double`.
///
/// The math functions come from the C library (`expf`, `exp`, …). The requirement names are
/// spelled out so they do not shadow the C functions inside the conformances.
protocol FloatElement: BinaryFloatingPoint, TensorElement {
  static func exponential(_ x: Self) -> Self
  static func exponentialMinusOne(_ x: Self) -> Self
  static func logarithm(_ x: Self) -> Self
  static func logarithmOnePlus(_ x: Self) -> Self
  static func hyperbolicTangent(_ x: Self) -> Self
  static func errorFunction(_ x: Self) -> Self
  static func power(_ x: Self, _ y: Self) -> Self
  /// `log(epsilon) + 2`, the softplus cut-off TensorFlow uses for this type.
  static var softplusThreshold: Self { get }
}

extension Float: FloatElement {
  static func exponential(_ x: Float) -> Float { expf(x) }
  static func exponentialMinusOne(_ x: Float) -> Float { expm1f(x) }
  static func logarithm(_ x: Float) -> Float { logf(x) }
  static func logarithmOnePlus(_ x: Float) -> Float { log1pf(x) }
  static func hyperbolicTangent(_ x: Float) -> Float { tanhf(x) }
  static func errorFunction(_ x: Float) -> Float { erff(x) }
  static func power(_ x: Float, _ y: Float) -> Float { powf(x, y) }
  static let softplusThreshold: Float = logf(Float.ulpOfOne) + 2
}

extension Double: FloatElement {
  static func exponential(_ x: Double) -> Double { exp(x) }
  static func exponentialMinusOne(_ x: Double) -> Double { expm1(x) }
  static func logarithm(_ x: Double) -> Double { log(x) }
  static func logarithmOnePlus(_ x: Double) -> Double { log1p(x) }
  static func hyperbolicTangent(_ x: Double) -> Double { tanh(x) }
  static func errorFunction(_ x: Double) -> Double { erf(x) }
  static func power(_ x: Double, _ y: Double) -> Double { pow(x, y) }
  static let softplusThreshold: Double = log(Double.ulpOfOne) + 2
}
