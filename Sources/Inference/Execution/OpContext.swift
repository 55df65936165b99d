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

  /// "function: Op \"node\"", the prefix of every error a kernel reports.
  var where_: String { "\(graph.name): \(node.op) \"\(node.name)\"" }

  /// Input `index` as a tensor. A TF1 reference (from `VariableV2`) reads the variable, as
  /// TensorFlow dereferences refs for ops that take values.
  func tensor(_ index: Int) throws(InferenceError) -> Tensor {
    guard index < inputs.count else { throw InferenceError(.invalidArgument, "\(where_): missing input \(index)") }
    if case .resource(let key) = inputs[index] { return try runtime.variables.read(key, context: where_) }
    return try inputs[index].tensor(where_)
  }

  func resource(_ index: Int) throws(InferenceError) -> String {
    guard index < inputs.count else { throw InferenceError(.invalidArgument, "\(where_): missing input \(index)") }
    return try inputs[index].resource(where_)
  }

  func attribute(_ name: String) throws(InferenceError) -> Tensorflow_AttrValue {
    guard let value = node.attribute(name) else {
      throw InferenceError(.invalidArgument, "\(where_): missing attribute \"\(name)\"")
    }
    return value
  }

  func int(_ name: String) throws(InferenceError) -> Int { Int(try attribute(name).i) }
  func float(_ name: String) throws(InferenceError) -> Float { try attribute(name).f }
  func bool(_ name: String, default value: Bool = false) -> Bool { node.attribute(name)?.b ?? value }
  func string(_ name: String) throws(InferenceError) -> String { String(decoding: try attribute(name).s, as: UTF8.self) }
  func ints(_ name: String) throws(InferenceError) -> [Int] { try attribute(name).list.i.map { Int($0) } }

  func dtype(_ name: String) throws(InferenceError) -> DType {
    let raw = try attribute(name).type.rawValue
    guard let dtype = DType(rawValue: raw > 100 ? raw - 100 : raw) else {
      throw InferenceError(.unsupported, "\(where_): attribute \"\(name)\" has unsupported dtype \(raw)")
    }
    return dtype
  }

  /// Wraps a kernel error with the node it happened at.
  func run<T>(_ body: () throws -> T) throws(InferenceError) -> T {
    do {
      return try body()
    } catch let error as InferenceError {
      throw error
    } catch {
      throw InferenceError(.invalidArgument, "\(where_): \(error)")
    }
  }
}
