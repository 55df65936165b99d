import RegistryCore
import TensorKernels

/// Ops that rearrange elements without arithmetic: shapes, reshapes, gathers, slices,
/// concatenation, stacking, transposes, padding, tiling, fills. All dtypes, strings included:
/// each op computes which source element every output element comes from, and `Elements` copies
/// them.
enum ArrayOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("Shape") { context throws(InferenceError) in
      let x = try context.tensor(0)
      return [.tensor(try integerTensor(x.shape, type: try context.dtype("out_type", default: .int32), context))]
    }
    registry.register("Size") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let type = try context.dtype("out_type", default: .int32)
      return [.tensor(try integerTensor([x.elementCount], type: type, context, scalar: true))]
    }
    registry.register("Rank") { context throws(InferenceError) in
      [.tensor(Tensor(int32: [Int32(try context.tensor(0).rank)], shape: []))]
    }
    registry.register("Reshape") { context throws(InferenceError) in
      let x = try context.tensor(0)
      var shape = try integers(try context.tensor(1), context)
      if let unknown = shape.firstIndex(of: -1) {
        // Checked: the other dimensions come from input values and may overflow or be negative.
        let known = Limits.elementCount(shape.enumerated().filter { $0.offset != unknown }.map(\.element)).map(Int.init)
        guard let known, known > 0, x.elementCount % known == 0 else {
          throw InferenceError(
            .invalidArgument, "\(context.location): cannot reshape \(Shape.format(x.shape)) to \(Shape.format(shape))")
        }
        shape[unknown] = x.elementCount / known
      }
      return [.tensor(try context.run { try x.reshaped(to: shape) })]
    }
    registry.register("Squeeze") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let axes = Set(try context.ints("squeeze_dims", default: []).map { $0 < 0 ? $0 + x.rank : $0 })
      let shape = x.shape.enumerated().filter { index, size in size != 1 || (!axes.isEmpty && !axes.contains(index)) }
        .map(\.element)
      return [.tensor(try context.run { try x.reshaped(to: shape) })]
    }
    registry.register("ExpandDims") { context throws(InferenceError) in
      let x = try context.tensor(0)
      var axis = try integers(try context.tensor(1), context).first ?? 0
      if axis < 0 { axis += x.rank + 1 }
      guard axis >= 0, axis <= x.rank else {
        throw InferenceError(.invalidArgument, "\(context.location): axis out of range")
      }
      var shape = x.shape
      shape.insert(1, at: axis)
      return [.tensor(try context.run { try x.reshaped(to: shape) })]
    }
    registry.register("Range") { context throws(InferenceError) in
      try range(context)
    }
    registry.register("Fill") { context throws(InferenceError) in
      let (dims, value) = (try context.tensor(0), try context.tensor(1))
      guard dims.rank == 1 else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): dims must be a vector, got a tensor of shape \(Shape.format(dims.shape))")
      }
      guard value.rank == 0 else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): value must be a scalar, got a tensor of shape \(Shape.format(value.shape))")
      }
      let shape = try integers(dims, context)
      try context.checkOutput(shape, value.dtype)
      if value.dtype == .string {
        let length = Int64(try context.strings(1)[0].count)
        let (bytes, overflow) = Int64(Shape.elementCount(shape)).multipliedReportingOverflow(by: length)
        try context.checkStringBytes(
          overflow ? nil : bytes, of: "\(Shape.elementCount(shape)) copies of a \(length)-byte string")
      }
      // The scalar tiled to the shape: one strided copy, no index per element.
      let ones = try context.run { try value.reshaped(to: [Int](repeating: 1, count: shape.count)) }
      return [.tensor(try tile(ones, shape, context))]
    }
    for (name, fill) in [("ZerosLike", 0.0), ("OnesLike", 1.0)] {
      registry.register(name) { context throws(InferenceError) in
        let x = try context.tensor(0)
        let values = Tensor(float64: [Double](repeating: fill, count: x.elementCount), shape: x.shape)
        return [.tensor(try context.run { try Cast.apply(values, to: x.dtype) })]
      }
    }
    registry.register("Pack") { context throws(InferenceError) in
      let tensors = try context.inputs.indices.map { index throws(InferenceError) in try context.tensor(index) }
      guard let first = tensors.first else {
        throw InferenceError(.invalidArgument, "\(context.location): nothing to stack")
      }
      let requested = try context.int("axis", default: 0)
      let axis = requested < 0 ? requested + first.rank + 1 : requested
      guard axis >= 0, axis <= first.rank else {
        throw InferenceError(
          .invalidArgument, "\(context.location): axis \(requested) is out of range for rank \(first.rank + 1)")
      }
      let expanded = try tensors.map { tensor throws(InferenceError) -> Tensor in
        var shape = tensor.shape
        shape.insert(1, at: axis)
        return try context.run { try tensor.reshaped(to: shape) }
      }
      return [.tensor(try concatenate(expanded, axis: axis, context))]
    }
    registry.register("ConcatV2") { context throws(InferenceError) in
      let count = context.inputs.count - 1
      let tensors = try (0..<count).map { index throws(InferenceError) in try context.tensor(index) }
      guard let first = tensors.first else {
        throw InferenceError(.invalidArgument, "\(context.location): nothing to concatenate")
      }
      var axis = try integers(try context.tensor(count), context).first ?? 0
      if axis < 0 { axis += first.rank }
      return [.tensor(try concatenate(tensors, axis: axis, context))]
    }
    registry.register("Transpose") { context throws(InferenceError) in
      let x = try context.tensor(0)
      return [.tensor(try permute(x, try integers(try context.tensor(1), context), context))]
    }
    for name in ["GatherV2", "ResourceGather"] {
      registry.register(name) { context throws(InferenceError) in
        let params: Tensor
        if name == "ResourceGather" {
          params = try context.runtime.variables.read(try context.resource(0), context: context.location)
        } else {
          params = try context.tensor(0)
        }
        let indexTensor = try context.tensor(1)
        let indices = try integers(indexTensor, context)
        var axis = name == "GatherV2" ? (try integers(try context.tensor(2), context).first ?? 0) : 0
        if axis < 0 { axis += params.rank }
        var batchDims = try context.int("batch_dims", default: 0)
        if batchDims < 0 { batchDims += indexTensor.rank }
        if batchDims != 0 {
          return [
            .tensor(try batchGather(params, indices, indexTensor.shape, axis: axis, batchDims: batchDims, context))
          ]
        }
        return [
          .tensor(
            try context.run {
              try Rearrange.gather(params, indices: indices, indexShape: indexTensor.shape, axis: axis)
            })
        ]
      }
    }
    registry.register("Slice") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let begin = try integers(try context.tensor(1), context)
      var size = try integers(try context.tensor(2), context)
      guard begin.count == x.rank, size.count == x.rank else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): begin \(begin) and size \(size) must have one entry per dimension of \(Shape.format(x.shape))"
        )
      }
      for axis in size.indices where size[axis] == -1 { size[axis] = x.shape[axis] - begin[axis] }
      return [.tensor(try slice(x, begin: begin, strides: [Int](repeating: 1, count: x.rank), shape: size, context))]
    }
    registry.register("Unpack") { context throws(InferenceError) in
      let x = try context.tensor(0)
      var axis = try context.int("axis", default: 0)
      if axis < 0 { axis += x.rank }
      guard axis >= 0, axis < x.rank else {
        throw InferenceError(.invalidArgument, "\(context.location): axis out of range")
      }
      var shape = x.shape
      shape.remove(at: axis)
      try context.checkCount(x.shape[axis], of: "outputs", size: outputOverhead)
      return try split(x, axis: axis, sizes: [Int](repeating: 1, count: x.shape[axis]), context).map {
        part throws(InferenceError) in
        .tensor(try context.run { try part.reshaped(to: shape) })
      }
    }
    registry.register("Split") { context throws(InferenceError) in
      let x = try context.tensor(1)
      var axis = try integers(try context.tensor(0), context).first ?? 0
      if axis < 0 { axis += x.rank }
      let count = try context.int("num_split")
      guard axis >= 0, axis < x.rank, count > 0, x.shape[axis] % count == 0 else {
        throw InferenceError(
          .invalidArgument, "\(context.location): cannot split \(Shape.format(x.shape)) into \(count) on axis \(axis)")
      }
      try context.checkCount(count, of: "outputs", size: outputOverhead)
      return try split(x, axis: axis, sizes: [Int](repeating: x.shape[axis] / count, count: count), context).map {
        .tensor($0)
      }
    }
    registry.register("SplitV") { context throws(InferenceError) in
      let x = try context.tensor(0)
      var sizes = try integers(try context.tensor(1), context)
      var axis = try integers(try context.tensor(2), context).first ?? 0
      if axis < 0 { axis += x.rank }
      guard axis >= 0, axis < x.rank else {
        throw InferenceError(.invalidArgument, "\(context.location): axis out of range")
      }
      // Each size is checked against what is left before it is added, so hostile sizes cannot
      // overflow the sum.
      let unknown = sizes.firstIndex(of: -1)
      var total = 0
      for (offset, size) in sizes.enumerated() where offset != unknown {
        guard size >= 0, size <= x.shape[axis] - total else {
          throw InferenceError(
            .invalidArgument, "\(context.location): sizes \(sizes) do not add up to \(x.shape[axis])")
        }
        total += size
      }
      if let unknown { sizes[unknown] = x.shape[axis] - total }
      try context.checkCount(sizes.count, of: "outputs", size: outputOverhead)
      guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == x.shape[axis] else {
        throw InferenceError(.invalidArgument, "\(context.location): sizes \(sizes) do not add up to \(x.shape[axis])")
      }
      return try split(x, axis: axis, sizes: sizes, context).map { .tensor($0) }
    }
    registry.register("OneHot") { context throws(InferenceError) in
      try oneHot(context)
    }
    // Dilated convolutions: TensorFlow rewrites them as SpaceToBatchND -> Conv -> BatchToSpaceND,
    // with one spatial dimension for Conv1D, two for Conv2D.
    registry.register("SpaceToBatchND") { context throws(InferenceError) in
      try spaceToBatch(context)
    }
    registry.register("BatchToSpaceND") { context throws(InferenceError) in
      try batchToSpace(context)
    }
    registry.register("StridedSlice") { context throws(InferenceError) in
      try stridedSlice(context)
    }
    registry.register("Tile") { context throws(InferenceError) in
      [.tensor(try tile(try context.tensor(0), try integers(try context.tensor(1), context), context))]
    }
    registry.register("MirrorPad") { context throws(InferenceError) in
      try mirrorPad(context)
    }
    for name in ["Pad", "PadV2"] {
      registry.register(name) { context throws(InferenceError) in
        let x = try context.tensor(0)
        let paddings = try integers(try context.tensor(1), context)
        guard paddings.count == 2 * x.rank, paddings.allSatisfy({ $0 >= 0 }) else {
          throw InferenceError(.invalidArgument, "\(context.location): paddings \(paddings) do not fit rank \(x.rank)")
        }
        let constant =
          name == "PadV2"
          ? try context.tensor(2) : try context.run { try Cast.apply(Tensor(float64: [0], shape: []), to: x.dtype) }
        return [
          .tensor(
            try pad(
              x, before: stride(from: 0, to: paddings.count, by: 2).map { paddings[$0] },
              after: stride(from: 1, to: paddings.count, by: 2).map { paddings[$0] }, constant: constant, context))
        ]
      }
    }
  }

  /// The block shape (M values) and the M x 2 paddings or crops of the `*ToBatchND` ops, checked
  /// against an input of rank at least 1 + M: every block positive, every pad non-negative.
  private static func blockArguments(_ x: Tensor, _ what: String, _ context: OpContext) throws(InferenceError) -> (
    block: [Int], pairs: [Int]
  ) {
    let block = try integers(try context.tensor(1), context)
    let pairs = try integers(try context.tensor(2), context)
    guard !block.isEmpty, x.rank >= 1 + block.count, pairs.count == 2 * block.count else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): block_shape \(block) and \(what) \(pairs) do not fit an input of shape \(Shape.format(x.shape))"
      )
    }
    guard block.allSatisfy({ $0 >= 1 }), pairs.allSatisfy({ $0 >= 0 }) else {
      throw InferenceError(
        .invalidArgument, "\(context.location): block_shape \(block) must be positive and \(what) \(pairs) non-negative"
      )
    }
    return (block, pairs)
  }

  /// `SpaceToBatchND` over any number M of spatial dimensions: pad them, cut each into
  /// `size / block` blocks, and move the block offsets to the front of the batch dimension.
  static func spaceToBatch(_ context: OpContext) throws(InferenceError) -> [Value] {
    let x = try context.tensor(0)
    let (block, paddings) = try blockArguments(x, "paddings", context)
    let m = block.count
    let zero = try context.run { try Cast.apply(Tensor(float64: [0], shape: []), to: x.dtype) }
    let rest = x.rank - 1 - m
    let before = [0] + (0..<m).map { paddings[2 * $0] } + [Int](repeating: 0, count: rest)
    let after = [0] + (0..<m).map { paddings[2 * $0 + 1] } + [Int](repeating: 0, count: rest)
    let padded = try pad(x, before: before, after: after, constant: zero, context)
    let batch = padded.shape[0]
    let spatial = Array(padded.shape[1...m])
    let remaining = Array(padded.shape[(m + 1)...])
    for (size, step) in zip(spatial, block) where size % step != 0 {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): padded spatial shape \(spatial) is not a multiple of the block \(block)")
    }
    // Checked: an empty spatial dimension is a multiple of any block, however large.
    var blocks = batch
    for step in block {
      let (product, overflow) = blocks.multipliedReportingOverflow(by: step)
      guard !overflow else {
        throw InferenceError(.invalidArgument, "\(context.location): block_shape \(block) overflows the batch")
      }
      blocks = product
    }
    try context.checkOutput([blocks] + (0..<m).map { spatial[$0] / block[$0] } + remaining, x.dtype)
    try context.checkOutput([batch] + block + remaining, x.dtype)
    // [batch, s1/b1, b1, ..., sM/bM, bM, rest...] -> [b1, ..., bM, batch, s1/b1, ..., sM/bM, rest...]
    var split = [batch]
    for axis in 0..<m { split += [spatial[axis] / block[axis], block[axis]] }
    let permutation =
      (0..<m).map { 2 + 2 * $0 } + [0] + (0..<m).map { 1 + 2 * $0 } + (0..<rest).map { 1 + 2 * m + $0 }
    let moved = try permute(try context.run { try padded.reshaped(to: split + remaining) }, permutation, context)
    let shape = [blocks] + (0..<m).map { spatial[$0] / block[$0] } + remaining
    return [.tensor(try context.run { try moved.reshaped(to: shape) })]
  }

  /// `BatchToSpaceND` over any number M of spatial dimensions: the inverse of `SpaceToBatchND`,
  /// then the crops taken off each spatial dimension.
  static func batchToSpace(_ context: OpContext) throws(InferenceError) -> [Value] {
    let x = try context.tensor(0)
    let (block, crops) = try blockArguments(x, "crops", context)
    let m = block.count
    let rest = x.rank - 1 - m
    // Checked: block sizes and crops are input values.
    var blocks = 1
    for step in block {
      let (product, overflow) = blocks.multipliedReportingOverflow(by: step)
      guard !overflow else {
        throw InferenceError(.invalidArgument, "\(context.location): block_shape \(block) overflows")
      }
      blocks = product
    }
    guard x.shape[0] % blocks == 0 else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): block_shape \(block) must divide the batch dimension \(x.shape[0])")
    }
    let batch = x.shape[0] / blocks
    let spatial = Array(x.shape[1...m])
    let remaining = Array(x.shape[(m + 1)...])
    var full: [Int] = []
    for axis in 0..<m {
      let (size, overflow) = spatial[axis].multipliedReportingOverflow(by: block[axis])
      guard !overflow, crops[2 * axis] <= size - crops[2 * axis + 1] else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): crops \(crops) do not fit the spatial shape \(spatial) times block \(block)")
      }
      full.append(size)
    }
    try context.checkOutput([batch] + full + remaining, x.dtype)
    // [b1, ..., bM, batch, s1, ..., sM, rest...] -> [batch, s1, b1, ..., sM, bM, rest...]
    let split = block + [batch] + spatial + remaining
    let permutation =
      [m] + (0..<m).flatMap { [m + 1 + $0, $0] } + (0..<rest).map { 1 + 2 * m + $0 }
    let moved = try permute(try context.run { try x.reshaped(to: split) }, permutation, context)
    let uncropped = try context.run { try moved.reshaped(to: [batch] + full + remaining) }
    let begin = [0] + (0..<m).map { crops[2 * $0] } + [Int](repeating: 0, count: rest)
    let shape = [batch] + (0..<m).map { full[$0] - crops[2 * $0] - crops[2 * $0 + 1] } + remaining
    return [
      .tensor(
        try slice(uncropped, begin: begin, strides: [Int](repeating: 1, count: uncropped.rank), shape: shape, context))
    ]
  }

  /// `MirrorPad`: `REFLECT` mirrors without repeating the edge (at most size - 1 on a side),
  /// `SYMMETRIC` repeats it (at most size on a side).
  static func mirrorPad(_ context: OpContext) throws(InferenceError) -> [Value] {
    let x = try context.tensor(0)
    let paddings = try integers(try context.tensor(1), context)
    let mode = try context.string("mode")
    guard mode == "REFLECT" || mode == "SYMMETRIC" else {
      throw InferenceError(.invalidArgument, "\(context.location): mode must be REFLECT or SYMMETRIC, not \(mode)")
    }
    let reflect = mode == "REFLECT"
    guard paddings.count == 2 * x.rank else {
      throw InferenceError(.invalidArgument, "\(context.location): paddings \(paddings) do not fit rank \(x.rank)")
    }
    var shape: [Int] = []
    for axis in 0..<x.rank {
      let (before, after, size) = (paddings[2 * axis], paddings[2 * axis + 1], x.shape[axis])
      let most = reflect ? size - 1 : size
      guard before >= 0, after >= 0, before <= most, after <= most else {
        throw InferenceError(
          .invalidArgument,
          reflect
            ? "\(context.location): paddings must be less than the dimension size: \(before), \(after) not less than \(size)"
            : "\(context.location): paddings must be no greater than the dimension size: \(before), \(after) greater than \(size)"
        )
      }
      shape.append(size + before + after)
    }
    try context.checkOutput(shape, x.dtype)
    // Per axis, the source coordinate of each output coordinate.
    let maps = (0..<x.rank).map { axis -> [Int] in
      let (before, size) = (paddings[2 * axis], x.shape[axis])
      return (0..<shape[axis]).map { position in
        let i = position - before
        if i < 0 { return reflect ? -i : -i - 1 }
        if i >= size { return reflect ? 2 * size - 2 - i : 2 * size - 1 - i }
        return i
      }
    }
    let strides = self.strides(x.shape)
    let sources = allIndices(shape).map { coordinate in
      zip(coordinate.indices, coordinate).reduce(0) { $0 + maps[$1.0][$1.1] * strides[$1.0] }
    }
    return [.tensor(try Elements(x).gather(sources).tensor(shape, context))]
  }

  /// Constant padding by whole rows: the output is filled with the constant, then each
  /// innermost row of the input is copied to its place in one piece.
  static func pad(_ x: Tensor, before: [Int], after: [Int], constant: Tensor, _ context: OpContext)
    throws(InferenceError) -> Tensor
  {
    try context.run { try Rearrange.pad(x, before: before, after: after, constant: constant) }
  }

  /// `GatherV2` with `batch_dims` > 0: the first `batchDims` dimensions of `params` and
  /// `indices` are paired, and each batch gathers from its own slice of `params` along `axis`.
  /// The output is `params[..<axis] + indices[batchDims...] + params[(axis + 1)...]`.
  static func batchGather(
    _ params: Tensor, _ indices: [Int], _ indexShape: [Int], axis: Int, batchDims: Int, _ context: OpContext
  ) throws(InferenceError) -> Tensor {
    guard batchDims >= 0, batchDims <= indexShape.count, batchDims <= axis, axis < params.rank else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): batch_dims \(batchDims) must be in [0, \(indexShape.count)] and at most axis \(axis) < rank \(params.rank)"
      )
    }
    guard Array(params.shape[..<batchDims]) == Array(indexShape[..<batchDims]) else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): params \(Shape.format(params.shape)) and indices \(Shape.format(indexShape)) differ in their first \(batchDims) dimensions"
      )
    }
    let shape = Array(params.shape[..<axis]) + Array(indexShape[batchDims...]) + Array(params.shape[(axis + 1)...])
    try context.checkOutput(shape, params.dtype)
    let batches = Shape.elementCount(Array(params.shape[..<batchDims]))
    let outer = Shape.elementCount(Array(params.shape[batchDims..<axis]))
    let length = params.shape[axis]
    let inner = Shape.elementCount(Array(params.shape[(axis + 1)...]))
    let perBatch = Shape.elementCount(Array(indexShape[batchDims...]))
    if let bad = indices.first(where: { $0 < 0 || $0 >= length }) {
      throw InferenceError(.invalidArgument, "\(context.location): index \(bad) is not in [0, \(length))")
    }
    var sources: [Int] = []
    sources.reserveCapacity(Shape.elementCount(shape))
    for batch in 0..<batches {
      for o in 0..<outer {
        let row = (batch * outer + o) * length
        for j in 0..<perBatch {
          let start = (row + indices[batch * perBatch + j]) * inner
          for k in 0..<inner { sources.append(start + k) }
        }
      }
    }
    return try Elements(params).gather(sources).tensor(shape, context)
  }

  // MARK: - Helpers

  /// An integer tensor's values (int32 or int64) as `Int`s.
  static func integers(_ tensor: Tensor, _ context: OpContext) throws(InferenceError) -> [Int] {
    switch tensor.dtype {
    case .int32: return try context.run { try tensor.int32s().map(Int.init) }
    case .int64: return try context.run { try tensor.int64s().map(Int.init) }
    default:
      throw InferenceError(
        .invalidArgument, "\(context.location): expected an int32 or int64 tensor, got \(tensor.dtype)")
    }
  }

  static func integerTensor(_ values: [Int], type: DType, _ context: OpContext, scalar: Bool = false)
    throws(InferenceError) -> Tensor
  {
    let shape = scalar ? [] : [values.count]
    switch type {
    case .int64: return Tensor(int64: values.map(Int64.init), shape: shape)
    case .int32: return Tensor(int32: values.map { Int32(truncatingIfNeeded: $0) }, shape: shape)
    default:
      throw InferenceError(.invalidArgument, "\(context.location): the index type must be int32 or int64, not \(type)")
    }
  }

  /// `x` repeated `multiples[axis]` times along each axis (see `Rearrange.tile`, which checks the
  /// output against the limits first).
  static func tile(_ x: Tensor, _ multiples: [Int], _ context: OpContext) throws(InferenceError) -> Tensor {
    guard multiples.count == x.rank, multiples.allSatisfy({ $0 >= 0 }) else {
      throw InferenceError(.invalidArgument, "\(context.location): multiples \(multiples) do not fit rank \(x.rank)")
    }
    return try context.run { try Rearrange.tile(x, multiples: multiples) }
  }

  /// What one output tensor of a node costs besides its elements (the `Tensor`, its buffer's
  /// header and the allocator's minimum block), for ops whose number of outputs comes from input
  /// (`Split`'s `num_split`, `Unpack` of a long empty axis).
  static let outputOverhead = 128

  /// `Range`: `start`, `start + delta`, … up to but excluding `limit`, with TensorFlow's checks.
  ///
  /// The element count is computed before anything is allocated: exactly, in 64-bit magnitudes,
  /// for int32 and int64 (so `[-2^63, 2^63 - 1)` cannot overflow), and as
  /// `ceil(|(limit - start) / delta|)` for floating point, where a NaN or infinite bound is
  /// invalid and a tiny delta is a count past the limits, not a loop that never ends.
  static func range(_ context: OpContext) throws(InferenceError) -> [Value] {
    let (startTensor, limitTensor, deltaTensor) = (try context.tensor(0), try context.tensor(1), try context.tensor(2))
    for (name, tensor) in [("start", startTensor), ("limit", limitTensor), ("delta", deltaTensor)]
    where tensor.elementCount != 1 {
      throw InferenceError(
        .invalidArgument, "\(context.location): \(name) must be a scalar, not shape \(Shape.format(tensor.shape))")
    }
    let type = try context.dtype("Tidx", default: startTensor.dtype)
    if [.int32, .int64].contains(type),
      [startTensor, limitTensor, deltaTensor].allSatisfy({ [.int32, .int64].contains($0.dtype) })
    {
      let (start, limit, delta) = (
        try integers(startTensor, context)[0], try integers(limitTensor, context)[0],
        try integers(deltaTensor, context)[0]
      )
      try checkRange(
        start < limit, start > limit, delta: delta > 0 ? 1 : delta < 0 ? -1 : 0, "\(start)/\(limit)", context)
      // |limit - start| fits a UInt even when the difference overflows an Int.
      let span = delta > 0 ? UInt(bitPattern: limit &- start) : UInt(bitPattern: start &- limit)
      let (quotient, remainder) = span.quotientAndRemainder(dividingBy: delta.magnitude)
      let count = try rangeCount(
        quotient == UInt.max ? nil : quotient + (remainder == 0 ? 0 : 1), type, "\(start)", "\(limit)", "\(delta)",
        context)
      // Every value lies between start and limit, so wrapping arithmetic gives it exactly.
      if type == .int64 {
        return [.tensor(Tensor(int64: (0..<count).map { Int64(start &+ $0 &* delta) }, shape: [count]))]
      }
      return [
        .tensor(Tensor(int32: (0..<count).map { Int32(truncatingIfNeeded: start &+ $0 &* delta) }, shape: [count]))
      ]
    }
    let start = try Cast.applyChecked(startTensor, .float64, context)[0]
    let limit = try Cast.applyChecked(limitTensor, .float64, context)[0]
    let delta = try Cast.applyChecked(deltaTensor, .float64, context)[0]
    guard start.isFinite, limit.isFinite, !delta.isNaN else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): start \(start) and limit \(limit) must be finite, delta \(delta) a number")
    }
    try checkRange(
      start < limit, start > limit, delta: delta > 0 ? 1 : delta < 0 ? -1 : 0, "\(start)/\(limit)", context)
    let steps = ((limit - start) / delta).magnitude.rounded(.up)
    // A finite quotient can still exceed any Int (a delta of 1e-300); it is then too many.
    let count = try rangeCount(steps < 0x1p63 ? UInt(steps) : nil, type, "\(start)", "\(limit)", "\(delta)", context)
    let values = (0..<count).map { start + Double($0) * delta }
    switch type {
    case .float32: return [.tensor(Tensor(float32: values.map { Float($0) }, shape: [count]))]
    case .float64: return [.tensor(Tensor(float64: values, shape: [count]))]
    default: return [.tensor(try context.run { try Cast.apply(Tensor(float64: values, shape: [count]), to: type) })]
    }
  }

  /// TensorFlow's checks on `Range`'s arguments: a non-zero delta whose sign leads from start
  /// towards limit (or start equal to limit).
  private static func checkRange(
    _ ascending: Bool, _ descending: Bool, delta sign: Int, _ bounds: @autoclosure () -> String, _ context: OpContext
  ) throws(InferenceError) {
    guard sign != 0 else { throw InferenceError(.invalidArgument, "\(context.location): Requires delta != 0") }
    if sign > 0, descending {
      throw InferenceError(.invalidArgument, "\(context.location): Requires start <= limit when delta > 0: \(bounds())")
    }
    if sign < 0, ascending {
      throw InferenceError(.invalidArgument, "\(context.location): Requires start >= limit when delta < 0: \(bounds())")
    }
  }

  /// The element count of a `Range`, checked against the limits (nil: more than fits an Int).
  private static func rangeCount(
    _ count: UInt?, _ type: DType, _ start: String, _ limit: String, _ delta: String, _ context: OpContext
  ) throws(InferenceError) -> Int {
    guard let count, count <= UInt(Int.max) else {
      let error = LimitExceeded(
        "the range from \(start) to \(limit) by \(delta)", limit: "TENSOR_ELEMENTS", requested: nil,
        allowed: Limits.current.tensorElements)
      throw InferenceError(.resourceExhausted, "\(context.location): \(error.message)")
    }
    try context.checkOutput([Int(count)], type)
    return Int(count)
  }

  /// `OneHot`: `on_value` where the index equals the position along the new `depth` axis,
  /// `off_value` elsewhere (indices outside `0..<depth` give a row of `off_value`).
  static func oneHot(_ context: OpContext) throws(InferenceError) -> [Value] {
    let indexTensor = try context.tensor(0)
    let indices = try integers(indexTensor, context)
    let depthTensor = try context.tensor(1)
    guard depthTensor.elementCount == 1, let depth = try integers(depthTensor, context).first else {
      throw InferenceError(.invalidArgument, "\(context.location): depth must be a scalar")
    }
    guard depth >= 0 else {
      throw InferenceError(.invalidArgument, "\(context.location): depth must be non-negative, got: \(depth)")
    }
    let (on, off) = (try context.tensor(2), try context.tensor(3))
    guard on.elementCount == 1, off.elementCount == 1, on.dtype == off.dtype else {
      throw InferenceError(.invalidArgument, "\(context.location): on_value and off_value must be scalars of one dtype")
    }
    let rank = indexTensor.rank
    var axis = try context.int("axis", default: -1)
    guard axis >= -1, axis <= rank else {
      throw InferenceError(
        .invalidArgument, "\(context.location): axis must be -1 or between 0 and \(rank), got \(axis)")
    }
    if axis == -1 { axis = rank }
    var shape = indexTensor.shape
    shape.insert(depth, at: axis)
    try context.checkOutput(shape, on.dtype)
    let outer = Shape.elementCount(Array(indexTensor.shape[..<axis]))
    let inner = Shape.elementCount(Array(indexTensor.shape[axis...]))
    // One flag per output element, then one select between the two scalars.
    var flags = [Bool](repeating: false, count: Shape.elementCount(shape))
    for o in 0..<outer {
      for i in 0..<inner {
        let index = indices[o * inner + i]
        if index >= 0, index < depth { flags[(o * depth + index) * inner + i] = true }
      }
    }
    let mask = Tensor(bool: flags, shape: shape)
    let (onScalar, offScalar) = (
      try context.run { try on.reshaped(to: []) }, try context.run { try off.reshaped(to: []) }
    )
    return [.tensor(try context.run { try Select.applyV2(condition: mask, onScalar, offScalar) })]
  }

  static func strides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in shape.indices.reversed() {
      strides[axis] = running
      running *= shape[axis]
    }
    return strides
  }

  /// Every coordinate of `shape`, row-major.
  static func allIndices(_ shape: [Int]) -> [[Int]] {
    let count = shape.reduce(1, *)
    guard count > 0 else { return [] }
    var result: [[Int]] = []
    result.reserveCapacity(count)
    var position = [Int](repeating: 0, count: shape.count)
    for _ in 0..<count {
      result.append(position)
      var axis = shape.count - 1
      while axis >= 0 {
        position[axis] += 1
        if position[axis] < shape[axis] { break }
        position[axis] = 0
        axis -= 1
      }
    }
    return result
  }

  static func concatenate(_ tensors: [Tensor], axis: Int, _ context: OpContext) throws(InferenceError) -> Tensor {
    try context.run { try Rearrange.concatenate(tensors, axis: axis) }
  }

  /// `x` with its axes reordered: output axis i is input axis `permutation[i]`.
  static func permute(_ x: Tensor, _ permutation: [Int], _ context: OpContext) throws(InferenceError) -> Tensor {
    try context.run { try Rearrange.permute(x, permutation) }
  }

  /// Cuts `x` along `axis` into consecutive pieces of the given sizes.
  static func split(_ x: Tensor, axis: Int, sizes: [Int], _ context: OpContext) throws(InferenceError) -> [Tensor] {
    var start = 0
    var parts: [Tensor] = []
    for size in sizes {
      var begin = [Int](repeating: 0, count: x.rank)
      begin[axis] = start
      var shape = x.shape
      shape[axis] = size
      parts.append(try slice(x, begin: begin, strides: [Int](repeating: 1, count: x.rank), shape: shape, context))
      start += size
    }
    return parts
  }

  static func slice(_ x: Tensor, begin: [Int], strides step: [Int], shape: [Int], _ context: OpContext)
    throws(InferenceError) -> Tensor
  {
    try context.run { try Rearrange.slice(x, begin: begin, strides: step, shape: shape) }
  }

  /// `StridedSlice` with TensorFlow's Python slicing masks: begin, end, shrink-axis, ellipsis and
  /// new-axis. The sparse spec (one entry per slice item) is first expanded to one entry per input
  /// axis: an ellipsis covers the axes no other item names, a new axis inserts a 1 in the output
  /// shape, and axes past the spec are taken whole.
  static func stridedSlice(_ context: OpContext) throws(InferenceError) -> [Value] {
    let x = try context.tensor(0)
    let begin = try integers(try context.tensor(1), context)
    let end = try integers(try context.tensor(2), context)
    let step = try integers(try context.tensor(3), context)
    guard begin.count == end.count, begin.count == step.count else {
      throw InferenceError(.invalidArgument, "\(context.location): begin, end and strides differ in length")
    }
    func mask(_ name: String) throws(InferenceError) -> Int { try context.int(name, default: 0) }
    let (beginMask, endMask, shrinkMask) = (try mask("begin_mask"), try mask("end_mask"), try mask("shrink_axis_mask"))
    let (ellipsisMask, newAxisMask) = (try mask("ellipsis_mask"), try mask("new_axis_mask"))
    func bit(_ mask: Int, _ index: Int) -> Bool { mask & (1 << index) != 0 }

    // One item per input axis: (sparse index or nil for a whole axis), plus where new axes go.
    enum Item {
      case axis(Int?)
      case newAxis
    }
    var items: [Item] = []
    let named = (0..<begin.count).filter { !bit(ellipsisMask, $0) && !bit(newAxisMask, $0) }.count
    var sawEllipsis = false
    for index in 0..<begin.count {
      if bit(ellipsisMask, index) {
        guard !sawEllipsis else {
          throw InferenceError(.invalidArgument, "\(context.location): more than one ellipsis")
        }
        sawEllipsis = true
        items += [Item](repeating: .axis(nil), count: max(0, x.rank - named))
      } else if bit(newAxisMask, index) {
        items.append(.newAxis)
      } else {
        items.append(.axis(index))
      }
    }
    let consumed = items.filter { if case .axis = $0 { true } else { false } }.count
    guard consumed <= x.rank else {
      throw InferenceError(
        .invalidArgument, "\(context.location): \(consumed) slice items for a tensor of rank \(x.rank)")
    }
    items += [Item](repeating: .axis(nil), count: x.rank - consumed)

    var starts: [Int] = []
    var steps: [Int] = []
    var shape: [Int] = []
    var finalShape: [Int] = []
    var axis = 0
    for item in items {
      guard case .axis(let sparse) = item else {
        finalShape.append(1)
        continue
      }
      defer { axis += 1 }
      let size = x.shape[axis]
      guard let index = sparse else {
        starts.append(0)
        steps.append(1)
        shape.append(size)
        finalShape.append(size)
        continue
      }
      let stride = step[index]
      guard stride != 0 else { throw InferenceError(.invalidArgument, "\(context.location): stride 0") }
      func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int { min(max(value, low), high) }
      var start = begin[index] < 0 ? begin[index] + size : begin[index]
      var stop = end[index] < 0 ? end[index] + size : end[index]
      if bit(shrinkMask, index) {
        guard start >= 0, start < size else {
          throw InferenceError(.invalidArgument, "\(context.location): index \(begin[index]) out of range")
        }
        starts.append(start)
        steps.append(1)
        shape.append(1)
        continue
      }
      if stride > 0 {
        start = bit(beginMask, index) ? 0 : clamp(start, 0, size)
        stop = bit(endMask, index) ? size : clamp(stop, 0, size)
      } else {
        start = bit(beginMask, index) ? size - 1 : clamp(start, -1, size - 1)
        stop = bit(endMask, index) ? -1 : clamp(stop, -1, size - 1)
      }
      // In magnitudes: start and stop are clamped to the axis, but the stride is an input value
      // that may be as large as Int.max (or Int.min).
      let span = stride > 0 ? stop - start : start - stop
      let count = span <= 0 ? 0 : Int((UInt(span) - 1) / stride.magnitude) + 1
      starts.append(start)
      steps.append(stride)
      shape.append(count)
      finalShape.append(count)
    }
    let result = try slice(x, begin: starts, strides: steps, shape: shape, context)
    return [.tensor(try context.run { try result.reshaped(to: finalShape) })]
  }
}

/// A tensor's elements as bytes (or strings), for ops that only move them.
struct Elements {
  let dtype: DType
  let size: Int
  var bytes: [UInt8]
  var strings: [[UInt8]]

  init(_ tensor: Tensor) {
    dtype = tensor.dtype
    size = tensor.dtype.elementSize ?? 0
    // Optional by design: a string tensor has no raw bytes, any other no strings.
    bytes = (try? tensor.rawBytes()) ?? []
    strings = tensor.dtype == .string ? ((try? tensor.strings()) ?? []) : []
  }

  private init(dtype: DType, size: Int) {
    self.dtype = dtype
    self.size = size
    bytes = []
    strings = []
  }

  static func empty(like tensor: Tensor) -> Elements {
    Elements(dtype: tensor.dtype, size: tensor.dtype.elementSize ?? 0)
  }

  mutating func append(_ other: Elements, range: Range<Int>) {
    if dtype == .string {
      strings += other.strings[range]
    } else {
      bytes += other.bytes[(range.lowerBound * size)..<(range.upperBound * size)]
    }
  }

  /// Element `indices[i]` for each i; `-1` takes `fill`'s first element.
  func gather(_ indices: [Int], fill: Elements? = nil) -> Elements {
    var out = Elements(dtype: dtype, size: size)
    if dtype == .string {
      out.strings = indices.map { $0 >= 0 ? strings[$0] : (fill?.strings.first ?? []) }
      return out
    }
    out.bytes.reserveCapacity(indices.count * size)
    let padding = fill.map { Array($0.bytes.prefix(size)) } ?? [UInt8](repeating: 0, count: size)
    for index in indices {
      if index >= 0 {
        out.bytes.append(contentsOf: bytes[(index * size)..<((index + 1) * size)])
      } else {
        out.bytes.append(contentsOf: padding)
      }
    }
    return out
  }

  func tensor(_ shape: [Int], _ context: OpContext) throws(InferenceError) -> Tensor {
    if dtype == .string { return Tensor(strings: strings, shape: shape) }
    return try context.run { try Tensor(raw: bytes, dtype: dtype, shape: shape) }
  }
}

extension Cast {
  /// A tensor's values as doubles, for scalar arguments such as `Range`'s.
  static func applyChecked(_ tensor: Tensor, _ type: DType, _ context: OpContext) throws(InferenceError) -> [Double] {
    try context.run { try Cast.apply(tensor, to: .float64).doubles() }
  }
}
