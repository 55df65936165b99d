import TensorKernels

/// `MatrixDiagV3`, `MatrixDiagPartV3` and `MatrixSetDiagV3` (what `tf.linalg.diag`,
/// `diag_part` and `set_diag` write): a band of diagonals `k = [lower, upper]` of the innermost
/// matrices, packed one diagonal per row from the highest down, each row aligned by `align`
/// (`RIGHT_LEFT` by default: superdiagonals to the right, subdiagonals to the left).
enum MatrixDiagonalOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("MatrixDiagPartV3") { context throws(InferenceError) in
      let x = try context.tensor(0)
      guard x.rank >= 2 else {
        throw InferenceError(.invalidArgument, "\(context.location): input must be at least 2-D")
      }
      let (rows, columns) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
      let band = try Band(context, rows: rows, columns: columns)
      let padding = try context.tensor(2)
      let batch = Array(x.shape.dropLast(2))
      let shape = batch + (band.count > 1 ? [band.count] : []) + [band.length]
      try context.checkOutput(shape, x.dtype)
      let matrix = rows * columns
      let pad = x.elementCount
      var sources: [Int] = []
      sources.reserveCapacity(Shape.elementCount(shape))
      for b in 0..<Shape.elementCount(batch) {
        for j in 0..<band.count {
          let d = band.upper - j
          let offset = band.offset(d)
          for position in 0..<band.length {
            let i = position - offset
            let (row, column) = (i - min(d, 0), i + max(d, 0))
            let inside = i >= 0 && row < rows && column < columns && row >= 0
            sources.append(inside ? b * matrix + row * columns + column : pad)
          }
        }
      }
      return [.tensor(try gather([x, padding], sources, shape, context))]
    }
    registry.register("MatrixDiagV3") { context throws(InferenceError) in
      let diagonal = try context.tensor(0)
      let k = try ArrayOps.integers(try context.tensor(1), context)
      // k, num_rows and num_cols are int32 in TensorFlow; bounded so the size arithmetic below
      // cannot overflow whatever integer tensor a graph feeds.
      guard let lower = k.first, let upper = k.last, k.count <= 2, lower <= upper, lower >= Int(Int32.min),
        upper <= Int(Int32.max)
      else {
        throw InferenceError(.invalidArgument, "\(context.location): k must be one or two increasing int32 values")
      }
      let count = upper - lower + 1
      guard diagonal.rank >= (count > 1 ? 2 : 1), count < 1 << 20 else {
        throw InferenceError(.invalidArgument, "\(context.location): diagonal has the wrong rank for k \(k)")
      }
      if count > 1, diagonal.shape[diagonal.rank - 2] != count {
        throw InferenceError(
          .invalidArgument, "\(context.location): diagonal must have \(count) rows for k \(k)")
      }
      let length = diagonal.shape[diagonal.rank - 1]
      let requestedRows = try ArrayOps.integers(try context.tensor(2), context).first ?? -1
      let requestedColumns = try ArrayOps.integers(try context.tensor(3), context).first ?? -1
      guard [requestedRows, requestedColumns].allSatisfy({ $0 >= -1 && $0 <= Int(Int32.max) }) else {
        throw InferenceError(.invalidArgument, "\(context.location): num_rows and num_cols must be -1 or int32 sizes")
      }
      let minimumRows = length - min(upper, 0)
      let minimumColumns = length + max(lower, 0)
      var (rows, columns) = (requestedRows, requestedColumns)
      if rows == -1 && columns == -1 {
        rows = max(minimumRows, minimumColumns)
        columns = rows
      } else if rows == -1 {
        rows = minimumRows
      } else if columns == -1 {
        columns = minimumColumns
      }
      guard rows >= minimumRows, columns >= minimumColumns, rows == minimumRows || columns == minimumColumns else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): num_rows \(rows) and num_cols \(columns) do not fit diagonals of length \(length)")
      }
      let band = try Band(context, lower: lower, upper: upper, rows: rows, columns: columns)
      let batch = Array(diagonal.shape.dropLast(count > 1 ? 2 : 1))
      let shape = batch + [rows, columns]
      try context.checkOutput(shape, diagonal.dtype)
      let pad = diagonal.elementCount
      var sources: [Int] = []
      sources.reserveCapacity(Shape.elementCount(shape))
      for b in 0..<Shape.elementCount(batch) {
        for row in 0..<rows {
          for column in 0..<columns {
            sources.append(band.source(row, column, batch: b, length: length) ?? pad)
          }
        }
      }
      return [.tensor(try gather([diagonal, try context.tensor(4)], sources, shape, context))]
    }
    registry.register("MatrixSetDiagV3") { context throws(InferenceError) in
      let (x, diagonal) = (try context.tensor(0), try context.tensor(1))
      guard x.rank >= 2 else {
        throw InferenceError(.invalidArgument, "\(context.location): input must be at least 2-D")
      }
      let (rows, columns) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
      let band = try Band(context, kInput: 2, rows: rows, columns: columns)
      let expected = Array(x.shape.dropLast(2)) + (band.count > 1 ? [band.count] : []) + [band.length]
      guard diagonal.shape == expected else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): diagonal must have shape \(Shape.format(expected)), got \(Shape.format(diagonal.shape))"
        )
      }
      let matrix = rows * columns
      var sources: [Int] = []
      sources.reserveCapacity(x.elementCount)
      for b in 0..<Shape.elementCount(Array(x.shape.dropLast(2))) {
        for row in 0..<rows {
          for column in 0..<columns {
            let replaced = band.source(row, column, batch: b, length: band.length).map { x.elementCount + $0 }
            sources.append(replaced ?? b * matrix + row * columns + column)
          }
        }
      }
      return [.tensor(try gather([x, diagonal], sources, x.shape, context))]
    }
  }

  /// The diagonals `k` selects and how each is placed in its packed row.
  struct Band {
    let lower: Int
    let upper: Int
    let rows: Int
    let columns: Int
    let leftSuper: Bool
    let leftSub: Bool

    var count: Int { upper - lower + 1 }
    /// The longest diagonal in the band: every packed row's length.
    var length: Int { max(min(rows + min(upper, 0), columns - max(lower, 0)), 0) }

    /// The band of the op's `k` input (input `kInput`) over a `rows` x `columns` matrix.
    init(_ context: OpContext, kInput: Int = 1, rows: Int, columns: Int) throws(InferenceError) {
      let k = try ArrayOps.integers(try context.tensor(kInput), context)
      guard let lower = k.first, let upper = k.last, k.count <= 2, lower >= Int(Int32.min), upper <= Int(Int32.max)
      else {
        throw InferenceError(.invalidArgument, "\(context.location): k must be one or two values")
      }
      try self.init(context, lower: lower, upper: upper, rows: rows, columns: columns)
    }

    init(_ context: OpContext, lower: Int, upper: Int, rows: Int, columns: Int) throws(InferenceError) {
      guard lower <= upper, -rows < lower || rows == 0, upper < columns || columns == 0 else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): k [\(lower), \(upper)] must be increasing and within the \(rows)x\(columns) matrix")
      }
      let align = try context.string("align", default: "RIGHT_LEFT")
      guard ["LEFT_RIGHT", "RIGHT_LEFT", "LEFT_LEFT", "RIGHT_RIGHT"].contains(align) else {
        throw InferenceError(.invalidArgument, "\(context.location): unknown align \(align)")
      }
      (self.lower, self.upper, self.rows, self.columns) = (lower, upper, rows, columns)
      leftSuper = align.hasPrefix("LEFT")
      leftSub = align.hasSuffix("LEFT")
    }

    /// Where diagonal `d` starts in its packed row.
    func offset(_ d: Int) -> Int {
      let own = min(rows + min(0, d), columns - max(0, d))
      return (d >= 0 && leftSuper) || (d <= 0 && leftSub) ? 0 : length - own
    }

    /// The index in the packed diagonals of element (row, column) of matrix `batch`, nil when it
    /// is outside the band.
    func source(_ row: Int, _ column: Int, batch: Int, length packed: Int) -> Int? {
      let d = column - row
      guard d >= lower, d <= upper else { return nil }
      let i = row + min(d, 0)
      return (batch * count + (upper - d)) * packed + i + offset(d)
    }
  }

  /// Elements of the tensors laid end to end (the last one's first element is the padding),
  /// picked by `sources`.
  static func gather(_ tensors: [Tensor], _ sources: [Int], _ shape: [Int], _ context: OpContext) throws(InferenceError)
    -> Tensor
  {
    guard tensors.allSatisfy({ $0.dtype == tensors[0].dtype }) else {
      throw InferenceError(.invalidArgument, "\(context.location): the inputs differ in dtype")
    }
    let flat = try tensors.map { tensor throws(InferenceError) in try tensor.reshaped([tensor.elementCount], context) }
    let joined = try ArrayOps.concatenate(flat, axis: 0, context)
    return try Elements(joined).gather(sources).tensor(shape, context)
  }
}
