import TensorKernels
import TextKernels

/// Ragged tensors made dense (`RaggedTensorToTensor`) and the counting ops TensorFlow builds row
/// partitions and bag-of-words outputs with (`DenseBincount`, `RaggedBincount`; `Cumsum` is in
/// `SequenceOps`).
enum RaggedOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("RaggedTensorToTensor") { context throws(InferenceError) in
      [.tensor(try raggedToDense(context))]
    }
    registry.register("DenseBincount") { context throws(InferenceError) in
      [.tensor(try denseBincount(context))]
    }
    registry.register("RaggedBincount") { context throws(InferenceError) in
      [.tensor(try raggedBincount(context))]
    }
    registry.register("StringNGrams") { context throws(InferenceError) in
      try stringNGrams(context)
    }
    registry.register("RaggedRange") { context throws(InferenceError) in
      let splitsType = try context.dtype("Tsplits", default: .int64)
      let (starts, limits, deltas) = (try context.tensor(0), try context.tensor(1), try context.tensor(2))
      let (splits, values) = try context.run {
        try RaggedRange.compute(
          starts: starts, limits: limits, deltas: deltas, splitsType: splitsType, op: context.node.op)
      }
      return [.tensor(splits), .tensor(values)]
    }
  }

  /// `StringNGrams`: the n-grams of a ragged batch of tokens (flat `data` and `data_splits`),
  /// as flat n-grams and their row splits (the splits' dtype and shape). The size of the output
  /// is counted from the splits and the token lengths before anything is joined.
  static func stringNGrams(_ context: OpContext) throws(InferenceError) -> [Value] {
    let widths = try context.ints("ngram_widths")
    let padWidth = try context.int("pad_width")
    // TensorFlow reads these into C ints.
    for value in widths + [padWidth] where Int32(exactly: value) == nil {
      throw InferenceError(
        .invalidArgument, "\(context.location): attribute value \(value) is out of range for an int32")
    }
    let options = NGrams.Options(
      separator: Array(try context.string("separator").utf8), widths: widths,
      leftPad: Array(try context.string("left_pad").utf8), rightPad: Array(try context.string("right_pad").utf8),
      padWidth: padWidth, preserveShortSequences: try context.bool("preserve_short_sequences"))
    let (data, splitsTensor) = (try context.tensor(0), try context.tensor(1))
    let tokens = try context.strings(0)
    let splits = try ArrayOps.integers(splitsTensor, context)
    let ngramSplits = try context.text { () throws(TextError) in
      try NGrams.splits(splits, tokens: tokens.count, options)
    }
    let flatSplits = try ArrayOps.integerTensor(ngramSplits, type: splitsTensor.dtype, context)
    let splitsOutput = try context.run { try flatSplits.reshaped(to: splitsTensor.shape) }
    if tokens.isEmpty || splits.isEmpty {
      // TensorFlow returns the data as it came (empty, or with no splits to cut it) unjoined.
      return [
        .tensor(Tensor(strings: [[UInt8]](repeating: [], count: data.elementCount), shape: data.shape)),
        .tensor(splitsOutput),
      ]
    }
    let count = ngramSplits.last ?? 0
    try context.checkOutput([count], .string)
    try context.checkStringBytes(NGrams.outputBytes(tokens, splits: splits, options), of: "\(count) n-grams")
    if splitsTensor.dtype == .int32, count > Int(Int32.max) {
      throw InferenceError(.invalidArgument, "\(context.location): \(count) n-grams do not fit int32 row splits")
    }
    let ngrams = try context.text { () throws(TextError) in try NGrams.ngrams(tokens, splits: splits, options) }
    return [
      .tensor(Tensor(strings: ngrams, shape: [ngrams.count])),
      .tensor(splitsOutput),
    ]
  }

  private enum PartitionType: String {
    case firstDimensionSize = "FIRST_DIM_SIZE"
    case valueRowIDs = "VALUE_ROWIDS"
    case rowSplits = "ROW_SPLITS"
  }

  /// `RaggedTensorToTensor` (`ragged_tensor_to_tensor_op.cc`): the ragged tensor given by flat
  /// `values` and its row partitions, padded with `default_value` to `shape` (`-1` dimensions
  /// take the ragged tensor's own size; smaller sizes truncate).
  static func raggedToDense(_ context: OpContext) throws(InferenceError) -> Tensor {
    let names = try context.stringList("row_partition_types")
    let types = try names.map { name throws(InferenceError) -> PartitionType in
      guard let type = PartitionType(rawValue: name) else {
        throw InferenceError(.unsupported, "\(context.location): row partition type \(name)")
      }
      return type
    }
    guard let firstType = types.first else {
      throw InferenceError(.invalidArgument, "\(context.location): no row_partition_types given")
    }
    let (shapeTensor, values, defaultValue) = (try context.tensor(0), try context.tensor(1), try context.tensor(2))
    guard values.rank >= 1 else {
      throw InferenceError(.invalidArgument, "\(context.location): values must have rank 1 or more")
    }
    let partitions = try (3..<context.inputs.count).map { index throws(InferenceError) in
      try ArrayOps.integers(try context.tensor(index), context)
    }
    guard partitions.count == types.count, let first = partitions.first, !first.isEmpty else {
      throw InferenceError(
        .invalidArgument, "\(context.location): invalid first partition input: it needs at least one element")
    }
    let raggedRank = firstType == .firstDimensionSize ? types.count - 1 : types.count
    // Splits and sizes are input values: validated before anything is sized from them.
    for (level, (type, splits)) in zip(types, partitions).enumerated() where type == .rowSplits {
      try checkRowSplits(splits, context)
      if level == types.count - 1, let last = splits.last, last != values.shape[0] {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): the last row splits end at \(last), but there are \(values.shape[0]) values")
      }
      try context.checkCount(splits.last ?? 0, of: "rows described by row splits", size: MemoryLayout<Int>.stride)
    }
    // The partition between dimension d and d + 1.
    func partition(_ dimension: Int) -> (PartitionType, [Int]) {
      let index = firstType == .firstDimensionSize ? dimension + 1 : dimension
      return (types[index], partitions[index])
    }
    let firstDimension: Int
    switch firstType {
    case .firstDimensionSize:
      firstDimension = first[0]
      guard firstDimension >= 0 else {
        throw InferenceError(
          .invalidArgument, "\(context.location): the first dimension size \(firstDimension) is negative")
      }
      try context.checkCount(firstDimension, of: "rows", size: MemoryLayout<Int>.stride)
    case .rowSplits: firstDimension = first.count - 1
    case .valueRowIDs:
      throw InferenceError(.invalidArgument, "\(context.location): cannot handle VALUE_ROWIDS in first dimension")
    }

    // Output shape: the requested one, unknown sizes from the values and the partitions.
    let innerShape = Array(values.shape.dropFirst())
    var shape: [Int]
    let requested = try ArrayOps.integers(shapeTensor, context)
    if shapeTensor.rank == 0 && requested.first == -1 {
      shape = [Int](repeating: -1, count: raggedRank + 1) + innerShape
    } else {
      guard shapeTensor.rank == 1 else {
        throw InferenceError(
          .invalidArgument, "\(context.location): shape must be a vector or -1, got \(Shape.format(shapeTensor.shape))")
      }
      shape = requested
    }
    guard shape.count == raggedRank + values.rank else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): rt_input.shape and shape=\(Shape.format(requested)) are incompatible: rt_input.rank = \(raggedRank + values.rank) but shape.rank = \(shape.count)"
      )
    }
    for (offset, size) in innerShape.enumerated() {
      let axis = raggedRank + 1 + offset
      if shape[axis] < 0 {
        shape[axis] = size
      } else if shape[axis] != size {
        throw InferenceError(
          .invalidArgument, "\(context.location): rt_input.shape[\(axis)] = \(size) but shape[\(axis)] = \(shape[axis])"
        )
      }
    }
    if shape[0] < 0 { shape[0] = firstDimension }
    for dimension in 1..<(raggedRank + 1) where shape[dimension] < 0 {
      let (type, tensor) = partition(dimension - 1)
      shape[dimension] = type == .rowSplits ? maxWidth(rowSplits: tensor) : maxWidth(valueRowIDs: tensor)
    }
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw InferenceError(.invalidArgument, "\(context.location): invalid output shape \(Shape.format(shape))")
    }
    // The requested shape and the widest row are input values; their products below stay
    // within the limits once the output is.
    try context.checkOutput(shape, values.dtype)

    // Where each value row lands in the output (-1: cut off), one partition level at a time.
    var multipliers = [Int](repeating: 1, count: raggedRank + 1)
    for index in stride(from: raggedRank - 1, through: 0, by: -1) {
      multipliers[index] = multipliers[index + 1] * shape[index + 1]
    }
    var outputIndex = (0..<firstDimension).map { $0 < shape[0] ? $0 * multipliers[0] : -1 }
    for dimension in 0..<raggedRank {
      let (type, tensor) = partition(dimension)
      outputIndex = try context.text { () throws(TextError) in
        type == .rowSplits
          ? try childIndices(
            rowSplits: tensor, parents: outputIndex, multiplier: multipliers[dimension + 1], width: shape[dimension + 1]
          )
          : try childIndices(
            valueRowIDs: tensor, parents: outputIndex, multiplier: multipliers[dimension + 1],
            width: shape[dimension + 1])
      }
    }
    guard outputIndex.count == values.shape[0] else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): the partitions describe \(outputIndex.count) values, got \(values.shape[0])")
    }

    // Gather from the values followed by the default value broadcast to one element.
    let elementShape = Array(shape[(raggedRank + 1)...])
    let elementSize = elementShape.reduce(1, *)
    // A test, not a failure to hide: shapes that do not broadcast get TensorFlow's message below.
    let broadcasts =
      defaultValue.rank <= elementShape.count
      && (try? Broadcast.shape(defaultValue.shape, elementShape, op: "RaggedTensorToTensor")) == elementShape
    guard broadcasts else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): default_value.shape=\(Shape.format(defaultValue.shape)) and rt_input.flat_values.shape=\(Shape.format(values.shape)) are incompatible"
      )
    }
    let indices = Broadcast.sourceIndices(from: defaultValue.shape, to: elementShape)
    let broadcastDefault = try Elements(defaultValue).gather(indices).tensor(elementShape, context)
    let flatValues = try context.run { try values.reshaped(to: [values.elementCount]) }
    let flatDefault = try context.run { try broadcastDefault.reshaped(to: [elementSize]) }
    let pool = try ArrayOps.concatenate([flatValues, flatDefault], axis: 0, context)
    let total = shape.reduce(1, *)
    var sources = (0..<total).map { values.elementCount + (elementSize == 0 ? 0 : $0 % elementSize) }
    for (row, target) in outputIndex.enumerated() where target >= 0 {
      for element in 0..<elementSize { sources[target * elementSize + element] = row * elementSize + element }
    }
    return try Elements(pool).gather(sources).tensor(shape, context)
  }

  /// Row splits as TensorFlow requires them: at least one, starting at 0, never decreasing (so
  /// every difference is a row length that cannot overflow).
  private static func checkRowSplits(_ splits: [Int], _ context: OpContext) throws(InferenceError) {
    guard let first = splits.first else {
      throw InferenceError(.invalidArgument, "\(context.location): row splits must not be empty")
    }
    guard first == 0 else {
      throw InferenceError(.invalidArgument, "\(context.location): row splits must start with 0, not with \(first)")
    }
    for index in splits.indices.dropFirst() where splits[index] < splits[index - 1] {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): row splits must be non-decreasing, but \(splits[index]) follows \(splits[index - 1])")
    }
  }

  private static func maxWidth(rowSplits splits: [Int]) -> Int {
    guard splits.count > 1 else { return 0 }
    return (0..<(splits.count - 1)).map { splits[$0 + 1] - splits[$0] }.max() ?? 0
  }

  private static func maxWidth(valueRowIDs ids: [Int]) -> Int {
    guard let first = ids.first else { return 0 }
    var (runStart, current, widest) = (0, first, 0)
    for (index, id) in ids.enumerated().dropFirst() where id != current {
      widest = max(widest, index - runStart)
      (runStart, current) = (index, id)
    }
    return max(widest, ids.count - runStart)
  }

  private static func childIndices(rowSplits splits: [Int], parents: [Int], multiplier: Int, width: Int)
    throws(TextError) -> [Int]
  {
    guard splits.count - 1 <= parents.count else {
      throw TextError("row partition size is greater than output size: \(splits.count - 1) > \(parents.count)")
    }
    var result: [Int] = []
    for row in 0..<max(0, splits.count - 1) {
      let length = splits[row + 1] - splits[row]
      guard length >= 0 else { throw TextError("row splits must be non-decreasing") }
      let parent = parents[row]
      let kept = parent < 0 ? 0 : min(width, length)
      for column in 0..<kept { result.append(parent + column * multiplier) }
      result += [Int](repeating: -1, count: length - kept)
    }
    if let last = splits.last, result.count != last { throw TextError("invalid row split size") }
    return result
  }

  private static func childIndices(valueRowIDs ids: [Int], parents: [Int], multiplier: Int, width: Int)
    throws(TextError) -> [Int]
  {
    var result: [Int] = []
    result.reserveCapacity(ids.count)
    var (currentRow, column, current) = (-1, 0, -1)
    for id in ids {
      guard id >= 0, id < parents.count else {
        throw TextError("got value_rowid \(id), which is not less than \(parents.count)")
      }
      if id == currentRow {
        if current >= 0 {
          column += 1
          current = column < width ? current + multiplier : -1
        }
      } else {
        (currentRow, column) = (id, 0)
        current = width > 0 ? parents[id] : -1
      }
      result.append(current)
    }
    return result
  }

  /// `DenseBincount`: per row (1-D input: one row), how often each value in `0..<size` occurs, or
  /// the sum of its weights, or 1 when `binary_output`; values at or past `size` are ignored.
  static func denseBincount(_ context: OpContext) throws(InferenceError) -> Tensor {
    let (input, sizeTensor, weights) = (try context.tensor(0), try context.tensor(1), try context.tensor(2))
    guard input.rank <= 2 else {
      throw InferenceError(
        .invalidArgument, "\(context.location): shape must be at most rank 2 but is rank \(input.rank)")
    }
    guard sizeTensor.rank == 0 else {
      throw InferenceError(.invalidArgument, "\(context.location): size must be rank 0 but is rank \(sizeTensor.rank)")
    }
    guard weights.shape == input.shape || weights.elementCount == 0 else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): `weights` must be the same shape as `arr` or a length-0 `Tensor`, got \(Shape.format(weights.shape))"
      )
    }
    let size = try ArrayOps.integers(sizeTensor, context)[0]
    guard size >= 0 else {
      throw InferenceError(.invalidArgument, "\(context.location): size (\(size)) must be non-negative")
    }
    let values = try ArrayOps.integers(input, context)
    if let negative = values.first(where: { $0 < 0 }) {
      throw InferenceError(.invalidArgument, "\(context.location): input must be non-negative, found \(negative)")
    }
    let rows = input.rank == 2 ? input.shape[0] : 1
    let columns = input.rank == 2 ? input.shape[1] : values.count
    try context.checkOutput([rows, size], weights.dtype)
    let counts = try bins(
      values, rows: rows, row: { $0 / max(columns, 1) }, size: size, weights: weights,
      binary: context.bool("binary_output"), context)
    return try context.run { try counts.reshaped(to: input.rank == 2 ? [rows, size] : [size]) }
  }

  /// `RaggedBincount`: `DenseBincount` per row of a ragged tensor given by row splits and flat
  /// values; the output is [rows, size].
  static func raggedBincount(_ context: OpContext) throws(InferenceError) -> Tensor {
    let (splits, values, sizeTensor, weights) = (
      try ArrayOps.integers(try context.tensor(0), context), try ArrayOps.integers(try context.tensor(1), context),
      try context.tensor(2), try context.tensor(3)
    )
    let size = try ArrayOps.integers(sizeTensor, context).first ?? 0
    guard size >= 0 else {
      throw InferenceError(.invalidArgument, "\(context.location): size (\(size)) must be non-negative")
    }
    guard let first = splits.first, let last = splits.last else {
      throw InferenceError(.invalidArgument, "\(context.location): splits must be non-empty")
    }
    guard first == 0 else {
      throw InferenceError(.invalidArgument, "\(context.location): splits must start with 0, not with \(first)")
    }
    guard last == values.count else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): splits must end with the number of values, got \(last) instead of \(values.count)")
    }
    guard weights.elementCount == 0 || weights.elementCount == values.count else {
      throw InferenceError(.invalidArgument, "\(context.location): weights must be empty or have one weight per value")
    }
    if let negative = values.first(where: { $0 < 0 }) {
      throw InferenceError(.invalidArgument, "\(context.location): input must be non-negative, found \(negative)")
    }
    try checkRowSplits(splits, context)
    try context.checkOutput([splits.count - 1, size], weights.dtype)
    var rowOfValue = [Int](repeating: 0, count: values.count)
    var row = 0
    for index in values.indices {
      while row + 1 < splits.count && index >= splits[row + 1] { row += 1 }
      rowOfValue[index] = row
    }
    return try bins(
      values, rows: splits.count - 1, row: { rowOfValue[$0] }, size: size, weights: weights,
      binary: context.bool("binary_output"),
      context)
  }

  /// Counts (or weight sums, or presence) of `values` in `0..<size`, per row, as a [rows, size]
  /// tensor of the weights' dtype, accumulated in that type as TensorFlow does (float32 sums
  /// round in float32); values at or past `size` are ignored.
  private static func bins(
    _ values: [Int], rows: Int, row: (Int) -> Int, size: Int, weights: Tensor, binary: Bool, _ context: OpContext
  ) throws(InferenceError) -> Tensor {
    let type = weights.dtype
    let weightValues =
      weights.elementCount == 0 ? nil : try context.run { try Cast.apply(weights, to: .float64).doubles() }
    var counts = [Double](repeating: 0, count: rows * size)
    var floatCounts = [Float](repeating: 0, count: type == .float32 ? rows * size : 0)
    for (index, value) in values.enumerated() where value < size {
      let slot = row(index) * size + value
      if binary {
        counts[slot] = 1
        if type == .float32 { floatCounts[slot] = 1 }
      } else {
        let weight = weightValues?[index] ?? 1
        counts[slot] += weight
        if type == .float32 { floatCounts[slot] += Float(weight) }
      }
    }
    if type == .float32 { return Tensor(float32: floatCounts, shape: [rows, size]) }
    return try context.run { try Cast.apply(Tensor(float64: counts, shape: [rows, size]), to: type) }
  }
}
