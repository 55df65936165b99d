/// Adding a per-channel bias.
///
/// Tolerance class: exact (one correctly rounded addition per element, as in TensorFlow).
public enum BiasAdd {
  /// Adds the vector `bias` along the last (channel) dimension of `value`.
  ///
  /// Corresponds to the TensorFlow op `BiasAdd` with `data_format` `NHWC` (the default).
  ///
  /// - Parameters:
  ///   - value: a tensor of rank 2 or more; its last dimension is the channel count.
  ///   - bias: a vector with one element per channel, of the same dtype.
  /// - Returns: `value + bias`, of `value`'s shape and dtype.
  /// - Throws: `TensorError.dtypeMismatch`, `.invalidShape` when `value` has rank below 2 or the
  ///   bias is not a vector of the channel count, `.unsupportedDType` for `bool` and `string`.
  /// - Complexity: O(n).
  public static func apply(_ value: Tensor, bias: Tensor) throws(TensorError) -> Tensor {
    let name = "BiasAdd"
    guard value.dtype == bias.dtype else { throw .dtypeMismatch(op: name, value.dtype, bias.dtype) }
    guard value.rank >= 2 else {
      throw .invalidShape(op: name, shape: value.shape, reason: "input must be at least 2-D")
    }
    let channels = value.shape[value.rank - 1]
    guard bias.shape == [channels] else {
      throw .invalidShape(
        op: name, shape: bias.shape,
        reason: "bias must be a vector of the last dimension of \(Shape.format(value.shape))")
    }
    do {
      return try Elementwise.apply(.add, value, bias)
    } catch {
      switch error {
      case .unsupportedDType(_, let dtype): throw .unsupportedDType(op: name, dtype)
      default: throw error
      }
    }
  }
}
