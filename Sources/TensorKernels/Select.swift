/// Choosing elements from two tensors by a `bool` condition.
///
/// Tolerance class: exact.
public enum Select {
  /// Picks `x` where `condition` is true and `y` where it is false, with `Select`'s shape rules.
  ///
  /// Corresponds to the TensorFlow op `Select`: `x` and `y` have the same shape; `condition` has
  /// that shape too, or is a vector whose length is `x`'s first dimension (choosing whole rows), or
  /// is a scalar (choosing all of `x` or all of `y`, whatever their shape: what `tf.vectorized_map`
  /// writes).
  ///
  /// - Throws: `TensorError.unsupportedDType` when `condition` is not `bool`, `.dtypeMismatch` when
  ///   `x` and `y` differ in dtype, `.invalidShape` or `.incompatibleShapes` when the shapes break
  ///   the rules above.
  /// - Complexity: O(n).
  public static func apply(condition: Tensor, _ x: Tensor, _ y: Tensor) throws(TensorError)
    -> Tensor
  {
    let name = "Select"
    guard x.shape == y.shape else { throw .incompatibleShapes(op: name, x.shape, y.shape) }
    var conditionShape = condition.shape
    if condition.rank == 0 {
      conditionShape = [Int](repeating: 1, count: x.rank)
    } else if condition.shape != x.shape {
      guard condition.rank == 1, x.rank >= 1, condition.shape[0] == x.shape[0] else {
        throw .invalidShape(
          op: name, shape: condition.shape,
          reason: "condition must have the shape of x, \(Shape.format(x.shape)), or be a vector "
            + "of its first dimension")
      }
      conditionShape = condition.shape + [Int](repeating: 1, count: x.rank - 1)
    }
    return try select(name, condition, conditionShape, x, y)
  }

  /// Picks `x` where `condition` is true and `y` where it is false, broadcasting all three.
  ///
  /// Corresponds to the TensorFlow op `SelectV2`.
  ///
  /// - Throws: `TensorError.unsupportedDType` when `condition` is not `bool`, `.dtypeMismatch` when
  ///   `x` and `y` differ in dtype, `.incompatibleShapes` when the shapes do not broadcast.
  /// - Complexity: O(n) in the output size.
  public static func applyV2(condition: Tensor, _ x: Tensor, _ y: Tensor) throws(TensorError)
    -> Tensor
  {
    try select("SelectV2", condition, condition.shape, x, y)
  }

  private static func select(
    _ name: String, _ condition: Tensor, _ conditionShape: [Int], _ x: Tensor, _ y: Tensor
  ) throws(TensorError) -> Tensor {
    guard condition.dtype == .bool else { throw .unsupportedDType(op: name, condition.dtype) }
    guard x.dtype == y.dtype else { throw .dtypeMismatch(op: name, x.dtype, y.dtype) }
    let plan = try BroadcastPlan(shapes: [conditionShape, x.shape, y.shape], op: name, dtype: x.dtype)
    guard x.dtype != .string else {
      guard case .strings(let left) = x.storage, case .strings(let right) = y.storage else {
        throw .unsupportedDType(op: name, x.dtype)
      }
      let flags = condition.elements(Bool.self)
      var output = [[UInt8]](repeating: [], count: plan.outputCount)
      let strides = plan.runStrides
      // Cost 0 keeps this on one thread: the body writes into a Swift array.
      plan.forEachRun(costPerElement: 0) { start, operands, count in
        for i in 0..<count {
          output[start + i] =
            flags[operands[0] + i * strides[0]]
            ? left[operands[1] + i * strides[1]] : right[operands[2] + i * strides[2]]
        }
      }
      return Tensor(strings: output, shape: plan.outputShape)
    }
    return x.dtype.visit(Visitor(plan: plan, condition: condition, x: x, y: y))
  }

  private struct Visitor: ElementVisitor {
    let plan: BroadcastPlan
    let condition: Tensor
    let x: Tensor
    let y: Tensor
    func visit<Element: TensorElement>(_: Element.Type) -> Tensor {
      ElementwiseLoops.select(plan, condition, x, y, Element.self)
    }
  }
}
