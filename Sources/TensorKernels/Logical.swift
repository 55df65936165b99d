/// Boolean logic on `bool` tensors.
///
/// Tolerance class: exact.
public enum Logical {
  /// `x && y` element by element, broadcasting.
  ///
  /// Corresponds to the TensorFlow op `LogicalAnd`.
  ///
  /// - Throws: `TensorError.unsupportedDType` unless both are `bool`, `.incompatibleShapes` when
  ///   the shapes do not broadcast.
  public static func and(_ x: Tensor, _ y: Tensor) throws(TensorError) -> Tensor {
    let plan = try plan("LogicalAnd", x, y)
    return ElementwiseLoops.zip(plan, x, y, Bool.self, Bool.self, to: Bool.self) { $0 && $1 }
  }

  /// `x || y` element by element, broadcasting.
  ///
  /// Corresponds to the TensorFlow op `LogicalOr`.
  ///
  /// - Throws: `TensorError.unsupportedDType` unless both are `bool`, `.incompatibleShapes` when
  ///   the shapes do not broadcast.
  public static func or(_ x: Tensor, _ y: Tensor) throws(TensorError) -> Tensor {
    let plan = try plan("LogicalOr", x, y)
    return ElementwiseLoops.zip(plan, x, y, Bool.self, Bool.self, to: Bool.self) { $0 || $1 }
  }

  /// `!x` element by element.
  ///
  /// Corresponds to the TensorFlow op `LogicalNot`.
  ///
  /// - Throws: `TensorError.unsupportedDType` unless `x` is `bool`.
  public static func not(_ x: Tensor) throws(TensorError) -> Tensor {
    guard x.dtype == .bool else { throw .unsupportedDType(op: "LogicalNot", x.dtype) }
    return ElementwiseLoops.map(x, Bool.self, to: Bool.self) { !$0 }
  }

  private static func plan(_ name: String, _ x: Tensor, _ y: Tensor) throws(TensorError)
    -> BroadcastPlan
  {
    guard x.dtype == .bool else { throw .unsupportedDType(op: name, x.dtype) }
    guard y.dtype == .bool else { throw .unsupportedDType(op: name, y.dtype) }
    return try BroadcastPlan(shapes: [x.shape, y.shape], op: name, dtype: .bool)
  }
}
