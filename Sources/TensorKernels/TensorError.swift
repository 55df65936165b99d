import RegistryCore

/// The error every kernel and tensor constructor in `TensorKernels` throws.
///
/// Each case names the op (its TensorFlow spelling, such as `Conv2D`, or the Swift accessor) and
/// carries the shapes or dtypes involved, so a message reads on its own:
/// `Add: incompatible shapes [2, 3] and [4]`. Kernels validate everything before computing, so a
/// thrown error means no work was done.
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Two operand shapes cannot be broadcast together (a dimension differs and neither is 1).
  case incompatibleShapes(op: String, [Int], [Int])
  /// An operand has a dtype the op does not accept.
  case unsupportedDType(op: String, DType)
  /// Two operands that must share a dtype do not.
  case dtypeMismatch(op: String, DType, DType)
  /// An operand's shape is not valid for the op; `reason` says what was expected.
  case invalidShape(op: String, shape: [Int], reason: String)
  /// An attribute or argument (stride, axis, padding, element value) is out of range.
  case invalidArgument(op: String, reason: String)
  /// A raw buffer's length does not match its dtype and shape.
  case byteCountMismatch(dtype: DType, shape: [Int], expected: Int, actual: Int)
  /// The output would be larger than `Limits.current` allows (see `Shape.checkAllocation`);
  /// nothing was allocated. A `resource_exhausted` failure, not a malformed input.
  case limitExceeded(op: String, LimitExceeded)

  /// A one-line message naming the op and the offending shapes or dtypes.
  public var description: String {
    switch self {
    case .incompatibleShapes(let op, let a, let b):
      "\(op): incompatible shapes \(Shape.format(a)) and \(Shape.format(b))"
    case .unsupportedDType(let op, let dtype):
      "\(op): unsupported dtype \(dtype)"
    case .dtypeMismatch(let op, let a, let b):
      "\(op): dtypes \(a) and \(b) do not match"
    case .invalidShape(let op, let shape, let reason):
      "\(op): invalid shape \(Shape.format(shape)): \(reason)"
    case .invalidArgument(let op, let reason):
      "\(op): \(reason)"
    case .byteCountMismatch(let dtype, let shape, let expected, let actual):
      "a \(dtype) tensor of shape \(Shape.format(shape)) needs \(expected) bytes, got \(actual)"
    case .limitExceeded(let op, let limit):
      "\(op): \(limit.message)"
    }
  }
}
