import RegistryCore

extension Shape {
  /// Checks, before anything is allocated, that a tensor of `shape` and `dtype` may exist:
  /// every dimension non-negative, the element count and byte size within `Limits.current`, and
  /// the shape's extent (the product of its dimensions with zeros read as ones) within the
  /// element limit too.
  ///
  /// Kernels whose output size comes from input *values* (`Fill`'s dims, `Tile`'s multiples,
  /// `Range`'s bounds) or grows past their inputs (broadcasting, products, gathers, joins) call
  /// this once per output, so a hostile size is a `resource_exhausted` error naming the op
  /// instead of an allocation the machine cannot make or an `Int` overflow that traps. The extent
  /// rule keeps an empty tensor such as `[0, 2^62, 2^62]` from overflowing the stride arithmetic
  /// of every kernel that later reads it.
  ///
  /// A `string` element counts as one array reference; the bytes of the strings themselves are
  /// checked by the ops that write them.
  ///
  /// - Throws: `TensorError.invalidShape` for a negative dimension, `.limitExceeded` for a size
  ///   past the limits.
  /// - Complexity: O(rank), and one read of `Limits.current`.
  public static func checkAllocation(_ shape: [Int], dtype: DType, op: String) throws(TensorError) {
    try checkAllocation(shape, elementSize: dtype.elementSize ?? MemoryLayout<[UInt8]>.stride, op: op) {
      "\(describe(dtype)) tensor of shape \(format(shape))"
    }
  }

  /// "a float32", "an int64": the dtype with its article, for messages.
  static func describe(_ dtype: DType) -> String {
    "\(dtype.description.hasPrefix("int") || dtype.description.hasPrefix("uint") ? "an" : "a") \(dtype)"
  }

  /// `checkAllocation(_:dtype:op:)` for elements of `elementSize` bytes, described by `subject`.
  static func checkAllocation(
    _ shape: [Int], elementSize: Int, op: String, subject: () -> String
  ) throws(TensorError) {
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw .invalidShape(op: op, shape: shape, reason: "dimensions must be non-negative")
    }
    let limits = Limits.current
    do throws(LimitExceeded) {
      let (elements, _) = try limits.checkTensor(subject(), shape: shape, elementSize: elementSize)
      if elements == 0 {
        let extent = Limits.elementCount(shape.lazy.map { Swift.max($0, 1) })
        guard let extent, extent <= limits.tensorElements else {
          throw LimitExceeded(
            "the dimensions of \(subject())", limit: "TENSOR_ELEMENTS", requested: extent,
            allowed: limits.tensorElements)
        }
      }
    } catch {
      throw .limitExceeded(op: op, error)
    }
  }
}
