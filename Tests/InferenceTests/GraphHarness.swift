import Foundation
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// Builds a small graph node by node and runs it through the graph layer, with placeholders fed
/// by name, optional library functions, and an injectable asset reader.
struct GraphHarness {
  private(set) var nodes: [Tensorflow_NodeDef] = []
  var functions: [Tensorflow_FunctionDef] = []
  var readFile: AssetFiles.Reader = { path throws(InferenceError) in
    throw InferenceError(.invalidArgument, "cannot read \"\(path)\": no such file")
  }

  /// Adds a node; `inputs` use graph syntax (`node`, `node:1`, `^node`).
  mutating func add(
    _ name: String, _ op: String, _ inputs: [String] = [], _ attributes: [String: Tensorflow_AttrValue] = [:]
  ) {
    nodes.append(Self.node(name, op, inputs, attributes))
  }

  static func node(
    _ name: String, _ op: String, _ inputs: [String] = [], _ attributes: [String: Tensorflow_AttrValue] = [:]
  ) -> Tensorflow_NodeDef {
    var node = Tensorflow_NodeDef()
    node.name = name
    node.op = op
    node.input = inputs
    node.attr = attributes
    return node
  }

  /// Runs the graph for `targets` (node names) and returns each target's outputs. One runtime
  /// serves every call, so tables persist between them.
  func runtime() throws -> (Runtime, GraphFunction) {
    var graph = Tensorflow_GraphDef()
    graph.node = nodes
    graph.library.function = functions
    let signatures = OpSignatures(opList: .init(), library: graph.library)
    let function = try GraphFunction(graph: graph, signatures: signatures)
    var library: [String: GraphFunction] = [:]
    for definition in functions {
      library[definition.signature.name] = try GraphFunction(function: definition, signatures: signatures)
    }
    var registry = OpRegistry()
    OpCatalog.registerAll(into: &registry)
    let runtime = Runtime(functions: library, kernels: registry, readFile: readFile) { key throws(InferenceError) in
      throw InferenceError(.invalidArgument, "no checkpoint (\(key))")
    }
    return (runtime, function)
  }

  func run(_ targets: [String], feeds: [String: Tensor] = [:], on prepared: (Runtime, GraphFunction)? = nil) throws
    -> [[Tensor]]
  {
    let (runtime, function) = try prepared ?? self.runtime()
    var fed: [Int: [Value]] = [:]
    for (name, tensor) in feeds { fed[try #require(function.nodeIndex[name])] = [.tensor(tensor)] }
    let indices = try targets.map { try #require(function.nodeIndex[$0]) }
    let values = try runtime.evaluate(function, targets: indices, arguments: [], feeds: fed)
    return try indices.map { index in
      try (values[index] ?? []).compactMap { value in
        if case .resource = value { return nil }
        return try value.tensor("test")
      }
    }
  }

  /// Runs one op on literal inputs (fed to placeholders) and returns its outputs.
  static func run(_ op: String, _ inputs: [Tensor], _ attributes: [String: Tensorflow_AttrValue] = [:]) throws
    -> [Tensor]
  {
    var graph = GraphHarness()
    var feeds: [String: Tensor] = [:]
    for (index, tensor) in inputs.enumerated() {
      graph.add("input\(index)", "Placeholder")
      feeds["input\(index)"] = tensor
    }
    graph.add("op", op, inputs.indices.map { "input\($0)" }, attributes)
    return try graph.run(["op"], feeds: feeds)[0]
  }

  /// The message of the `InferenceError` running one op throws, or nil when it succeeds.
  static func failure(_ op: String, _ inputs: [Tensor], _ attributes: [String: Tensorflow_AttrValue] = [:])
    -> InferenceError?
  {
    do {
      _ = try run(op, inputs, attributes)
      return nil
    } catch let error as InferenceError {
      return error
    } catch {
      return InferenceError(.invalidArgument, "\(error)")
    }
  }

  static func attribute(_ type: Tensorflow_DataType) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.type = type
    return value
  }

  static func attribute(_ integer: Int) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.i = Int64(integer)
    return value
  }

  static func attribute(_ string: String) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.s = Data(string.utf8)
    return value
  }

  static func attribute(_ flag: Bool) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.b = flag
    return value
  }

  static func attribute(strings: [String]) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.list.s = strings.map { Data($0.utf8) }
    return value
  }

  static func attribute(function name: String) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.func.name = name
    return value
  }
}
