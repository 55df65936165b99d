/// An elementwise operation on one tensor; see `Elementwise`.
///
/// `neg`, `abs`, `square`, `sign`, `relu` and `relu6` also accept integer tensors; the rest accept
/// floating-point tensors only.
public enum UnaryOp: Sendable, Equatable, CustomStringConvertible {
  /// `-x`. Corresponds to the TensorFlow op `Neg`.
  case neg
  /// `|x|`. Corresponds to the TensorFlow op `Abs`.
  case abs
  /// `x * x`. Corresponds to the TensorFlow op `Square`.
  case square
  /// -1, 0 or 1 by the sign of `x` (NaN stays NaN). Corresponds to the TensorFlow op `Sign`.
  case sign
  /// `e^x`. Corresponds to the TensorFlow op `Exp`.
  case exp
  /// `e^x - 1`. Corresponds to the TensorFlow op `Expm1`.
  case expm1
  /// The natural logarithm. Corresponds to the TensorFlow op `Log`.
  case log
  /// `log(1 + x)`. Corresponds to the TensorFlow op `Log1p`.
  case log1p
  /// The square root. Corresponds to the TensorFlow op `Sqrt`.
  case sqrt
  /// `1 / sqrt(x)`. Corresponds to the TensorFlow op `Rsqrt`.
  case rsqrt
  /// `1 / x`. Corresponds to the TensorFlow op `Reciprocal` (also `Inv`).
  case reciprocal
  /// Rounds down. Corresponds to the TensorFlow op `Floor`.
  case floor
  /// Rounds up. Corresponds to the TensorFlow op `Ceil`.
  case ceil
  /// Rounds to nearest, ties to even. Corresponds to the TensorFlow op `Round`.
  case round
  /// The error function. Corresponds to the TensorFlow op `Erf`.
  case erf
  /// The hyperbolic tangent. Corresponds to the TensorFlow op `Tanh`.
  case tanh
  /// `1 / (1 + e^-x)`, computed without overflow. Corresponds to the TensorFlow op `Sigmoid`.
  case sigmoid
  /// `max(x, 0)`, NaN stays NaN. Corresponds to the TensorFlow op `Relu`.
  case relu
  /// `min(max(x, 0), 6)`, NaN stays NaN. Corresponds to the TensorFlow op `Relu6`.
  case relu6
  /// `x` for `x >= 0`, `e^x - 1` below. Corresponds to the TensorFlow op `Elu`.
  case elu
  /// The scaled ELU with TensorFlow's constants. Corresponds to the TensorFlow op `Selu`.
  case selu
  /// `x` for `x > 0`, `alpha * x` otherwise. Corresponds to the TensorFlow op `LeakyRelu`.
  case leakyRelu(alpha: Float)
  /// `log(1 + e^x)`, with TensorFlow's cut-offs for large and small `x`. Corresponds to `Softplus`.
  case softplus

  /// The TensorFlow op name, used in error messages.
  public var tensorFlowName: String {
    switch self {
    case .neg: "Neg"
    case .abs: "Abs"
    case .square: "Square"
    case .sign: "Sign"
    case .exp: "Exp"
    case .expm1: "Expm1"
    case .log: "Log"
    case .log1p: "Log1p"
    case .sqrt: "Sqrt"
    case .rsqrt: "Rsqrt"
    case .reciprocal: "Reciprocal"
    case .floor: "Floor"
    case .ceil: "Ceil"
    case .round: "Round"
    case .erf: "Erf"
    case .tanh: "Tanh"
    case .sigmoid: "Sigmoid"
    case .relu: "Relu"
    case .relu6: "Relu6"
    case .elu: "Elu"
    case .selu: "Selu"
    case .leakyRelu: "LeakyRelu"
    case .softplus: "Softplus"
    }
  }

  /// The op for a TensorFlow op name, or `nil` when it is not one of these.
  ///
  /// - Parameters:
  ///   - tensorFlowName: the op name, such as `Relu6`; `Inv` maps to `reciprocal`.
  ///   - alpha: the `alpha` attribute of `LeakyRelu` (TensorFlow's default is 0.2).
  public init?(tensorFlowName: String, alpha: Float = 0.2) {
    let all: [UnaryOp] = [
      .neg, .abs, .square, .sign, .exp, .expm1, .log, .log1p, .sqrt, .rsqrt, .reciprocal, .floor,
      .ceil, .round, .erf, .tanh, .sigmoid, .relu, .relu6, .elu, .selu, .leakyRelu(alpha: alpha),
      .softplus,
    ]
    if tensorFlowName == "Inv" {
      self = .reciprocal
      return
    }
    guard let op = all.first(where: { $0.tensorFlowName == tensorFlowName }) else { return nil }
    self = op
  }

  /// The TensorFlow op name.
  public var description: String { tensorFlowName }

  /// Whether the op is defined on integer tensors.
  var acceptsIntegers: Bool {
    switch self {
    case .neg, .abs, .square, .sign, .relu, .relu6: true
    default: false
    }
  }
}
