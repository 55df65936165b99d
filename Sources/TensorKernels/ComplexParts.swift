#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Building complex tensors from their parts and taking them apart again.
///
/// Corresponds to the TensorFlow ops `Complex`, `Real`, `Imag`, `Conj`, `ComplexAbs` and `Angle`.
/// `float32` parts pair with `complex64`, `float64` with `complex128`.
///
/// Tolerance class: `complex`, `real`, `imag` and `conj` move bits and are exact; `abs` and
/// `angle` are computed in `Double` and rounded once (correctly rounded `hypot`; `atan2` within
/// an ulp of the C library's float version).
public enum ComplexParts {
  /// `real + i·imag`, broadcasting the two part tensors.
  ///
  /// - Throws: `TensorError.dtypeMismatch` when the parts differ in dtype or do not match
  ///   `output`, `.unsupportedDType` for parts other than `float32` and `float64`,
  ///   `.incompatibleShapes` when the shapes do not broadcast.
  public static func make(real: Tensor, imag: Tensor, output: DType) throws(TensorError) -> Tensor {
    let op = "Complex"
    guard real.dtype == imag.dtype else { throw .dtypeMismatch(op: op, real.dtype, imag.dtype) }
    guard let part = output.complexPartType else { throw .unsupportedDType(op: op, output) }
    guard real.dtype == part else { throw .dtypeMismatch(op: op, real.dtype, part) }
    let plan = try BroadcastPlan(shapes: [real.shape, imag.shape], op: op, dtype: output)
    if output == .complex64 {
      return ElementwiseLoops.zip(plan, real, imag, Float.self, Float.self, to: Complex64.self) { Complex64($0, $1) }
    }
    return ElementwiseLoops.zip(plan, real, imag, Double.self, Double.self, to: Complex128.self) {
      Complex128($0, $1)
    }
  }

  /// The real parts (`Real`).
  public static func real(_ x: Tensor) throws(TensorError) -> Tensor {
    try parts(x, op: "Real", Float.self, Double.self, { $0.real }, { $0.real })
  }

  /// The imaginary parts (`Imag`).
  public static func imag(_ x: Tensor) throws(TensorError) -> Tensor {
    try parts(x, op: "Imag", Float.self, Double.self, { $0.imag }, { $0.imag })
  }

  /// `|x|`, `hypot(re, im)` without intermediate overflow (`ComplexAbs`).
  public static func abs(_ x: Tensor) throws(TensorError) -> Tensor {
    try parts(
      x, op: "ComplexAbs", Float.self, Double.self, { Float(hypot(Double($0.real), Double($0.imag))) },
      { hypot($0.real, $0.imag) })
  }

  /// The argument `atan2(im, re)` in `[-π, π]` (`Angle`).
  public static func angle(_ x: Tensor) throws(TensorError) -> Tensor {
    try parts(
      x, op: "Angle", Float.self, Double.self, { Float(atan2(Double($0.imag), Double($0.real))) },
      { atan2($0.imag, $0.real) })
  }

  /// The complex conjugate (`Conj`): the imaginary parts negated, NaN signs included.
  public static func conj(_ x: Tensor) throws(TensorError) -> Tensor {
    switch x.dtype {
    case .complex64:
      return ElementwiseLoops.map(x, Complex64.self, to: Complex64.self) { Complex64($0.real, -$0.imag) }
    case .complex128:
      return ElementwiseLoops.map(x, Complex128.self, to: Complex128.self) { Complex128($0.real, -$0.imag) }
    default: throw .unsupportedDType(op: "Conj", x.dtype)
    }
  }

  private static func parts(
    _ x: Tensor, op: String, _: Float.Type, _: Double.Type, _ single: (Complex64) -> Float,
    _ double: (Complex128) -> Double
  ) throws(TensorError) -> Tensor {
    switch x.dtype {
    case .complex64: return ElementwiseLoops.map(x, Complex64.self, to: Float.self, cost: 4, single)
    case .complex128: return ElementwiseLoops.map(x, Complex128.self, to: Double.self, cost: 4, double)
    default: throw .unsupportedDType(op: op, x.dtype)
    }
  }
}
