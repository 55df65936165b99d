/// An elementwise operation on two broadcast operands of the same dtype; see `Elementwise`.
public enum BinaryOp: Sendable, CaseIterable, CustomStringConvertible {
  /// `x + y`. Corresponds to the TensorFlow ops `Add` and `AddV2`.
  case add
  /// `x - y`. Corresponds to the TensorFlow op `Sub`.
  case sub
  /// `x * y`. Corresponds to the TensorFlow op `Mul`.
  case mul
  /// `x / y`. Corresponds to the TensorFlow op `RealDiv`; on integers it truncates, like `Div`.
  case realDiv
  /// `x / y`, truncating on integers. Corresponds to the TensorFlow op `Div`.
  case div
  /// `floor(x / y)`. Corresponds to the TensorFlow op `FloorDiv`.
  case floorDiv
  /// The remainder with the sign of `y`, `x - floor(x / y) * y`. Corresponds to `FloorMod`.
  case floorMod
  /// The larger of `x` and `y`; NaN if either is NaN. Corresponds to the TensorFlow op `Maximum`.
  case maximum
  /// The smaller of `x` and `y`; NaN if either is NaN. Corresponds to the TensorFlow op `Minimum`.
  case minimum
  /// `x` to the power `y`. Corresponds to the TensorFlow op `Pow`.
  case pow
  /// `(x - y) * (x - y)`. Corresponds to the TensorFlow op `SquaredDifference`.
  case squaredDifference

  /// The TensorFlow op name, used in error messages.
  public var tensorFlowName: String {
    switch self {
    case .add: "Add"
    case .sub: "Sub"
    case .mul: "Mul"
    case .realDiv: "RealDiv"
    case .div: "Div"
    case .floorDiv: "FloorDiv"
    case .floorMod: "FloorMod"
    case .maximum: "Maximum"
    case .minimum: "Minimum"
    case .pow: "Pow"
    case .squaredDifference: "SquaredDifference"
    }
  }

  /// The op for a TensorFlow op name (`AddV2` maps to `add`), or `nil` when it is not one of these.
  public init?(tensorFlowName: String) {
    if tensorFlowName == "AddV2" {
      self = .add
      return
    }
    guard let op = BinaryOp.allCases.first(where: { $0.tensorFlowName == tensorFlowName }) else {
      return nil
    }
    self = op
  }

  /// The TensorFlow op name.
  public var description: String { tensorFlowName }

  /// Whether the op divides, so that an integer zero in `y` is an error.
  var divides: Bool {
    switch self {
    case .realDiv, .div, .floorDiv, .floorMod: true
    default: false
    }
  }
}
