import TensorKernels

/// TensorFlow's stateless random ops, Philox only (the CPU's algorithm): the V2 forms
/// `tf.random.stateless_*` writes (a seed turned into a key and counter by
/// `StatelessRandomGetKeyCounter`, then `StatelessRandomUniformV2` and friends), the V1 forms that
/// take the seed directly, and `StatelessMultinomial` (`tf.random.stateless_categorical`). The
/// numbers are `StatelessRandom`'s (TensorKernels), bit for bit TensorFlow's; this reads the
/// inputs and checks them as TensorFlow's kernels do, in their words.
enum RandomOps {
  /// `Algorithm` ids (`rng_alg.h`): Philox, ThreeFry (TensorFlow has it only on GPUs and TPUs),
  /// and auto-select, which is Philox on a CPU.
  private static let philox = 1
  private static let threeFry = 2
  private static let autoSelect = 3

  static func register(into registry: inout OpRegistry) {
    registry.register("StatelessRandomGetKeyCounter") { context throws(InferenceError) in
      let generator = try seeded(context, input: 0)
      return keyCounter(generator)
    }
    registry.register("StatelessRandomGetKeyCounterAlg") { context throws(InferenceError) in
      let generator = try seeded(context, input: 0)
      return keyCounter(generator) + [.tensor(Tensor(int32: [Int32(philox)], shape: []))]
    }
    registry.register("StatelessRandomGetAlg") { _ throws(InferenceError) in
      [.tensor(Tensor(int32: [Int32(philox)], shape: []))]
    }
    let distributions: [(String, StatelessRandom.Distribution)] = [
      ("StatelessRandomUniform", .uniform), ("StatelessRandomNormal", .normal),
      ("StatelessTruncatedNormal", .truncatedNormal),
    ]
    for (name, distribution) in distributions {
      registry.register(name) { context throws(InferenceError) in
        let (shape, dtype) = (try outputShape(context), try context.dtype("dtype", default: .float32))
        let generator = try seeded(context, input: 1)
        return [.tensor(try sample(distribution, dtype, shape, generator, context))]
      }
      registry.register(name + "V2") { context throws(InferenceError) in
        let (shape, dtype) = (try outputShape(context), try context.dtype("dtype", default: .float32))
        let generator = try keyed(context)
        return [.tensor(try sample(distribution, dtype, shape, generator, context))]
      }
    }
    registry.register("StatelessRandomUniformInt") { context throws(InferenceError) in
      let shape = try outputShape(context)
      let generator = try seeded(context, input: 1)
      return [.tensor(try uniformInt(context, shape, generator, bounds: 2))]
    }
    registry.register("StatelessRandomUniformIntV2") { context throws(InferenceError) in
      let shape = try outputShape(context)
      let generator = try keyed(context)
      return [.tensor(try uniformInt(context, shape, generator, bounds: 4))]
    }
    registry.register("StatelessRandomUniformFullInt") { context throws(InferenceError) in
      let (shape, dtype) = (try outputShape(context), try context.dtype("dtype", default: .uint64))
      let generator = try seeded(context, input: 1)
      return [
        .tensor(
          try context.run {
            try StatelessRandom.uniformFullInt(dtype: dtype, shape: shape, generator: generator, op: context.node.op)
          })
      ]
    }
    registry.register("StatelessRandomUniformFullIntV2") { context throws(InferenceError) in
      let (shape, dtype) = (try outputShape(context), try context.dtype("dtype", default: .uint64))
      let generator = try keyed(context)
      return [
        .tensor(
          try context.run {
            try StatelessRandom.uniformFullInt(dtype: dtype, shape: shape, generator: generator, op: context.node.op)
          })
      ]
    }
    registry.register("StatelessMultinomial") { context throws(InferenceError) in
      [.tensor(try multinomial(context))]
    }
  }

  /// `StatelessMultinomial`: logits [batch, classes], a scalar sample count, a seed.
  static func multinomial(_ context: OpContext) throws(InferenceError) -> Tensor {
    let (logits, count) = (try context.tensor(0), try context.tensor(1))
    try require(
      count.rank == 0, "num_samples should be a scalar, got shape \(format(count.shape))", context)
    let samples = try ArrayOps.integers(count, context)[0]
    let outputType = try context.dtype("output_dtype", default: .int64)
    let generator = try seeded(context, input: 2)
    return try context.run {
      try StatelessRandom.multinomial(
        logits: logits, samples: samples, outputType: outputType, generator: generator, op: context.node.op)
    }
  }

  // MARK: - Inputs

  /// The `shape` input (`MakeShape`): a vector of int32 or int64, no negative dimension, within
  /// the limits once multiplied out.
  private static func outputShape(_ context: OpContext) throws(InferenceError) -> [Int] {
    let tensor = try context.tensor(0)
    guard tensor.rank == 1, tensor.dtype == .int32 || tensor.dtype == .int64 else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): shape must be a vector of {int32,int64}, got shape \(format(tensor.shape))")
    }
    let shape = try ArrayOps.integers(tensor, context)
    if let negative = shape.first(where: { $0 < 0 }) {
      throw InferenceError(.invalidArgument, "\(context.location): Dimension \(negative) must be >= 0")
    }
    return shape
  }

  /// The generator a `seed` input of shape [2] (int32 or int64) gives.
  private static func seeded(_ context: OpContext, input: Int) throws(InferenceError) -> Philox {
    let seed = try context.tensor(input)
    try require(seed.shape == [2], "seed must have shape [2], not \(format(seed.shape))", context)
    let seeds: [UInt64]
    switch seed.dtype {
    case .int32: seeds = try context.run { try seed.int32s().map { UInt64(bitPattern: Int64($0)) } }
    case .int64: seeds = try context.run { try seed.int64s().map { UInt64(bitPattern: $0) } }
    default:
      throw InferenceError(.invalidArgument, "\(context.location): Invalid seed type: \(seed.dtype.tensorFlowName)")
    }
    return Philox(seed0: seeds[0], seed1: seeds[1])
  }

  /// The generator the V2 ops' `key`, `counter` and `alg` inputs (1, 2, 3) give
  /// (`GetKeyCounterAlgFromInputs`): the shapes are checked against the algorithm's counter
  /// size before the algorithm itself, as TensorFlow does.
  private static func keyed(_ context: OpContext) throws(InferenceError) -> Philox {
    let (key, counter, algorithm) = (try context.tensor(1), try context.tensor(2), try context.tensor(3))
    try require(
      algorithm.rank == 0, "input 3 (0-based) must have shape [], not \(format(algorithm.shape))", context)
    try require(
      algorithm.dtype == .int32, "dtype of input 3 (0-based) must be int32, not \(algorithm.dtype)", context)
    var id = Int(try context.run { try algorithm.int32s()[0] })
    if id == autoSelect { id = philox }
    try require(
      key.shape == [1],
      "key must have shape [1], not \(format(key.shape)). (Note that batched keys are not supported yet.)",
      context)
    // TensorFlow's counter sizes by algorithm; other ids are not checked before being refused.
    let counterSize = [philox: 2, threeFry: 1, 4: 4][id] ?? 0
    try require(
      counter.rank == 1 && counter.shape[0] >= counterSize,
      "counter must be a vector with length at least \(counterSize); got shape: \(format(counter.shape))."
        + " (Note that batched counters are not supported yet.)", context)
    try require(id == philox, "Unsupported algorithm id: \(id)", context)
    let keyWord = try context.run { try key.uint64s()[0] }
    let words = try context.run { try counter.uint64s() }
    return Philox(key: keyWord, counter: (words[0], words[1]))
  }

  private static func keyCounter(_ generator: Philox) -> [Value] {
    [
      .tensor(Tensor(uint64: [generator.keyWord], shape: [1])),
      .tensor(Tensor(uint64: generator.counterWords, shape: [2])),
    ]
  }

  private static func sample(
    _ distribution: StatelessRandom.Distribution, _ dtype: DType, _ shape: [Int], _ generator: Philox,
    _ context: OpContext
  ) throws(InferenceError) -> Tensor {
    try context.checkOutput(shape, dtype)
    return try context.run {
      try StatelessRandom.sample(distribution, dtype: dtype, shape: shape, generator: generator, op: context.node.op)
    }
  }

  /// The uniform integer ops: scalar `minval` and `maxval` at `bounds` and `bounds + 1`.
  private static func uniformInt(_ context: OpContext, _ shape: [Int], _ generator: Philox, bounds: Int)
    throws(InferenceError) -> Tensor
  {
    let dtype = try context.dtype("dtype")
    let (low, high) = (try context.tensor(bounds), try context.tensor(bounds + 1))
    try require(low.rank == 0, "minval must be 0-D, got shape \(format(low.shape))", context)
    try require(high.rank == 0, "maxval must be 0-D, got shape \(format(high.shape))", context)
    let minval = try ArrayOps.integers(low, context)[0]
    let maxval = try ArrayOps.integers(high, context)[0]
    try context.checkOutput(shape, dtype)
    return try context.run {
      try StatelessRandom.uniformInt(
        dtype: dtype, shape: shape, minval: Int64(minval), maxval: Int64(maxval), generator: generator,
        op: context.node.op)
    }
  }

  /// `TensorShape::DebugString`: `[1,2]`.
  private static func format(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ",") + "]"
  }

  private static func require(_ condition: Bool, _ message: @autoclosure () -> String, _ context: OpContext)
    throws(InferenceError)
  {
    guard condition else { throw InferenceError(.invalidArgument, "\(context.location): \(message())") }
  }
}
