import RegistryCore

/// `RaggedRange` (`ragged_range_op.cc`; `tf.ragged.range`): row `i` is the range from `starts[i]`
/// to `limits[i]` (exclusive) by `deltas[i]`, a scalar standing for every row. Values are
/// accumulated one `delta` at a time in the element type, as TensorFlow does, so float rows carry
/// its rounding.
public enum RaggedRange {
  /// The row splits (`splitsType`, int32 or int64) and the values (the inputs' dtype: int32,
  /// int64, float32, float64).
  ///
  /// - Throws: TensorFlow's messages (`invalidArgument`) for inputs of rank 2 or more, vectors
  ///   of different lengths, a zero delta, a row size past int64 (integer overflow, NaN or
  ///   infinity); `limitExceeded` when the values would pass `Limits` (checked arithmetic: the
  ///   sizes come from input values), or would not fit int32 splits.
  public static func compute(starts: Tensor, limits: Tensor, deltas: Tensor, splitsType: DType, op: String)
    throws(TensorError) -> (splits: Tensor, values: Tensor)
  {
    for (name, tensor) in [("starts", starts), ("limits", limits), ("deltas", deltas)] where tensor.rank > 1 {
      throw .invalidArgument(op: op, reason: "\(name) must be a scalar or vector")
    }
    guard starts.dtype == limits.dtype, starts.dtype == deltas.dtype else {
      throw .dtypeMismatch(op: op, starts.dtype, starts.dtype == limits.dtype ? deltas.dtype : limits.dtype)
    }
    guard splitsType == .int32 || splitsType == .int64 else { throw .unsupportedDType(op: op, splitsType) }
    let sizes = [starts, limits, deltas].filter { $0.rank == 1 }.map { $0.shape[0] }
    guard Set(sizes).count <= 1 else {
      throw .invalidArgument(op: op, reason: "starts, limits, and deltas must have the same shape")
    }
    let rows = sizes.first ?? 1
    switch starts.dtype {
    case .int32:
      return try build(
        try starts.int32s(), try limits.int32s(), try deltas.int32s(), rows: rows, splitsType: splitsType, op: op,
        size: integerSize, add: (&+), make: { Tensor(int32: $0, shape: [$0.count]) })
    case .int64:
      return try build(
        try starts.int64s(), try limits.int64s(), try deltas.int64s(), rows: rows, splitsType: splitsType, op: op,
        size: integerSize, add: (&+), make: { Tensor(int64: $0, shape: [$0.count]) })
    case .float32:
      return try build(
        try starts.floats(), try limits.floats(), try deltas.floats(), rows: rows, splitsType: splitsType, op: op,
        size: floatSize, add: (+), make: { Tensor(float32: $0, shape: [$0.count]) })
    case .float64:
      return try build(
        try starts.doubles(), try limits.doubles(), try deltas.doubles(), rows: rows, splitsType: splitsType, op: op,
        size: floatSize, add: (+), make: { Tensor(float64: $0, shape: [$0.count]) })
    default:
      throw .unsupportedDType(op: op, starts.dtype)
    }
  }

  private static let tooLarge = "Requires ((limit - start) / delta) <= \(Int64.max)"

  /// `divup(|limit - start|, |delta|)`, the difference taken in int64 (TensorFlow's range for
  /// int32); nil when it overflows int64.
  private static func integerSize<T: FixedWidthInteger & SignedInteger>(_ start: T, _ limit: T, _ delta: T) -> Int? {
    let (difference, overflow) = Int64(limit).subtractingReportingOverflow(Int64(start))
    guard !overflow else { return nil }
    let (magnitude, step) = (difference.magnitude, Int64(delta).magnitude)
    return Int(exactly: magnitude / step + (magnitude % step == 0 ? 0 : 1))
  }

  /// `ceil(|(limit - start) / delta|)` in the element type, nil when it is not a finite size.
  private static func floatSize<T: BinaryFloatingPoint>(_ start: T, _ limit: T, _ delta: T) -> Int? {
    let size = ((limit - start) / delta).magnitude.rounded(.up)
    // TensorFlow compares with int64's largest value (rounded to the type); NaN fails it.
    guard size <= T(Int64.max), size < T(Int64.max) else { return nil }
    return Int(size)
  }

  private static func build<T: Numeric & Comparable>(
    _ starts: [T], _ limits: [T], _ deltas: [T], rows: Int, splitsType: DType, op: String,
    size: (T, T, T) -> Int?, add: (T, T) -> T, make: ([T]) -> Tensor
  ) throws(TensorError) -> (splits: Tensor, values: Tensor) {
    func pick(_ values: [T], _ row: Int) -> T { values.count == 1 && rows != 1 ? values[0] : values[row] }
    var splits = [0]
    splits.reserveCapacity(rows + 1)
    for row in 0..<rows {
      let (start, limit, delta) = (pick(starts, row), pick(limits, row), pick(deltas, row))
      guard delta != 0 else { throw .invalidArgument(op: op, reason: "Requires delta != 0") }
      var count = 0
      if !((delta > 0 && limit < start) || (delta < 0 && limit > start)) {
        guard let rowSize = size(start, limit, delta) else { throw .invalidArgument(op: op, reason: tooLarge) }
        count = rowSize
      }
      let (total, overflow) = splits[row].addingReportingOverflow(count)
      guard !overflow, Int64(total) <= Limits.current.tensorElements else {
        throw .limitExceeded(
          op: op,
          LimitExceeded(
            "a ragged range of \(overflow ? "more than \(Int.max)" : "\(total)") values", limit: "TENSOR_ELEMENTS",
            requested: overflow ? nil : Int64(total), allowed: Limits.current.tensorElements))
      }
      splits.append(total)
    }
    let count = splits[rows]
    if splitsType == .int32 && count > Int(Int32.max) {
      throw .invalidArgument(op: op, reason: "the ragged range has \(count) values, more than int32 row splits hold")
    }
    try Shape.checkAllocation([count], elementSize: MemoryLayout<T>.stride, op: op) { "the ragged range's values" }
    var values: [T] = []
    values.reserveCapacity(count)
    for row in 0..<rows {
      var value = pick(starts, row)
      let delta = pick(deltas, row)
      for index in 0..<(splits[row + 1] - splits[row]) {
        values.append(value)
        if index + 1 < splits[row + 1] - splits[row] { value = add(value, delta) }
      }
    }
    let splitsTensor =
      splitsType == .int64
      ? Tensor(int64: splits.map { Int64($0) }, shape: [rows + 1])
      : Tensor(int32: splits.map { Int32($0) }, shape: [rows + 1])
    return (splitsTensor, make(values))
  }
}
