import TensorKernels

/// Parsing serialized `tf.Example` protos: `ParseExampleV2` (what `tf.io.parse_example` writes,
/// and so TensorFlow Serving's classify and regress signatures), `ParseExample` (its TF1 form)
/// and `ParseSingleExample`. The kernel is `ExampleParsing` (TensorKernels); this reads the
/// attributes and inputs, checks them as TensorFlow's `ParseExampleOp` does, in its words, and
/// lays the results out as the op's outputs: sparse indices, sparse values, sparse shapes,
/// dense values, then (V2) ragged values and ragged row splits.
enum ExampleParsingOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("ParseExampleV2") { context throws(InferenceError) in
      try parseExampleV2(context)
    }
    registry.register("ParseExample") { context throws(InferenceError) in
      try parseExampleV1(context)
    }
    registry.register("ParseSingleExample") { context throws(InferenceError) in
      try parseSingleExample(context)
    }
  }

  /// Corresponds to the TensorFlow op `ParseExampleV2`: keys as string tensors, a scalar input
  /// parsed as one example (no batch dimension), ragged features.
  static func parseExampleV2(_ context: OpContext) throws(InferenceError) -> [Value] {
    let denseTypes = try context.dtypes("Tdense")
    let sparseCount = try context.int("num_sparse")
    let sparseTypes = try context.dtypes("sparse_types")
    let raggedTypes = try context.dtypes("ragged_value_types")
    let splitTypes = try context.dtypes("ragged_split_types")
    let shapes = try denseShapes(context, count: denseTypes.count)
    try require(sparseCount == sparseTypes.count, "len(sparse_keys) != len(sparse_types)", context)
    try require(raggedTypes.count == splitTypes.count, "len(ragged_split_types) != len(ragged_value_types)", context)

    let serialized = try context.tensor(0)
    try require(
      serialized.rank <= 1, "Expected serialized to be a scalar or vector, got shape: \(format(serialized.shape))",
      context)
    let names = try checkedNames(context, serialized: serialized)
    let sparseKeys = try context.strings(2)
    let denseKeys = try context.strings(3)
    let raggedKeys = try context.strings(4)
    try require(
      denseKeys.count == denseTypes.count,
      "Expected len(dense_keys) == len(dense_types) but got: \(denseKeys.count) vs. \(denseTypes.count)", context)
    try require(
      sparseKeys.count == sparseCount,
      "Expected len(sparse_keys) == num_sparse but got: \(sparseKeys.count) vs. \(sparseCount)", context)
    try require(
      raggedKeys.count == raggedTypes.count,
      "Expected len(ragged_keys) == len(ragged_value_types) but got: \(raggedKeys.count) vs. \(raggedTypes.count)",
      context)
    let defaults = try denseDefaults(context, from: 5, count: denseTypes.count)
    let configuration = ExampleParsing.Configuration(
      dense: dense(denseKeys, denseTypes, shapes, defaults),
      sparse: zip(sparseKeys, sparseTypes).map { ExampleParsing.ListFeature(key: $0, dtype: $1) },
      ragged: zip(raggedKeys, zip(raggedTypes, splitTypes)).map {
        ExampleParsing.ListFeature(key: $0, dtype: $1.0, splitsDType: $1.1)
      })
    let result = try parse(context, serialized, names: names, configuration)
    return outputs(result) + (result.raggedValues + result.raggedRowSplits).map { .tensor($0) }
  }

  /// Corresponds to the TensorFlow op `ParseExample`: keys as lists of scalar inputs, a vector
  /// input only, no ragged features.
  static func parseExampleV1(_ context: OpContext) throws(InferenceError) -> [Value] {
    let denseTypes = try context.dtypes("Tdense")
    let sparseTypes = try context.dtypes("sparse_types")
    let sparseCount = try context.int("Nsparse")
    let denseCount = try context.int("Ndense")
    let shapes = try denseShapes(context, count: nil)
    try require(sparseCount == sparseTypes.count, "len(sparse_keys) != len(sparse_types)", context)
    try require(denseCount == denseTypes.count, "len(dense_keys) != len(dense_types)", context)
    try require(denseCount == shapes.count, "len(dense_keys) != len(dense_shapes)", context)

    let serialized = try context.tensor(0)
    try require(
      serialized.rank == 1, "Expected serialized to be a vector, got shape: \(format(serialized.shape))", context)
    let names = try checkedNames(context, serialized: serialized)
    let sparseKeys = try scalarKeys(context, from: 2, count: sparseCount)
    let denseKeys = try scalarKeys(context, from: 2 + sparseCount, count: denseCount)
    let defaults = try denseDefaults(context, from: 2 + sparseCount + denseCount, count: denseCount)
    let configuration = ExampleParsing.Configuration(
      dense: dense(denseKeys, denseTypes, shapes, defaults),
      sparse: zip(sparseKeys, sparseTypes).map { ExampleParsing.ListFeature(key: $0, dtype: $1) })
    return outputs(try parse(context, serialized, names: names, configuration))
  }

  /// Corresponds to the TensorFlow op `ParseSingleExample`: one scalar Example, keys as
  /// attributes.
  static func parseSingleExample(_ context: OpContext) throws(InferenceError) -> [Value] {
    let sparseKeys = try context.stringList("sparse_keys").map { Array($0.utf8) }
    let denseKeys = try context.stringList("dense_keys").map { Array($0.utf8) }
    let sparseTypes = try context.dtypes("sparse_types")
    let denseTypes = try context.dtypes("Tdense")
    let sparseCount = try context.int("num_sparse", default: sparseKeys.count)
    let shapes = try denseShapes(context, count: nil)
    try require(
      sparseKeys.count == sparseTypes.count && sparseCount == sparseKeys.count, "len(sparse_keys) != len(sparse_types)",
      context)
    try require(denseKeys.count == denseTypes.count, "len(dense_keys) != len(dense_types)", context)
    try require(denseKeys.count == shapes.count, "len(dense_keys) != len(dense_shapes)", context)

    let serialized = try context.tensor(0)
    try require(
      serialized.rank == 0, "Expected serialized to be a scalar, got shape: \(format(serialized.shape))", context)
    let defaults = try denseDefaults(context, from: 1, count: denseKeys.count)
    let configuration = ExampleParsing.Configuration(
      dense: dense(denseKeys, denseTypes, shapes, defaults),
      sparse: zip(sparseKeys, sparseTypes).map { ExampleParsing.ListFeature(key: $0, dtype: $1) })
    return outputs(try parse(context, serialized, names: [], configuration))
  }

  // MARK: - Shared

  /// `dense_shapes`, each of known rank (TensorFlow's `GetDenseShapes`).
  private static func denseShapes(_ context: OpContext, count: Int?) throws(InferenceError) -> [[Int]] {
    let shapes = try context.shapes("dense_shapes")
    if let count {
      try require(count == shapes.count, "len(dense_keys) != len(dense_shapes)", context)
    }
    var known: [[Int]] = []
    for (index, shape) in shapes.enumerated() {
      guard let shape else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): dense_shapes[\(index)] has unknown rank or unknown inner dimensions: <unknown>")
      }
      known.append(shape)
    }
    return known
  }

  /// The `names` input: empty, or one name per serialized example.
  private static func checkedNames(_ context: OpContext, serialized: Tensor) throws(InferenceError) -> [[UInt8]] {
    let names = try context.tensor(1)
    try require(
      names.elementCount == 0 || names.shape == serialized.shape,
      "Expected names have the same shape as serialized: name.shape=\(format(names.shape)), serialized.shape="
        + format(serialized.shape), context)
    return try context.strings(1)
  }

  /// V1's keys: `count` scalar string inputs from `start`.
  private static func scalarKeys(_ context: OpContext, from start: Int, count: Int) throws(InferenceError)
    -> [[UInt8]]
  {
    var keys: [[UInt8]] = []
    for index in start..<(start + count) {
      let key = try context.tensor(index)
      try require(key.rank == 0, "keys must be scalars, got shape: \(format(key.shape))", context)
      keys += try context.strings(index)
    }
    return keys
  }

  /// The `dense_defaults` inputs, one per dense key, from input `start` to the last.
  private static func denseDefaults(_ context: OpContext, from start: Int, count: Int) throws(InferenceError)
    -> [Tensor]
  {
    let given = max(0, context.inputs.count - start)
    try require(
      given == count, "Expected len(dense_defaults) == len(dense_keys) but got: \(given) vs. \(count)", context)
    var defaults: [Tensor] = []
    for index in start..<(start + count) { defaults.append(try context.tensor(index)) }
    return defaults
  }

  private static func dense(_ keys: [[UInt8]], _ types: [DType], _ shapes: [[Int]], _ defaults: [Tensor])
    -> [ExampleParsing.DenseFeature]
  {
    keys.indices.map {
      ExampleParsing.DenseFeature(key: keys[$0], dtype: types[$0], shape: shapes[$0], defaultValue: defaults[$0])
    }
  }

  /// Runs the batch parse for a vector, the single-example parse for a scalar.
  private static func parse(
    _ context: OpContext, _ serialized: Tensor, names: [[UInt8]], _ configuration: ExampleParsing.Configuration
  ) throws(InferenceError) -> ExampleParsing.Result {
    let examples = try context.strings(0)
    do {
      if serialized.rank == 0 {
        return try ExampleParsing.parseSingle(examples[0], configuration, op: context.node.op)
      }
      return try ExampleParsing.parse(examples, names: names, configuration, op: context.node.op)
    } catch .invalidArgument(_, let reason) {
      throw InferenceError(.invalidArgument, "\(context.location): \(reason)")
    } catch .limitExceeded(_, let limit) {
      throw InferenceError(.resourceExhausted, "\(context.location): \(limit.message)")
    } catch {
      throw InferenceError(.invalidArgument, "\(context.location): \(error)")
    }
  }

  /// Sparse indices, values and shapes, then dense values.
  private static func outputs(_ result: ExampleParsing.Result) -> [Value] {
    (result.sparseIndices + result.sparseValues + result.sparseShapes + result.denseValues).map { .tensor($0) }
  }

  private static func require(_ condition: Bool, _ message: @autoclosure () -> String, _ context: OpContext)
    throws(InferenceError)
  {
    guard condition else { throw InferenceError(.invalidArgument, "\(context.location): \(message())") }
  }

  /// `TensorShape::DebugString`.
  private static func format(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ",") + "]"
  }
}
