/// An elementwise comparison that yields `bool`; see `Comparison`.
public enum ComparisonOp: Sendable, CaseIterable, CustomStringConvertible {
  /// `x == y`. Corresponds to the TensorFlow op `Equal`.
  case equal
  /// `x != y`. Corresponds to the TensorFlow op `NotEqual`.
  case notEqual
  /// `x < y`. Corresponds to the TensorFlow op `Less`.
  case less
  /// `x <= y`. Corresponds to the TensorFlow op `LessEqual`.
  case lessEqual
  /// `x > y`. Corresponds to the TensorFlow op `Greater`.
  case greater
  /// `x >= y`. Corresponds to the TensorFlow op `GreaterEqual`.
  case greaterEqual

  /// The TensorFlow op name, used in error messages.
  public var tensorFlowName: String {
    switch self {
    case .equal: "Equal"
    case .notEqual: "NotEqual"
    case .less: "Less"
    case .lessEqual: "LessEqual"
    case .greater: "Greater"
    case .greaterEqual: "GreaterEqual"
    }
  }

  /// The op for a TensorFlow op name, or `nil` when it is not one of these.
  public init?(tensorFlowName: String) {
    guard let op = ComparisonOp.allCases.first(where: { $0.tensorFlowName == tensorFlowName })
    else {
      return nil
    }
    self = op
  }

  /// The TensorFlow op name.
  public var description: String { tensorFlowName }
}

/// Elementwise comparisons of two broadcast tensors.
///
/// Tolerance class: exact.
public enum Comparison {
  /// Compares `x` and `y` element by element, broadcasting their shapes.
  ///
  /// Numbers compare by value (NaN is unequal to everything, itself included); `bool` and `string`
  /// support `equal` and `notEqual` only, strings comparing byte for byte.
  ///
  /// - Returns: a `bool` tensor of the broadcast shape.
  /// - Throws: `TensorError.dtypeMismatch` when the dtypes differ, `.incompatibleShapes` when the
  ///   shapes do not broadcast, `.unsupportedDType` for an ordering of `bool` or `string`.
  /// - Complexity: O(n) in the output size.
  public static func apply(_ op: ComparisonOp, _ x: Tensor, _ y: Tensor) throws(TensorError)
    -> Tensor
  {
    let name = op.tensorFlowName
    guard x.dtype == y.dtype else { throw .dtypeMismatch(op: name, x.dtype, y.dtype) }
    let plan = try BroadcastPlan(shapes: [x.shape, y.shape], op: name, dtype: .bool)
    switch x.dtype {
    case .float32: return compare(op, plan, x, y, Float.self)
    case .float64: return compare(op, plan, x, y, Double.self)
    case .float16, .bfloat16:
      return compare(op, plan, x.widenedToFloat32(), y.widenedToFloat32(), Float.self)
    case .int8: return compare(op, plan, x, y, Int8.self)
    case .int16: return compare(op, plan, x, y, Int16.self)
    case .int32: return compare(op, plan, x, y, Int32.self)
    case .int64: return compare(op, plan, x, y, Int64.self)
    case .uint8: return compare(op, plan, x, y, UInt8.self)
    case .uint16: return compare(op, plan, x, y, UInt16.self)
    case .uint32: return compare(op, plan, x, y, UInt32.self)
    case .uint64: return compare(op, plan, x, y, UInt64.self)
    case .complex64, .complex128:
      // Complex numbers are equal when both parts are (NaN in either part is unequal).
      let parts = ElementwiseLoops.self
      switch (op, x.dtype) {
      case (.equal, .complex64), (.notEqual, .complex64):
        let wantEqual = op == .equal
        return parts.zip(plan, x, y, Complex64.self, Complex64.self, to: Bool.self) { ($0 == $1) == wantEqual }
      case (.equal, _), (.notEqual, _):
        let wantEqual = op == .equal
        return parts.zip(plan, x, y, Complex128.self, Complex128.self, to: Bool.self) { ($0 == $1) == wantEqual }
      default: throw .unsupportedDType(op: name, x.dtype)
      }
    case .bool:
      switch op {
      case .equal:
        return ElementwiseLoops.zip(plan, x, y, Bool.self, Bool.self, to: Bool.self) { $0 == $1 }
      case .notEqual:
        return ElementwiseLoops.zip(plan, x, y, Bool.self, Bool.self, to: Bool.self) { $0 != $1 }
      default: throw .unsupportedDType(op: name, x.dtype)
      }
    case .string:
      guard op == .equal || op == .notEqual, case .strings(let left) = x.storage,
        case .strings(let right) = y.storage
      else { throw .unsupportedDType(op: name, x.dtype) }
      let wantEqual = op == .equal
      return Tensor.make(Bool.self, shape: plan.outputShape) { output in
        let strides = plan.runStrides
        plan.forEachRun { start, operands, count in
          for i in 0..<count {
            output[start + i] =
              (left[operands[0] + i * strides[0]] == right[operands[1] + i * strides[1]])
              == wantEqual
          }
        }
      }
    }
  }

  private static func compare<T: TensorElement & Comparable>(
    _ op: ComparisonOp, _ plan: BroadcastPlan, _ x: Tensor, _ y: Tensor, _: T.Type
  ) -> Tensor {
    @inline(__always) func zip(_ test: (T, T) -> Bool) -> Tensor {
      ElementwiseLoops.zip(plan, x, y, T.self, T.self, to: Bool.self, test)
    }
    switch op {
    case .equal: return zip { $0 == $1 }
    case .notEqual: return zip { $0 != $1 }
    case .less: return zip { $0 < $1 }
    case .lessEqual: return zip { $0 <= $1 }
    case .greater: return zip { $0 > $1 }
    case .greaterEqual: return zip { $0 >= $1 }
    }
  }
}
