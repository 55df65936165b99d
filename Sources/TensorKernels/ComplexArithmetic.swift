#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A complex storage type (`Complex64`, `Complex128`) seen through its parts.
protocol ComplexElement: TensorElement {
  associatedtype Part: FloatElement
  var real: Part { get }
  var imag: Part { get }
  init(_ real: Part, _ imag: Part)
}

extension Complex64: ComplexElement {}
extension Complex128: ComplexElement {}

/// A complex value in `Double`, the precision the transcendental complex functions run in.
struct ComplexDouble: Equatable {
  var real: Double
  var imag: Double

  init(_ real: Double, _ imag: Double) {
    self.real = real
    self.imag = imag
  }

  init<C: ComplexElement>(_ value: C) { self.init(Double(value.real), Double(value.imag)) }

  func rounded<C: ComplexElement>(to _: C.Type) -> C { C(C.Part(real), C.Part(imag)) }

  static func + (a: Self, b: Self) -> Self { Self(a.real + b.real, a.imag + b.imag) }
  static func * (a: Self, b: Self) -> Self {
    Self(a.real * b.real - a.imag * b.imag, a.real * b.imag + a.imag * b.real)
  }

  /// `a / b` by Smith's method, which scales by the larger part of `b` so `|b|²` cannot overflow.
  static func / (a: Self, b: Self) -> Self {
    if Swift.abs(b.real) >= Swift.abs(b.imag) {
      let ratio = b.imag / b.real
      let denominator = b.real + b.imag * ratio
      return Self((a.real + a.imag * ratio) / denominator, (a.imag - a.real * ratio) / denominator)
    }
    let ratio = b.real / b.imag
    let denominator = b.real * ratio + b.imag
    return Self((a.real * ratio + a.imag) / denominator, (a.imag * ratio - a.real) / denominator)
  }

  var magnitude: Double { hypot(real, imag) }

  /// `e^z`; a zero imaginary part stays exactly zero (so `exp(inf + 0i)` is `inf + 0i`, not NaN).
  var exponential: Self {
    if imag == 0 { return Self(exp(real), imag) }
    let scale = exp(real)
    return Self(scale * cos(imag), scale * sin(imag))
  }

  /// The principal logarithm: `log|z| + i·arg z`.
  var logarithm: Self { Self(log(magnitude), atan2(imag, real)) }

  /// The principal square root, its real part non-negative, computed without cancellation.
  var squareRoot: Self {
    if real == 0 && imag == 0 { return Self(0, imag) }
    if imag.isInfinite { return Self(.infinity, imag) }
    let t = ((Swift.abs(real) + magnitude) / 2).squareRoot()
    if real >= 0 { return Self(t, imag / (2 * t)) }
    return Self(Swift.abs(imag) / (2 * t), imag.sign == .minus ? -t : t)
  }
}

/// Elementwise arithmetic on `complex64` and `complex128` tensors, for the ops `tf.signal` and
/// `tf.complex` graphs write around the FFTs (`Mul` by twiddle factors, `Exp` of `i·θ`, …).
///
/// Tolerance class: `add`, `sub`, `mul`, `neg`, `square` are computed in the parts' precision in
/// TensorFlow's order (each product rounded, then the sum) and match it exactly; division and the
/// transcendental functions run in `Double` and round once (within an ulp or two of TensorFlow).
enum ComplexArithmetic {
  /// `x op y` for complex operands of one dtype; the ops TensorFlow defines on complex numbers.
  static func binary(_ op: BinaryOp, _ plan: BroadcastPlan, _ x: Tensor, _ y: Tensor) throws(TensorError)
    -> Tensor
  {
    switch x.dtype {
    case .complex64: return try binary(op, plan, x, y, Complex64.self)
    case .complex128: return try binary(op, plan, x, y, Complex128.self)
    default: throw .unsupportedDType(op: op.tensorFlowName, x.dtype)
    }
  }

  /// `op(x)` for a complex tensor.
  static func unary(_ op: UnaryOp, _ x: Tensor) throws(TensorError) -> Tensor {
    switch x.dtype {
    case .complex64: return try unary(op, x, Complex64.self)
    case .complex128: return try unary(op, x, Complex128.self)
    default: throw .unsupportedDType(op: op.tensorFlowName, x.dtype)
    }
  }

  /// Sum, mean or product of a complex tensor, accumulated in `Double`.
  static func reduce(_ op: ReductionOp, _ plan: ReductionPlan, _ x: Tensor) throws(TensorError) -> Tensor {
    switch x.dtype {
    case .complex64: return try reduce(op, plan, x, Complex64.self)
    case .complex128: return try reduce(op, plan, x, Complex128.self)
    default: throw .unsupportedDType(op: op.tensorFlowName, x.dtype)
    }
  }

  /// `a · b` in the parts' precision, each product rounded then summed (TensorFlow's order).
  /// When both parts come out NaN from infinite operands, the infinities are recovered as C99's
  /// Annex G (`__mulsc3`, what `std::complex` multiplication calls) does: `(1e-30 + 0i)·(∞ + NaN·i)`
  /// has an infinite real part, not NaN.
  @inline(__always)
  static func product<C: ComplexElement>(_ a: C, _ b: C) -> C {
    let result = C(a.real * b.real - a.imag * b.imag, a.real * b.imag + a.imag * b.real)
    guard result.real.isNaN && result.imag.isNaN else { return result }
    return recoveredProduct(a, b) ?? result
  }

  /// Annex G's recovery of an infinite product, or nil when there is nothing to recover.
  @inline(never)
  static func recoveredProduct<C: ComplexElement>(_ a: C, _ b: C) -> C? {
    var (x, y, u, v) = (a.real, a.imag, b.real, b.imag)
    var recalculate = false
    func box(_ value: C.Part) -> C.Part { C.Part(signOf: value, magnitudeOf: value.isInfinite ? 1 : 0) }
    func unNaN(_ value: C.Part) -> C.Part { value.isNaN ? C.Part(signOf: value, magnitudeOf: 0) : value }
    if x.isInfinite || y.isInfinite {
      (x, y) = (box(x), box(y))
      (u, v) = (unNaN(u), unNaN(v))
      recalculate = true
    }
    if u.isInfinite || v.isInfinite {
      (u, v) = (box(u), box(v))
      (x, y) = (unNaN(x), unNaN(y))
      recalculate = true
    }
    if !recalculate {
      let partials = [a.real * b.real, a.imag * b.imag, a.real * b.imag, a.imag * b.real]
      guard partials.contains(where: \.isInfinite) else { return nil }
      (x, y, u, v) = (unNaN(x), unNaN(y), unNaN(u), unNaN(v))
    }
    return C(C.Part.infinity * (x * u - y * v), C.Part.infinity * (x * v + y * u))
  }

  private static func binary<C: ComplexElement>(
    _ op: BinaryOp, _ plan: BroadcastPlan, _ x: Tensor, _ y: Tensor, _: C.Type
  ) throws(TensorError) -> Tensor {
    @inline(__always) func zip(cost: Int = 1, _ combine: (C, C) -> C) -> Tensor {
      ElementwiseLoops.zip(plan, x, y, C.self, C.self, to: C.self, cost: cost, combine)
    }
    switch op {
    case .add: return zip { C($0.real + $1.real, $0.imag + $1.imag) }
    case .sub: return zip { C($0.real - $1.real, $0.imag - $1.imag) }
    case .mul: return zip { product($0, $1) }
    case .realDiv, .div:
      return zip(cost: 4) { (ComplexDouble($0) / ComplexDouble($1)).rounded(to: C.self) }
    case .squaredDifference:
      // TensorFlow's definition for complex: (x - y) · conj(x - y), a real value in a complex.
      return zip { a, b in
        let difference = C(a.real - b.real, a.imag - b.imag)
        return C(difference.real * difference.real + difference.imag * difference.imag, 0)
      }
    case .pow:
      return zip(cost: 32) { a, b in
        let (base, exponent) = (ComplexDouble(a), ComplexDouble(b))
        if base == ComplexDouble(0, 0) {
          return exponent == ComplexDouble(0, 0) ? C(1, 0) : C(0, 0)
        }
        return (exponent * base.logarithm).exponential.rounded(to: C.self)
      }
    case .floorDiv, .floorMod, .maximum, .minimum:
      throw .unsupportedDType(op: op.tensorFlowName, x.dtype)
    }
  }

  private static func unary<C: ComplexElement>(_ op: UnaryOp, _ x: Tensor, _: C.Type) throws(TensorError)
    -> Tensor
  {
    @inline(__always) func map(cost: Int = 1, _ transform: (C) -> C) -> Tensor {
      ElementwiseLoops.map(x, C.self, to: C.self, cost: cost, transform)
    }
    @inline(__always) func mapDouble(_ transform: (ComplexDouble) -> ComplexDouble) -> Tensor {
      map(cost: 16) { transform(ComplexDouble($0)).rounded(to: C.self) }
    }
    let one = ComplexDouble(1, 0)
    switch op {
    case .neg: return map { C(-$0.real, -$0.imag) }
    case .square: return map { product($0, $0) }
    case .exp: return mapDouble { $0.exponential }
    case .expm1:
      return mapDouble { z in
        let e = z.exponential
        // Near zero, e^z − 1 in the real part cancels; expm1 and the half-angle form keep it.
        let s = sin(z.imag / 2)
        return ComplexDouble(expm1(z.real) * cos(z.imag) - 2 * s * s, e.imag)
      }
    case .log: return mapDouble { $0.logarithm }
    case .log1p: return mapDouble { (ComplexDouble(1 + $0.real, $0.imag)).logarithm }
    case .sqrt: return mapDouble { $0.squareRoot }
    case .rsqrt: return mapDouble { one / $0.squareRoot }
    case .reciprocal: return mapDouble { one / $0 }
    case .sign:
      return mapDouble { z in
        let magnitude = z.magnitude
        return magnitude == 0 ? ComplexDouble(0, 0) : ComplexDouble(z.real / magnitude, z.imag / magnitude)
      }
    case .tanh:
      return mapDouble { z in
        // tanh(a + bi) = (sinh 2a + i sin 2b) / (cosh 2a + cos 2b); large |a| saturates to ±1.
        if Swift.abs(z.real) > 20 { return ComplexDouble(z.real > 0 ? 1 : -1, 0 * sin(2 * z.imag)) }
        let denominator = cosh(2 * z.real) + cos(2 * z.imag)
        return ComplexDouble(sinh(2 * z.real) / denominator, sin(2 * z.imag) / denominator)
      }
    case .sigmoid:
      return mapDouble { z in one / (one + ComplexDouble(-z.real, -z.imag).exponential) }
    default: throw .unsupportedDType(op: op.tensorFlowName, x.dtype)
    }
  }

  private static func reduce<C: ComplexElement>(
    _ op: ReductionOp, _ plan: ReductionPlan, _ x: Tensor, _: C.Type
  ) throws(TensorError) -> Tensor {
    switch op {
    case .sum: return plan.reduce(x, ComplexSumKernel<C>(divisor: 1))
    case .mean: return plan.reduce(x, ComplexSumKernel<C>(divisor: Double(plan.reducedCount)))
    case .prod: return plan.reduce(x, ComplexProductKernel<C>())
    default: throw .unsupportedDType(op: op.tensorFlowName, x.dtype)
    }
  }
}

/// Sum or mean of complex values, each part accumulated in `Double`.
struct ComplexSumKernel<Element: ComplexElement>: ReductionKernel {
  let divisor: Double
  static var initial: ComplexDouble { ComplexDouble(0, 0) }
  @inline(__always) static func combine(_ a: ComplexDouble, _ x: Element) -> ComplexDouble {
    a + ComplexDouble(x)
  }
  @inline(__always) func finish(_ a: ComplexDouble) -> Element {
    ComplexDouble(a.real / divisor, a.imag / divisor).rounded(to: Element.self)
  }
}

/// Product of complex values, accumulated in `Double`.
struct ComplexProductKernel<Element: ComplexElement>: ReductionKernel {
  static var initial: ComplexDouble { ComplexDouble(1, 0) }
  @inline(__always) static func combine(_ a: ComplexDouble, _ x: Element) -> ComplexDouble {
    a * ComplexDouble(x)
  }
  @inline(__always) func finish(_ a: ComplexDouble) -> Element { a.rounded(to: Element.self) }
}
