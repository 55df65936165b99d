/// Elementwise kernels: unary ops on one tensor and binary ops on two broadcast tensors.
///
/// Both operands of a binary op must have the same dtype (TensorFlow inserts no implicit casts) and
/// shapes that broadcast (see `Broadcast`). `float16` and `bfloat16` are computed in `float32` and
/// rounded back. Integer arithmetic wraps on overflow, as TensorFlow's does in practice.
///
/// Tolerance class: `add`, `sub`, `mul`, `maximum`, `minimum`, `neg`, `abs`, the rounding ops and
/// `relu`/`relu6` are exact; the transcendental ops round (a few ulps).
public enum Elementwise {
  /// Applies a binary op to `x` and `y`, broadcasting their shapes.
  ///
  /// - Parameters:
  ///   - op: the operation; see `BinaryOp` for the TensorFlow op each case is.
  ///   - x: the left operand.
  ///   - y: the right operand, of the same dtype.
  /// - Returns: a tensor of the broadcast shape and the operands' dtype.
  /// - Throws: `TensorError.dtypeMismatch` when the dtypes differ, `.incompatibleShapes` when the
  ///   shapes do not broadcast, `.unsupportedDType` for `bool` and `string`, `.invalidArgument` for
  ///   an integer division by zero or an integer raised to a negative power.
  /// - Complexity: O(n) in the output size, on several cores when n is large.
  public static func apply(_ op: BinaryOp, _ x: Tensor, _ y: Tensor) throws(TensorError) -> Tensor {
    let name = op.tensorFlowName
    guard x.dtype == y.dtype else { throw .dtypeMismatch(op: name, x.dtype, y.dtype) }
    let plan = try BroadcastPlan(shapes: [x.shape, y.shape], op: name, dtype: x.dtype)
    switch x.dtype {
    case .float32: return floating(op, plan, x, y, Float.self)
    case .float64: return floating(op, plan, x, y, Double.self)
    case .float16, .bfloat16:
      return floating(op, plan, x.widenedToFloat32(), y.widenedToFloat32(), Float.self)
        .narrowed(to: x.dtype)
    case .int8: return try integer(op, plan, x, y, Int8.self)
    case .int16: return try integer(op, plan, x, y, Int16.self)
    case .int32: return try integer(op, plan, x, y, Int32.self)
    case .int64: return try integer(op, plan, x, y, Int64.self)
    case .uint8: return try integer(op, plan, x, y, UInt8.self)
    case .uint16: return try integer(op, plan, x, y, UInt16.self)
    case .uint32: return try integer(op, plan, x, y, UInt32.self)
    case .uint64: return try integer(op, plan, x, y, UInt64.self)
    case .complex64, .complex128: return try ComplexArithmetic.binary(op, plan, x, y)
    case .bool, .string: throw .unsupportedDType(op: name, x.dtype)
    }
  }

  /// Applies a unary op to every element of `x`.
  ///
  /// - Parameters:
  ///   - op: the operation; see `UnaryOp` for the TensorFlow op each case is.
  ///   - x: the operand.
  /// - Returns: a tensor of the same shape and dtype.
  /// - Throws: `TensorError.unsupportedDType` for `bool`, `string`, and integer tensors with an op
  ///   that is defined on floating-point values only.
  /// - Complexity: O(n), on several cores when n is large.
  public static func apply(_ op: UnaryOp, _ x: Tensor) throws(TensorError) -> Tensor {
    switch (op, x.dtype) {
    case (.exp, .float32): return VectorMath.exp(x)
    case (.sigmoid, .float32): return VectorMath.sigmoid(x)
    case (.tanh, .float32): return VectorMath.tanh(x)
    default: break
    }
    switch x.dtype {
    case .float32: return floating(op, x, Float.self)
    case .float64: return floating(op, x, Double.self)
    case .float16, .bfloat16:
      return floating(op, x.widenedToFloat32(), Float.self).narrowed(to: x.dtype)
    case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64:
      guard op.acceptsIntegers else { throw .unsupportedDType(op: op.tensorFlowName, x.dtype) }
      switch x.dtype {
      case .int8: return integer(op, x, Int8.self)
      case .int16: return integer(op, x, Int16.self)
      case .int32: return integer(op, x, Int32.self)
      case .int64: return integer(op, x, Int64.self)
      case .uint8: return integer(op, x, UInt8.self)
      case .uint16: return integer(op, x, UInt16.self)
      case .uint32: return integer(op, x, UInt32.self)
      default: return integer(op, x, UInt64.self)
      }
    case .complex64, .complex128: return try ComplexArithmetic.unary(op, x)
    case .bool, .string: throw .unsupportedDType(op: op.tensorFlowName, x.dtype)
    }
  }

  // MARK: Binary kernels by element kind

  private static func floating<T: FloatElement>(
    _ op: BinaryOp, _ plan: BroadcastPlan, _ x: Tensor, _ y: Tensor, _: T.Type
  ) -> Tensor {
    @inline(__always) func zip(cost: Int = 1, _ combine: (T, T) -> T) -> Tensor {
      ElementwiseLoops.zip(plan, x, y, T.self, T.self, to: T.self, cost: cost, combine)
    }
    switch op {
    case .add: return ElementwiseLoops.zip(plan, x, y, AddFunction<T>.self)
    case .sub: return ElementwiseLoops.zip(plan, x, y, SubtractFunction<T>.self)
    case .mul: return ElementwiseLoops.zip(plan, x, y, MultiplyFunction<T>.self)
    case .realDiv, .div: return ElementwiseLoops.zip(plan, x, y, DivideFunction<T>.self)
    case .floorDiv: return zip { ($0 / $1).rounded(.down) }
    case .floorMod:
      return zip { a, b in
        let remainder = a.truncatingRemainder(dividingBy: b)
        return remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder
      }
    case .maximum: return zip { a, b in a.isNaN || b.isNaN ? .nan : (a < b ? b : a) }
    case .minimum: return zip { a, b in a.isNaN || b.isNaN ? .nan : (b < a ? b : a) }
    case .pow: return zip(cost: 16) { T.power($0, $1) }
    case .squaredDifference: return ElementwiseLoops.zip(plan, x, y, SquaredDifferenceFunction<T>.self)
    }
  }

  private static func integer<T: IntegerElement>(
    _ op: BinaryOp, _ plan: BroadcastPlan, _ x: Tensor, _ y: Tensor, _: T.Type
  ) throws(TensorError) -> Tensor {
    let name = op.tensorFlowName
    if op.divides, y.withElements(T.self, { $0.contains(0) }) {
      throw .invalidArgument(op: name, reason: "integer division by zero")
    }
    if op == .pow, T.isSigned, y.withElements(T.self, { $0.contains { $0 < 0 } }) {
      throw .invalidArgument(
        op: name, reason: "integers to negative integer powers are not allowed")
    }
    @inline(__always) func zip(cost: Int = 1, _ combine: (T, T) -> T) -> Tensor {
      ElementwiseLoops.zip(plan, x, y, T.self, T.self, to: T.self, cost: cost, combine)
    }
    switch op {
    case .add: return zip { $0 &+ $1 }
    case .sub: return zip { $0 &- $1 }
    case .mul: return zip { $0 &* $1 }
    case .realDiv, .div: return zip { $0.dividedReportingOverflow(by: $1).partialValue }
    case .floorDiv:
      return zip { a, b in
        let quotient = a.dividedReportingOverflow(by: b).partialValue
        let remainder = a.remainderReportingOverflow(dividingBy: b).partialValue
        return remainder != 0 && (remainder < 0) != (b < 0) ? quotient &- 1 : quotient
      }
    case .floorMod:
      return zip { a, b in
        let remainder = a.remainderReportingOverflow(dividingBy: b).partialValue
        return remainder != 0 && (remainder < 0) != (b < 0) ? remainder &+ b : remainder
      }
    case .maximum: return zip { Swift.max($0, $1) }
    case .minimum: return zip { Swift.min($0, $1) }
    case .pow: return zip(cost: 8) { integerPower($0, $1) }
    case .squaredDifference:
      return zip { a, b in
        let difference = a &- b
        return difference &* difference
      }
    }
  }

  /// `base` to a non-negative power by repeated squaring, wrapping on overflow.
  @inline(__always)
  private static func integerPower<T: FixedWidthInteger>(_ base: T, _ exponent: T) -> T {
    var result: T = 1
    var factor = base
    var remaining = exponent
    while remaining > 0 {
      if remaining & 1 == 1 { result = result &* factor }
      remaining >>= 1
      if remaining > 0 { factor = factor &* factor }
    }
    return result
  }

  // MARK: Unary kernels by element kind

  private static func floating<T: FloatElement>(_ op: UnaryOp, _ x: Tensor, _: T.Type) -> Tensor {
    @inline(__always) func map(cost: Int = 1, _ transform: (T) -> T) -> Tensor {
      ElementwiseLoops.map(x, T.self, to: T.self, cost: cost, transform)
    }
    switch op {
    case .neg: return map { -$0 }
    case .abs: return map { $0.magnitude }
    case .square: return map { $0 * $0 }
    case .sign: return map { $0.isNaN ? $0 : ($0 > 0 ? 1 : ($0 < 0 ? -1 : 0)) }
    case .exp: return map(cost: 16) { T.exponential($0) }
    case .expm1: return map(cost: 16) { T.exponentialMinusOne($0) }
    case .log: return map(cost: 16) { T.logarithm($0) }
    case .log1p: return map(cost: 16) { T.logarithmOnePlus($0) }
    case .sqrt: return map(cost: 4) { $0.squareRoot() }
    case .rsqrt: return map(cost: 4) { 1 / $0.squareRoot() }
    case .reciprocal: return map { 1 / $0 }
    case .floor: return map { $0.rounded(.down) }
    case .ceil: return map { $0.rounded(.up) }
    case .round: return map { $0.rounded(.toNearestOrEven) }
    case .erf: return map(cost: 16) { T.errorFunction($0) }
    case .tanh: return map(cost: 16) { T.hyperbolicTangent($0) }
    case .sigmoid: return map(cost: 16) { Activations.sigmoid($0) }
    case .relu: return ElementwiseLoops.map(x, ReluFunction<T>.self)
    case .relu6: return ElementwiseLoops.map(x, Relu6Function<T>.self)
    case .elu: return map(cost: 16) { Activations.elu($0) }
    case .selu: return map(cost: 16) { Activations.selu($0) }
    case .leakyRelu(let alpha):
      let slope = T(alpha)
      return map { Activations.leakyRelu($0, alpha: slope) }
    case .softplus: return map(cost: 16) { Activations.softplus($0) }
    }
  }

  private static func integer<T: IntegerElement>(_ op: UnaryOp, _ x: Tensor, _: T.Type) -> Tensor {
    @inline(__always) func map(_ transform: (T) -> T) -> Tensor {
      ElementwiseLoops.map(x, T.self, to: T.self, transform)
    }
    switch op {
    case .neg: return map { 0 &- $0 }
    case .abs: return map { $0 < 0 ? 0 &- $0 : $0 }
    case .square: return map { $0 &* $0 }
    case .sign: return map { $0 > 0 ? 1 : ($0 < 0 ? 0 &- 1 : 0) }
    case .relu: return map { $0 < 0 ? 0 : $0 }
    case .relu6: return map { $0 < 0 ? 0 : ($0 > 6 ? 6 : $0) }
    default: preconditionFailure("\(op) is not defined on integers")
    }
  }
}
