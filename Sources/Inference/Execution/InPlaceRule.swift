import TensorKernels

/// Which ops may write their result into an operand that no later node reads (see
/// `TensorKernels.InPlace`), and which operand.
///
/// Convnets spend much of a call in per-channel ops after each convolution (bias, batch norm as
/// `Mul`/`AddV2`, `Relu`); run in place, those reuse the convolution's fresh output instead of
/// allocating and filling a new tensor each. The kernels still decide at run time: an operand
/// whose buffer is shared, or whose shape is not the result's, falls back to the ordinary kernel.
enum InPlaceRule {
  case binary(BinaryOp)
  case unary(UnaryOp)
  case biasAdd
  case swish(beta: Float)

  init?(_ node: GraphFunction.Node) {
    switch node.op {
    case "Add", "AddV2": self = .binary(.add)
    case "Sub": self = .binary(.sub)
    case "Mul": self = .binary(.mul)
    case "RealDiv": self = .binary(.realDiv)
    case "SquaredDifference": self = .binary(.squaredDifference)
    case "Relu": self = .unary(.relu)
    case "Relu6": self = .unary(.relu6)
    case "Neg": self = .unary(.neg)
    case SwishFusion.fusedOp:
      guard let beta = node.attribute("beta", \.floatValue, absent: 1) else { return nil }
      self = .swish(beta: beta)
    case "BiasAdd":
      guard let format = node.attribute("data_format", \.stringValue, absent: ""), format.isEmpty || format == "NHWC"
      else { return nil }
      self = .biasAdd
    default: return nil
    }
  }

  /// The operands the result may overwrite, in order of preference.
  var candidates: [Int] {
    switch self {
    case .binary: [0, 1]
    case .unary, .biasAdd, .swish: [0]
    }
  }

  /// Runs the op on `owned` (operand `position`) in place; `false` when it cannot.
  func apply(_ owned: inout Tensor, position: Int, other: Tensor?) -> Bool {
    switch self {
    case .binary(let op):
      guard let other else { return false }
      return InPlace.apply(op, &owned, other, xIsLeft: position == 0)
    case .unary(let op):
      return InPlace.apply(op, &owned)
    case .swish(let beta):
      return Swish.applyInPlace(&owned, beta: beta)
    case .biasAdd:
      // BiasAdd's own checks: a vector of the channel count, on a tensor of rank 2 or more.
      guard let other, owned.rank >= 2, other.shape == [owned.shape[owned.rank - 1]] else { return false }
      return InPlace.apply(.add, &owned, other)
    }
  }
}
