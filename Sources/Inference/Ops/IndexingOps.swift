import RegistryCore
import TensorKernels

/// Ranking and indexing: `TopKV2` (what `tf.sort` and `tf.argsort` compile to), `GatherNd`,
/// `ScatterNd` and the `TensorScatter*` family, segment reductions, `Bucketize`,
/// `BroadcastTo`/`BroadcastArgs`, `InvertPermutation` and `Unique`, each with TensorFlow's CPU
/// semantics (checked against TensorFlow 2.21 in `IndexingOpTests`).
enum IndexingOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("TopKV2") { context throws(InferenceError) in try topK(context) }
    registry.register("GatherNd") { context throws(InferenceError) in
      let params = try context.tensor(0)
      let (rows, depth, indexShape) = try indexRows(try context.tensor(1), context)
      guard depth <= params.rank else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): index depth \(depth) is larger than the rank \(params.rank) of params")
      }
      let sliceShape = Array(params.shape[depth...])
      let slice = Shape.elementCount(sliceShape)
      let shape = indexShape + sliceShape
      try context.checkOutput(shape, params.dtype)
      var sources: [Int] = []
      sources.reserveCapacity(Shape.elementCount(shape))
      for (number, row) in rows.enumerated() {
        let start = try offset(row, in: Array(params.shape[..<depth]), number: number, context) * slice
        for k in 0..<slice { sources.append(start + k) }
      }
      return [.tensor(try Elements(params).gather(sources).tensor(shape, context))]
    }
    registry.register("ScatterNd") { context throws(InferenceError) in
      let (indices, updates) = (try context.tensor(0), try context.tensor(1))
      let shape = try ArrayOps.integers(try context.tensor(2), context)
      try context.checkOutput(shape, updates.dtype)
      let zero = try context.run { try Cast.apply(Tensor(float64: [0], shape: []), to: updates.dtype) }
      let base = try ArrayOps.tile(try context.run { try zero.reshaped(to: shape.map { _ in 1 }) }, shape, context)
      return [.tensor(try scatter(base, indices, updates, .add, context))]
    }
    let modes: [(String, ScatterMode)] = [
      ("TensorScatterUpdate", .update), ("TensorScatterAdd", .add), ("TensorScatterSub", .subtract),
      ("TensorScatterMin", .minimum), ("TensorScatterMax", .maximum),
    ]
    for (name, mode) in modes {
      registry.register(name) { context throws(InferenceError) in
        [.tensor(try scatter(try context.tensor(0), try context.tensor(1), try context.tensor(2), mode, context))]
      }
    }
    for reduction in SegmentReduction.allCases {
      registry.register("Segment" + reduction.rawValue) { context throws(InferenceError) in
        try segment(context, reduction, sorted: true)
      }
      guard reduction != .mean else { continue }
      registry.register("UnsortedSegment" + reduction.rawValue) { context throws(InferenceError) in
        try segment(context, reduction, sorted: false)
      }
    }
    registry.register("Bucketize") { context throws(InferenceError) in
      let x = try context.tensor(0)
      guard let boundaries = context.node.attribute("boundaries")?.list.f.map(Double.init) else {
        throw InferenceError(.invalidArgument, "\(context.location): missing attribute \"boundaries\"")
      }
      guard zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 <= $1 }) else {
        throw InferenceError(.invalidArgument, "\(context.location): Expected sorted boundaries")
      }
      let values = try context.run { try Cast.apply(x, to: .float64).doubles() }
      // The number of boundaries at or below the value (upper bound): NaN is past them all.
      let buckets = values.map { value -> Int32 in
        var low = 0
        var high = boundaries.count
        while low < high {
          let middle = (low + high) / 2
          if value < boundaries[middle] { high = middle } else { low = middle + 1 }
        }
        return Int32(low)
      }
      return [.tensor(Tensor(int32: buckets, shape: x.shape))]
    }
    registry.register("BroadcastTo") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let shape = try ArrayOps.integers(try context.tensor(1), context)
      guard shape.count >= x.rank,
        try Broadcasting.shape(x.shape, shape, context) == shape
      else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): \(Shape.format(x.shape)) does not broadcast to \(Shape.format(shape))")
      }
      try context.checkOutput(shape, x.dtype)
      return [.tensor(try Elements(x).gather(Broadcasting.sources(x.shape, to: shape)).tensor(shape, context))]
    }
    registry.register("BroadcastArgs") { context throws(InferenceError) in
      let (s0, s1) = (try context.tensor(0), try context.tensor(1))
      let shape = try Broadcasting.shape(
        try ArrayOps.integers(s0, context), try ArrayOps.integers(s1, context), context)
      return [.tensor(try ArrayOps.integerTensor(shape, type: s0.dtype, context))]
    }
    registry.register("InvertPermutation") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let permutation = try ArrayOps.integers(x, context)
      guard x.rank == 1 else { throw InferenceError(.invalidArgument, "\(context.location): x must be a vector") }
      var inverse = [Int](repeating: -1, count: permutation.count)
      for (index, value) in permutation.enumerated() {
        guard value >= 0, value < permutation.count else {
          throw InferenceError(
            .invalidArgument, "\(context.location): \(value) is not between 0 and \(permutation.count)")
        }
        guard inverse[value] == -1 else {
          throw InferenceError(.invalidArgument, "\(context.location): \(value) is duplicated in the input.")
        }
        inverse[value] = index
      }
      return [.tensor(try ArrayOps.integerTensor(inverse, type: x.dtype, context))]
    }
    registry.register("Unique") { context throws(InferenceError) in
      let x = try context.tensor(0)
      guard x.rank == 1 else { throw InferenceError(.invalidArgument, "\(context.location): x must be a vector") }
      let indexType = try context.dtype("out_idx", default: .int32)
      // Equality as the dtype defines it: -0.0 is 0.0, and NaN is never equal, so each NaN is
      // its own value (TensorFlow's hash map does the same).
      var firsts: [Int] = []
      var positions: [Int] = []
      switch x.dtype {
      case .string:
        var seen: [[UInt8]: Int] = [:]
        for value in try context.run({ try x.strings() }) {
          if let index = seen[value] {
            positions.append(index)
          } else {
            seen[value] = firsts.count
            positions.append(firsts.count)
            firsts.append(positions.count - 1)
          }
        }
      case .bool:
        try unique(try context.run { try x.bools() }, &firsts, &positions)
      default:
        switch try Widened(x, context) {
        case .floating(let values): try unique(values, &firsts, &positions)
        case .signed(let values): try unique(values, &firsts, &positions)
        case .unsigned(let values): try unique(values, &firsts, &positions)
        }
      }
      return [
        .tensor(try Elements(x).gather(firsts).tensor([firsts.count], context)),
        .tensor(try ArrayOps.integerTensor(positions, type: indexType, context)),
      ]
    }
  }

  private static func unique<T: Hashable>(_ values: [T], _ firsts: inout [Int], _ positions: inout [Int])
    throws(InferenceError)
  {
    var seen: [T: Int] = [:]
    for (offset, value) in values.enumerated() {
      if let index = seen[value] {
        positions.append(index)
      } else {
        seen[value] = firsts.count
        positions.append(firsts.count)
        firsts.append(offset)
      }
    }
  }

  // MARK: - TopKV2

  /// The `k` largest entries of each row (the last dimension), largest first; equal values keep
  /// their order (the lower index first), as TensorFlow's CPU kernel orders them. NaN sorts below
  /// every number here; TensorFlow's own order for NaN depends on its algorithm and `k`.
  static func topK(_ context: OpContext) throws(InferenceError) -> [Value] {
    let x = try context.tensor(0)
    let kTensor = try context.tensor(1)
    guard kTensor.elementCount == 1, let k = try ArrayOps.integers(kTensor, context).first else {
      throw InferenceError(.invalidArgument, "\(context.location): k must be a scalar")
    }
    guard x.rank >= 1 else { throw InferenceError(.invalidArgument, "\(context.location): input must be at least 1-D") }
    let columns = x.shape[x.rank - 1]
    guard k >= 0 else { throw InferenceError(.invalidArgument, "\(context.location): Need k >= 0, got \(k)") }
    guard k <= columns else {
      throw InferenceError(
        .invalidArgument, "\(context.location): input must have at least k columns. Had \(columns), needed \(k)")
    }
    let indexType = try context.dtype("index_type", default: .int32)
    let rows = columns == 0 ? 0 : x.elementCount / columns
    var shape = x.shape
    shape[shape.count - 1] = k
    var picked: [Int] = []
    picked.reserveCapacity(rows * k)
    var order: [Int] = []
    func select<T>(_ values: [T], _ before: (T, T) -> Bool) {
      for row in 0..<rows {
        let base = row * columns
        order = Array(0..<columns)
        order.sort { a, b in
          let (left, right) = (values[base + a], values[base + b])
          if before(left, right) { return true }
          if before(right, left) { return false }
          return a < b
        }
        for column in order.prefix(k) { picked.append(column) }
      }
    }
    switch try Widened(x, context) {
    case .floating(let values):
      // NaN after every number, and after each other by index.
      select(values) { a, b in a > b || (!a.isNaN && b.isNaN) }
    case .signed(let values): select(values, >)
    case .unsigned(let values): select(values, >)
    }
    let sources = picked.enumerated().map { offset, column in (offset / max(k, 1)) * columns + column }
    return [
      .tensor(try Elements(x).gather(sources).tensor(shape, context)),
      .tensor(try ArrayOps.integerTensor(picked, type: indexType, context).reshaped(shape, context)),
    ]
  }

  // MARK: - Scatter

  enum ScatterMode {
    case update, add, subtract, minimum, maximum
  }

  /// The rows of an index tensor whose last dimension is the index depth: each row's
  /// coordinates, the depth, and the shape of the rows (the index shape without its last axis).
  static func indexRows(_ indices: Tensor, _ context: OpContext) throws(InferenceError) -> (
    [[Int]], Int, [Int]
  ) {
    guard indices.rank >= 1 else {
      throw InferenceError(.invalidArgument, "\(context.location): indices must be at least a vector")
    }
    let depth = indices.shape[indices.rank - 1]
    let values = try ArrayOps.integers(indices, context)
    let count = depth == 0 ? Shape.elementCount(Array(indices.shape.dropLast())) : values.count / depth
    let rows = (0..<count).map { row in Array(values[(row * depth)..<((row + 1) * depth)]) }
    return (rows, depth, Array(indices.shape.dropLast()))
  }

  /// The row-major offset of `index` in `shape`, or TensorFlow's error when it is outside.
  static func offset(_ index: [Int], in shape: [Int], number: Int, _ context: OpContext) throws(InferenceError) -> Int {
    var offset = 0
    for (coordinate, size) in zip(index, shape) {
      guard coordinate >= 0, coordinate < size else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): indices[\(number)] = \(index) does not index into shape \(Shape.format(shape))")
      }
      offset = offset * size + coordinate
    }
    return offset
  }

  /// `tensor` with `updates` applied at `indices` (rows in order, so a repeated index takes the
  /// last update; `add` sums them). `updates` has the shape `indices.shape[:-1] + tensor.shape[depth:]`.
  static func scatter(_ tensor: Tensor, _ indices: Tensor, _ updates: Tensor, _ mode: ScatterMode, _ context: OpContext)
    throws(InferenceError) -> Tensor
  {
    let (rows, depth, rowShape) = try indexRows(indices, context)
    guard depth <= tensor.rank else {
      throw InferenceError(
        .invalidArgument, "\(context.location): index depth \(depth) is larger than the rank \(tensor.rank)")
    }
    let sliceShape = Array(tensor.shape[depth...])
    guard updates.shape == rowShape + sliceShape, updates.dtype == tensor.dtype else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): updates must be \(tensor.dtype) of shape \(Shape.format(rowShape + sliceShape)), got \(updates.dtype) \(Shape.format(updates.shape))"
      )
    }
    let slice = Shape.elementCount(sliceShape)
    let prefix = Array(tensor.shape[..<depth])
    let starts = try rows.enumerated().map { number, row throws(InferenceError) in
      try offset(row, in: prefix, number: number, context) * slice
    }
    if mode == .update || tensor.dtype == .string || tensor.dtype == .bool {
      guard mode == .update else {
        throw InferenceError(.invalidArgument, "\(context.location): \(tensor.dtype) takes updates only")
      }
      var sources = Array(0..<tensor.elementCount)
      for (row, start) in starts.enumerated() {
        for k in 0..<slice { sources[start + k] = tensor.elementCount + row * slice + k }
      }
      let both = try context.run {
        try Rearrange.concatenate(
          [try tensor.reshaped(to: [tensor.elementCount]), try updates.reshaped(to: [updates.elementCount])], axis: 0)
      }
      return try Elements(both).gather(sources).tensor(tensor.shape, context)
    }
    func apply<T>(_ base: [T], _ values: [T], _ combine: (T, T) -> T) -> [T] {
      var result = base
      for (row, start) in starts.enumerated() {
        for k in 0..<slice { result[start + k] = combine(result[start + k], values[row * slice + k]) }
      }
      return result
    }
    let result: Widened
    switch (try Widened(tensor, context), try Widened(updates, context)) {
    case (.floating(let base), .floating(let values)):
      switch mode {
      case .add: result = .floating(apply(base, values, +))
      case .subtract: result = .floating(apply(base, values, -))
      // NaN in either propagates, as TensorFlow's Eigen min/max do.
      case .minimum: result = .floating(apply(base, values) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) })
      default: result = .floating(apply(base, values) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) })
      }
    case (.signed(let base), .signed(let values)):
      switch mode {
      case .add: result = .signed(apply(base, values, &+))
      case .subtract: result = .signed(apply(base, values, &-))
      case .minimum: result = .signed(apply(base, values, Swift.min))
      default: result = .signed(apply(base, values, Swift.max))
      }
    case (.unsigned(let base), .unsigned(let values)):
      switch mode {
      case .add: result = .unsigned(apply(base, values, &+))
      case .subtract: result = .unsigned(apply(base, values, &-))
      case .minimum: result = .unsigned(apply(base, values, Swift.min))
      default: result = .unsigned(apply(base, values, Swift.max))
      }
    default:
      throw InferenceError(.invalidArgument, "\(context.location): tensor and updates differ in dtype")
    }
    return try result.tensor(tensor.dtype, tensor.shape, context)
  }

  // MARK: - Segments

  enum SegmentReduction: String, CaseIterable {
    case sum = "Sum"
    case mean = "Mean"
    case max = "Max"
    case min = "Min"
    case prod = "Prod"
  }

  /// `Segment*` (sorted ids over the first dimension; an empty segment gives 0, 1 for `Prod`) and
  /// `UnsortedSegment*` (ids of any leading shape; negative ids are dropped; an empty segment
  /// gives 0, 1 for `Prod`, the lowest value for `Max` and the highest for `Min`). `Max` and
  /// `Min` propagate NaN.
  static func segment(_ context: OpContext, _ reduction: SegmentReduction, sorted: Bool) throws(InferenceError)
    -> [Value]
  {
    let data = try context.tensor(0)
    let idTensor = try context.tensor(1)
    let ids = try ArrayOps.integers(idTensor, context)
    let count: Int
    if sorted {
      guard idTensor.rank == 1, data.rank >= 1, idTensor.shape[0] == data.shape[0] else {
        throw InferenceError(
          .invalidArgument, "\(context.location): segment_ids should be the same size as dimension 0 of input.")
      }
      for (previous, next) in zip(ids, ids.dropFirst()) where next < previous {
        throw InferenceError(.invalidArgument, "\(context.location): segment ids are not increasing")
      }
      if let first = ids.first, first < 0 {
        throw InferenceError(.invalidArgument, "\(context.location): segment ids must be >= 0")
      }
      // The largest id gives the output's length; Int.max must not overflow the + 1.
      guard (ids.last ?? 0) < Int.max else {
        throw InferenceError(.resourceExhausted, "\(context.location): segment id \(ids.last ?? 0) is too large")
      }
      count = (ids.last ?? -1) + 1
    } else {
      guard idTensor.rank <= data.rank, Array(data.shape[..<idTensor.rank]) == idTensor.shape else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): data.shape \(Shape.format(data.shape)) does not start with segment_ids.shape \(Shape.format(idTensor.shape))"
        )
      }
      let numTensor = try context.tensor(2)
      guard numTensor.elementCount == 1, let segments = try ArrayOps.integers(numTensor, context).first,
        segments >= 0
      else {
        throw InferenceError(.invalidArgument, "\(context.location): num_segments must be a non-negative scalar")
      }
      for (index, id) in ids.enumerated() where id >= segments {
        throw InferenceError(
          .invalidArgument, "\(context.location): segment_ids[\(index)] = \(id) is out of range [0, \(segments))")
      }
      count = segments
    }
    let inner = Array(data.shape[(sorted ? 1 : idTensor.rank)...])
    let shape = [count] + inner
    try context.checkOutput(shape, data.dtype)
    let width = Shape.elementCount(inner)
    var members = [Int](repeating: 0, count: count)
    for id in ids where id >= 0 { members[id] += 1 }
    func reduce<T>(_ values: [T], empty: T, _ combine: (T, T) -> T) -> [T] {
      var result = [T](repeating: empty, count: count * width)
      var started = [Bool](repeating: false, count: count)
      for (row, id) in ids.enumerated() where id >= 0 {
        for k in 0..<width {
          let value = values[row * width + k]
          result[id * width + k] = started[id] ? combine(result[id * width + k], value) : value
        }
        started[id] = true
      }
      return result
    }
    let bits = Widened.bits(data.dtype)
    let result: Widened
    switch try Widened(data, context) {
    case .floating(let values):
      let lowest = -Self.largestFinite(data.dtype)
      switch reduction {
      case .sum: result = .floating(reduce(values, empty: 0, +))
      case .mean:
        let sums = reduce(values, empty: 0, +)
        result = .floating(sums.enumerated().map { $1 / Double(Swift.max(members[$0 / Swift.max(width, 1)], 1)) })
      case .prod: result = .floating(reduce(values, empty: 1, *))
      case .max:
        result = .floating(
          reduce(values, empty: sorted ? 0 : lowest) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) })
      case .min:
        result = .floating(
          reduce(values, empty: sorted ? 0 : -lowest) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) })
      }
    case .signed(let values):
      let (lowest, highest) = (
        Widened.wrap(Int64(1) << (bits - 1), bits: bits), Widened.wrap(~(Int64(1) << (bits - 1)), bits: bits)
      )
      switch reduction {
      case .sum: result = .signed(reduce(values, empty: 0, &+))
      case .mean:
        // The sum wraps in the dtype before the division, as TensorFlow's does.
        let sums = reduce(values, empty: 0, &+).map { Widened.wrap($0, bits: bits) }
        result = .signed(sums.enumerated().map { $1 / Int64(Swift.max(members[$0 / Swift.max(width, 1)], 1)) })
      case .prod: result = .signed(reduce(values, empty: 1, &*))
      case .max: result = .signed(reduce(values, empty: sorted ? 0 : lowest, Swift.max))
      case .min: result = .signed(reduce(values, empty: sorted ? 0 : highest, Swift.min))
      }
    case .unsigned(let values):
      switch reduction {
      case .sum: result = .unsigned(reduce(values, empty: 0, &+))
      case .mean:
        let sums = reduce(values, empty: 0, &+).map { Widened.wrap($0, bits: bits) }
        result = .unsigned(sums.enumerated().map { $1 / UInt64(Swift.max(members[$0 / Swift.max(width, 1)], 1)) })
      case .prod: result = .unsigned(reduce(values, empty: 1, &*))
      case .max: result = .unsigned(reduce(values, empty: 0, Swift.max))
      case .min: result = .unsigned(reduce(values, empty: sorted ? 0 : Widened.wrap(UInt64.max, bits: bits), Swift.min))
      }
    }
    return [.tensor(try result.tensor(data.dtype, shape, context))]
  }

  /// The largest finite value of a float dtype, as `Double`.
  static func largestFinite(_ dtype: DType) -> Double {
    switch dtype {
    case .float16: 65504
    case .bfloat16: 0x1.FEp127
    case .float32: Double(Float.greatestFiniteMagnitude)
    default: Double.greatestFiniteMagnitude
    }
  }
}

extension Tensor {
  /// Reshaped, with a kernel error reported at the node.
  func reshaped(_ shape: [Int], _ context: OpContext) throws(InferenceError) -> Tensor {
    let tensor = self
    return try context.run { try tensor.reshaped(to: shape) }
  }
}
