import RegistryCore
import TFProto
import TensorKernels

/// What a kernel sees: its node (attributes completed with defaults), its input values, and the
/// runtime (variables, functions, checkpoint).
struct OpContext {
  let node: GraphFunction.Node
  let inputs: [Value]
  let runtime: Runtime
  /// The function (or top-level graph) the node belongs to.
  let graph: GraphFunction
  /// The functions called to reach this node, outermost first (see `Runtime.call`).
  let callChain: [String]

  /// "function: Op \"node\"", the prefix of every error a kernel reports.
  var location: String { "\(graph.name): \(node.op) \"\(node.name)\"" }

  /// Input `index` as a tensor. A TF1 reference (from `VariableV2`) reads the variable, as
  /// TensorFlow dereferences refs for ops that take values.
  func tensor(_ index: Int) throws(InferenceError) -> Tensor {
    guard index < inputs.count else { throw InferenceError(.invalidArgument, "\(location): missing input \(index)") }
    if case .resource(let key) = inputs[index] { return try runtime.variables.read(key, context: location) }
    return try inputs[index].tensor(location)
  }

  func resource(_ index: Int) throws(InferenceError) -> String {
    guard index < inputs.count else { throw InferenceError(.invalidArgument, "\(location): missing input \(index)") }
    return try inputs[index].resource(location)
  }

  // MARK: - Attributes
  //
  // Each getter reads one kind of value. An attribute the node lacks is an error, or the
  // default where the getter takes one (TensorFlow's OpDef default, or the kernel's when a
  // stripped graph has no OpDef to complete it from); an attribute holding another kind of value
  // is always an error naming the node and the attribute, never a zero or the default.

  func int(_ name: String) throws(InferenceError) -> Int { try required(name, "an int", \.intValue) }
  func int(_ name: String, default value: Int) throws(InferenceError) -> Int {
    try optional(name, "an int", \.intValue) ?? value
  }

  func float(_ name: String) throws(InferenceError) -> Float { try required(name, "a float", \.floatValue) }
  func float(_ name: String, default value: Float) throws(InferenceError) -> Float {
    try optional(name, "a float", \.floatValue) ?? value
  }

  func bool(_ name: String, default value: Bool = false) throws(InferenceError) -> Bool {
    try optional(name, "a bool", \.boolValue) ?? value
  }

  func string(_ name: String) throws(InferenceError) -> String { try required(name, "a string", \.stringValue) }
  func string(_ name: String, default value: String) throws(InferenceError) -> String {
    try optional(name, "a string", \.stringValue) ?? value
  }

  func ints(_ name: String) throws(InferenceError) -> [Int] { try required(name, "a list of ints", \.intList) }
  func ints(_ name: String, default value: [Int]) throws(InferenceError) -> [Int] {
    try optional(name, "a list of ints", \.intList) ?? value
  }

  func floats(_ name: String, default value: [Float]) throws(InferenceError) -> [Float] {
    try optional(name, "a list of floats", \.floatList) ?? value
  }

  /// A `list(string)` attribute.
  func stringList(_ name: String) throws(InferenceError) -> [String] {
    try required(name, "a list of strings", \.stringList)
  }

  /// A `func` attribute: the name of the function it binds.
  func function(_ name: String) throws(InferenceError) -> String { try required(name, "a function", \.functionName) }

  /// A `list(func)` attribute: the names of the functions.
  func functions(_ name: String) throws(InferenceError) -> [String] {
    try required(name, "a list of functions", \.functionList)
  }

  /// A `tensor` attribute, undecoded.
  func tensorProto(_ name: String) throws(InferenceError) -> Tensorflow_TensorProto {
    try required(name, "a tensor", \.tensorValue)
  }

  /// A `type` attribute. Reference dtypes (TF1's `DT_FLOAT_REF`, …) read as their value dtype.
  func dtype(_ name: String) throws(InferenceError) -> DType {
    try dtype(name, try required(name, "a dtype", \.typeValue))
  }

  func dtype(_ name: String, default value: DType) throws(InferenceError) -> DType {
    guard let type = try optional(name, "a dtype", \.typeValue) else { return value }
    return try dtype(name, type)
  }

  /// A `list(type)` attribute.
  func dtypes(_ name: String) throws(InferenceError) -> [DType] {
    try required(name, "a list of dtypes", \.typeList).map { type throws(InferenceError) in try dtype(name, type) }
  }

  /// A `list(shape)` attribute: each shape's dimensions, -1 where one is unknown, nil for an
  /// unknown rank.
  func shapes(_ name: String) throws(InferenceError) -> [[Int]?] {
    try required(name, "a list of shapes", \.shapeList).map { shape in
      shape.unknownRank ? nil : shape.dim.map { Int($0.size) }
    }
  }

  private func dtype(_ name: String, _ type: Tensorflow_DataType) throws(InferenceError) -> DType {
    let raw = type.rawValue
    guard let dtype = DType(rawValue: raw > 100 ? raw - 100 : raw) else {
      throw InferenceError(.unsupported, "\(location): attribute \"\(name)\" has unsupported dtype \(raw)")
    }
    return dtype
  }

  /// The attribute as the kind `read` extracts, nil when the node lacks it.
  ///
  /// - Throws: `invalidArgument` when the node has it with another kind of value.
  private func optional<T>(
    _ name: String, _ kind: String, _ read: (Tensorflow_AttrValue) -> T?
  ) throws(InferenceError) -> T? {
    guard let attribute = node.attribute(name) else { return nil }
    guard let value = read(attribute) else {
      throw InferenceError(
        .invalidArgument, "\(location): attribute \"\(name)\" must be \(kind), but it is \(attribute.kindDescription)")
    }
    return value
  }

  private func required<T>(
    _ name: String, _ kind: String, _ read: (Tensorflow_AttrValue) -> T?
  ) throws(InferenceError) -> T {
    guard let value = try optional(name, kind, read) else {
      throw InferenceError(.invalidArgument, "\(location): missing attribute \"\(name)\"")
    }
    return value
  }

  /// Wraps a kernel error with the node it happened at: a size past the limits is
  /// `resourceExhausted`, anything else the kernel refused `invalidArgument`.
  func run<T>(_ body: () throws -> T) throws(InferenceError) -> T {
    do {
      return try body()
    } catch let error as InferenceError {
      throw error
    } catch TensorError.limitExceeded(_, let limit) {
      throw InferenceError(.resourceExhausted, "\(location): \(limit.message)")
    } catch {
      throw InferenceError(.invalidArgument, "\(location): \(error)")
    }
  }

  // MARK: - Sizes from input

  /// Checks that an output of `shape` and `dtype` fits `Limits.current` before the kernel
  /// allocates it (see `Shape.checkAllocation`): `invalidArgument` for a negative dimension,
  /// `resourceExhausted` for a size past the limits, both naming this node.
  func checkOutput(_ shape: [Int], _ dtype: DType) throws(InferenceError) {
    try run { try Shape.checkAllocation(shape, dtype: dtype, op: node.op) }
  }

  /// Checks that `count` items of `size` bytes each (a list, an index table, a number of
  /// outputs) fit the tensor limits before the kernel allocates them.
  func checkCount(_ count: Int, of what: @autoclosure () -> String, size: Int) throws(InferenceError) {
    guard count >= 0 else { throw InferenceError(.invalidArgument, "\(location): \(what()) \(count) is negative") }
    do {
      _ = try Limits.current.checkTensor("\(count) \(what())", shape: [count], elementSize: size)
    } catch {
      throw InferenceError(.resourceExhausted, "\(location): \(error.message)")
    }
  }

  /// Checks that `bytes` of string content fit the tensor byte limit before the kernel writes
  /// them.
  func checkStringBytes(_ bytes: Int64?, of what: @autoclosure () -> String) throws(InferenceError) {
    let allowed = Limits.current.tensorBytes
    guard let bytes, bytes <= allowed else {
      let error = LimitExceeded(what(), limit: "TENSOR_BYTES", requested: bytes, allowed: allowed)
      throw InferenceError(.resourceExhausted, "\(location): \(error.message)")
    }
  }
}
