import Foundation
import TensorKernels

/// Elementwise math beyond the core kernels (trigonometry, special functions, the `Is*`
/// predicates, `Xlogy`/`Xdivy`, `NextAfter`, `AddN`, …) and the integer and bit ops, written once
/// over `Widened` values. Floating-point results are computed in `Double` and rounded to the
/// dtype (within an ulp of TensorFlow's float32 kernels); integer results wrap as TensorFlow's do.
enum ExtendedMathOps {
  static func register(into registry: inout OpRegistry) {
    let unary: [(String, @Sendable (Double) -> Double)] = [
      ("Cos", cos), ("Sin", sin), ("Tan", tan), ("Acos", acos), ("Asin", asin), ("Atan", atan), ("Cosh", cosh),
      ("Sinh", sinh), ("Acosh", acosh), ("Asinh", asinh), ("Atanh", atanh), ("Lgamma", lgamma),
      ("Digamma", SpecialFunctions.digamma), ("Ndtri", SpecialFunctions.ndtri),
      ("Softsign", { $0 / (1 + Swift.abs($0)) }), ("Rint", { $0.rounded(.toNearestOrEven) }),
    ]
    for (name, function) in unary {
      registry.register(name) { context throws(InferenceError) in
        let x = try context.tensor(0)
        guard x.dtype.isFloatingPoint else {
          throw InferenceError(.invalidArgument, "\(context.location): \(x.dtype) is not a floating-point dtype")
        }
        guard case .floating(let values) = try Widened(x, context) else { return [] }
        return [.tensor(try Widened.floating(values.map(function)).tensor(x.dtype, x.shape, context))]
      }
    }
    // Erfinv as TensorFlow computes it, ndtri((x + 1) / 2) / √2, with the halving done in the
    // input's precision: near ±1 float32 loses digits there, and TensorFlow's result with them.
    registry.register("Erfinv") { context throws(InferenceError) in
      let x = try context.tensor(0)
      guard x.dtype.isFloatingPoint, case .floating(let values) = try Widened(x, context) else {
        throw InferenceError(.invalidArgument, "\(context.location): \(x.dtype) is not a floating-point dtype")
      }
      let halved = values.map { x.dtype == .float64 ? ($0 + 1) / 2 : Double((Float($0) + 1) / 2) }
      let results = halved.map { SpecialFunctions.ndtri($0) / 2.0.squareRoot() }
      return [.tensor(try Widened.floating(results).tensor(x.dtype, x.shape, context))]
    }
    let predicates: [(String, @Sendable (Double) -> Bool)] = [
      ("IsFinite", { $0.isFinite }), ("IsNan", { $0.isNaN }), ("IsInf", { $0.isInfinite }),
    ]
    for (name, predicate) in predicates {
      registry.register(name) { context throws(InferenceError) in
        let x = try context.tensor(0)
        guard x.dtype.isFloatingPoint, case .floating(let values) = try Widened(x, context) else {
          throw InferenceError(.invalidArgument, "\(context.location): \(x.dtype) is not a floating-point dtype")
        }
        return [.tensor(Tensor(bool: values.map(predicate), shape: x.shape))]
      }
    }
    let binary: [(String, @Sendable (Double, Double) -> Double)] = [
      ("Atan2", atan2),
      // 0 where x is 0, whatever y is (NaN and infinities included), as TensorFlow defines them.
      ("Xlogy", { x, y in x == 0 ? 0 : x * log(y) }),
      ("Xlog1py", { x, y in x == 0 ? 0 : x * log1p(y) }),
      ("Xdivy", { x, y in x == 0 ? 0 : x / y }),
      ("DivNoNan", { x, y in y == 0 ? 0 : x / y }),
      ("MulNoNan", { x, y in y == 0 ? 0 : x * y }),
    ]
    for (name, function) in binary {
      registry.register(name) { context throws(InferenceError) in
        let (x, y) = (try context.tensor(0), try context.tensor(1))
        guard x.dtype.isFloatingPoint else {
          throw InferenceError(.invalidArgument, "\(context.location): \(x.dtype) is not a floating-point dtype")
        }
        guard case (.floating(let a), .floating(let b), let shape) = try Broadcasting.pair(x, y, context) else {
          return []
        }
        return [.tensor(try Widened.floating(zip(a, b).map(function)).tensor(x.dtype, shape, context))]
      }
    }
    registry.register("NextAfter") { context throws(InferenceError) in
      let (x, y) = (try context.tensor(0), try context.tensor(1))
      guard case (.floating(let a), .floating(let b), let shape) = try Broadcasting.pair(x, y, context) else {
        return []
      }
      switch x.dtype {
      case .float32:
        let values = zip(a, b).map { Double(nextafterf(Float($0), Float($1))) }
        return [.tensor(try Widened.floating(values).tensor(.float32, shape, context))]
      case .float64:
        return [.tensor(Tensor(float64: zip(a, b).map { nextafter($0, $1) }, shape: shape))]
      default:
        throw InferenceError(
          .invalidArgument, "\(context.location): NextAfter takes float32 or float64, not \(x.dtype)")
      }
    }
    registry.register("AddN") { context throws(InferenceError) in
      let tensors = try context.inputs.indices.map { index throws(InferenceError) in try context.tensor(index) }
      guard var sum = tensors.first else {
        throw InferenceError(.invalidArgument, "\(context.location): nothing to add")
      }
      for tensor in tensors.dropFirst() {
        guard tensor.shape == sum.shape else {
          throw InferenceError(
            .invalidArgument,
            "\(context.location): inputs must have one shape, got \(Shape.format(sum.shape)) and \(Shape.format(tensor.shape))"
          )
        }
        sum = try context.run { try Elementwise.apply(.add, sum, tensor) }
      }
      return [.tensor(sum)]
    }
    registerIntegerOps(into: &registry)
  }

  // MARK: - Integer and bit ops

  static func registerIntegerOps(into registry: inout OpRegistry) {
    let bitwise: [(String, @Sendable (UInt64, UInt64) -> UInt64)] = [
      ("BitwiseAnd", { $0 & $1 }), ("BitwiseOr", { $0 | $1 }), ("BitwiseXor", { $0 ^ $1 }),
    ]
    for (name, function) in bitwise {
      registry.register(name) { context throws(InferenceError) in
        let (x, y) = (try context.tensor(0), try context.tensor(1))
        let (a, b, shape) = try integerPair(x, y, context)
        return [.tensor(try Widened.unsigned(zip(a, b).map(function)).tensor(x.dtype, shape, context))]
      }
    }
    registry.register("Invert") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let values = try integerBits(x, context)
      return [.tensor(try Widened.unsigned(values.map { ~$0 }).tensor(x.dtype, x.shape, context))]
    }
    registry.register("PopulationCount") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let bits = Widened.bits(x.dtype)
      let values = try integerBits(x, context).map { UInt8(Widened.wrap($0, bits: bits).nonzeroBitCount) }
      return [.tensor(Tensor(uint8: values, shape: x.shape))]
    }
    // Shifts: TensorFlow clamps the shift amount to [0, bits - 1]; a right shift of a signed
    // value is arithmetic.
    for name in ["LeftShift", "RightShift"] {
      registry.register(name) { context throws(InferenceError) in
        let (x, y) = (try context.tensor(0), try context.tensor(1))
        let bits = Widened.bits(x.dtype)
        guard x.dtype.isInteger, x.dtype == y.dtype else {
          throw InferenceError(.invalidArgument, "\(context.location): needs two integer tensors of one dtype")
        }
        let (a, b, shape) = try Broadcasting.pair(x, y, context)
        func amount(_ raw: Int64) -> Int64 { min(max(raw, 0), Int64(bits - 1)) }
        switch (a, b) {
        case (.signed(let values), .signed(let shifts)):
          let result = zip(values, shifts).map { value, shift in
            name == "LeftShift" ? Widened.wrap(value << amount(shift), bits: bits) : value >> amount(shift)
          }
          return [.tensor(try Widened.signed(result).tensor(x.dtype, shape, context))]
        case (.unsigned(let values), .unsigned(let shifts)):
          let result = zip(values, shifts).map { value, shift in
            let by = UInt64(min(shift, UInt64(bits - 1)))
            return name == "LeftShift" ? Widened.wrap(value << by, bits: bits) : value >> by
          }
          return [.tensor(try Widened.unsigned(result).tensor(x.dtype, shape, context))]
        default:
          throw InferenceError(.invalidArgument, "\(context.location): needs two integer tensors of one dtype")
        }
      }
    }
    // `Mod` is TensorFlow's C-style (truncating) remainder too.
    for name in ["TruncateDiv", "TruncateMod", "Mod"] {
      registry.register(name) { context throws(InferenceError) in
        let (x, y) = (try context.tensor(0), try context.tensor(1))
        let (a, b, shape) = try Broadcasting.pair(x, y, context)
        let divide = name == "TruncateDiv"
        switch (a, b) {
        case (.floating(let values), .floating(let divisors)):
          let result = zip(values, divisors).map { value, divisor in
            divide ? (value / divisor).rounded(.towardZero) : fmod(value, divisor)
          }
          return [.tensor(try Widened.floating(result).tensor(x.dtype, shape, context))]
        case (.signed(let values), .signed(let divisors)):
          guard !divisors.contains(0) else {
            throw InferenceError(.invalidArgument, "\(context.location): Integer division by zero")
          }
          // The one overflowing quotient, min / -1, wraps to min (and its remainder is 0).
          let bits = Widened.bits(x.dtype)
          let result = zip(values, divisors).map { value, divisor in
            Widened.wrap(
              divide
                ? value.dividedReportingOverflow(by: divisor).partialValue
                : value.remainderReportingOverflow(dividingBy: divisor).partialValue, bits: bits)
          }
          return [.tensor(try Widened.signed(result).tensor(x.dtype, shape, context))]
        case (.unsigned(let values), .unsigned(let divisors)):
          guard !divisors.contains(0) else {
            throw InferenceError(.invalidArgument, "\(context.location): Integer division by zero")
          }
          let result = zip(values, divisors).map { divide ? $0 / $1 : $0 % $1 }
          return [.tensor(try Widened.unsigned(result).tensor(x.dtype, shape, context))]
        default:
          throw InferenceError(.invalidArgument, "\(context.location): needs two numeric tensors of one dtype")
        }
      }
    }
  }

  /// An integer tensor's elements as their bit patterns, widened (signed values sign-extended).
  static func integerBits(_ x: Tensor, _ context: OpContext) throws(InferenceError) -> [UInt64] {
    switch try Widened(x, context) {
    case .signed(let values): return values.map { UInt64(bitPattern: $0) }
    case .unsigned(let values): return values
    case .floating: throw InferenceError(.invalidArgument, "\(context.location): \(x.dtype) is not an integer dtype")
    }
  }

  static func integerPair(_ x: Tensor, _ y: Tensor, _ context: OpContext) throws(InferenceError) -> (
    [UInt64], [UInt64], [Int]
  ) {
    let (a, b, shape) = try Broadcasting.pair(x, y, context)
    switch (a, b) {
    case (.signed(let left), .signed(let right)):
      return (left.map { UInt64(bitPattern: $0) }, right.map { UInt64(bitPattern: $0) }, shape)
    case (.unsigned(let left), .unsigned(let right)): return (left, right, shape)
    default: throw InferenceError(.invalidArgument, "\(context.location): \(x.dtype) is not an integer dtype")
    }
  }
}

/// Special functions the C library lacks, in `Double`.
enum SpecialFunctions {
  /// ψ(x), the logarithmic derivative of Γ: reflection for negative x (the poles at 0, -1, -2, …
  /// give NaN), recurrence up to x ≥ 6, then the asymptotic series.
  static func digamma(_ value: Double) -> Double {
    var x = value
    if x.isNaN || x == -.infinity { return .nan }
    if x == .infinity { return .infinity }
    var result = 0.0
    if x <= 0 {
      if x == x.rounded(.down) { return .nan }
      // ψ(1 - x) - ψ(x) = π cot(πx)
      result -= Double.pi / tan(Double.pi * x)
      x = 1 - x
    }
    while x < 6 {
      result -= 1 / x
      x += 1
    }
    let inverse = 1 / (x * x)
    let series =
      inverse
      * (1.0 / 12 - inverse * (1.0 / 120 - inverse * (1.0 / 252 - inverse * (1.0 / 240 - inverse * (1.0 / 132)))))
    return result + log(x) - 0.5 / x - series
  }

  /// The inverse of the standard normal CDF: Acklam's rational approximation, refined by one
  /// Halley step on `erfc` (full double precision, tails included); 0 and 1 give ∓∞.
  static func ndtri(_ p: Double) -> Double {
    if p.isNaN || p < 0 || p > 1 { return .nan }
    if p == 0 { return -.infinity }
    if p == 1 { return .infinity }
    let a = [
      -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
      -3.066479806614716e+01, 2.506628277459239e+00,
    ]
    let b = [
      -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
      -1.328068155288572e+01,
    ]
    let c = [
      -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
      4.374664141464968e+00, 2.938163982698783e+00,
    ]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    var x: Double
    if p < low || p > 1 - low {
      let q = (-2 * log(p < low ? p : 1 - p)).squareRoot()
      let numerator = ((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]
      let denominator = (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
      x = (p < low ? 1 : -1) * numerator / denominator
    } else {
      let q = p - 0.5
      let r = q * q
      let numerator = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
      let denominator = ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1
      x = numerator / denominator
    }
    let error = 0.5 * erfc(-x / 2.0.squareRoot()) - p
    let u = error * (2 * Double.pi).squareRoot() * exp(x * x / 2)
    x -= u / (1 + x * u / 2)
    return x
  }
}
