/// Helpers for tensor shapes, which are plain `[Int]` arrays in row-major order.
///
/// A shape of `[]` is a scalar with one element; a dimension of 0 makes an empty tensor. A negative
/// dimension is a programmer error and traps: shapes that come from files are checked where they
/// are parsed (see `Tensor.init(raw:dtype:shape:)`).
public enum Shape {
  /// The number of elements in a tensor of this shape (1 for a scalar).
  ///
  /// - Precondition: no dimension is negative and the product fits in `Int`.
  /// - Complexity: O(rank).
  public static func elementCount(_ shape: [Int]) -> Int {
    var count = 1
    for dimension in shape {
      precondition(dimension >= 0, "negative dimension in shape \(format(shape))")
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
      precondition(!overflow, "element count of shape \(format(shape)) overflows Int")
      count = product
    }
    return count
  }

  /// The shape written as TensorFlow and NumPy print it, for messages: `[2, 1, 3]`.
  public static func format(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
  }

  /// The element count, or `nil` when a dimension is negative or the product overflows.
  static func checkedElementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for dimension in shape {
      guard dimension >= 0 else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
      guard !overflow else { return nil }
      count = product
    }
    return count
  }

  /// Row-major strides, in elements: the last dimension has stride 1.
  static func strides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in shape.indices.reversed() {
      strides[axis] = running
      running *= max(shape[axis], 1)
    }
    return strides
  }

  /// Maps an axis in `-rank..<rank` to `0..<rank`, as TensorFlow does for negative axes.
  static func normalizedAxis(_ axis: Int, rank: Int, op: String) throws(TensorError) -> Int {
    guard axis >= -rank, axis < rank else {
      throw .invalidArgument(
        op: op, reason: "axis \(axis) is out of range for a tensor of rank \(rank)")
    }
    return axis < 0 ? axis + rank : axis
  }
}
