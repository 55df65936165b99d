import RegistryCore
import TFProto
import TensorKernels

/// A graph ready to run: the top-level GraphDef or one FunctionDef body, with every input
/// resolved to a node index and output index (or a function argument), and attributes completed
/// with their OpDef defaults.
///
/// A class, not a struct: every op's context refers to its function, and copying a struct of six
/// arrays and dictionaries per op (a retain each) was a fifth of a small recurrent model's time.
final class GraphFunction: Sendable {
  enum Input: Hashable, Sendable {
    case node(Int, output: Int)
    case argument(Int)
  }

  /// A class for the same reason as `GraphFunction`: each op's context holds its node.
  final class Node: Sendable {
    let name: String
    let op: String
    let inputs: [Input]
    let controlInputs: [Int]
    let attributes: [String: Tensorflow_AttrValue]
    /// A `Const` node's value, decoded once at import instead of on every call (loop bodies run
    /// their constants once per iteration); `nil` when it does not decode, so the kernel reports
    /// why when it runs.
    let constant: Tensor?

    init(
      name: String, op: String, inputs: [Input], controlInputs: [Int], attributes: [String: Tensorflow_AttrValue],
      constant: Tensor?
    ) {
      self.name = name
      self.op = op
      self.inputs = inputs
      self.controlInputs = controlInputs
      self.attributes = attributes
      self.constant = constant
    }

    func attribute(_ name: String) -> Tensorflow_AttrValue? { attributes[name] }
  }

  let name: String
  let nodes: [Node]
  let nodeIndex: [String: Int]
  /// Input argument names (functions only).
  let arguments: [String]
  /// Output argument names and where their values come from (functions only).
  let outputs: [(name: String, source: Input)]
  /// Nodes that must run whenever the function runs (`control_ret`).
  let controlOutputs: [Int]

  /// Resolves the top-level graph.
  ///
  /// - Parameter limits: the limits to import under (`Limits.current`, or smaller in tests).
  convenience init(graph: Tensorflow_GraphDef, signatures: OpSignatures, limits: Limits = .current)
    throws(InferenceError)
  {
    try self.init(
      name: "graph", nodeDefs: graph.node, arguments: [], rets: [:], outputArguments: [], controlRets: [:],
      inFunction: false, signatures: signatures, limits: limits)
  }

  /// Resolves a function body.
  convenience init(function: Tensorflow_FunctionDef, signatures: OpSignatures, limits: Limits = .current)
    throws(InferenceError)
  {
    try self.init(
      name: function.signature.name, nodeDefs: function.nodeDef, arguments: function.signature.inputArg.map(\.name),
      rets: function.ret, outputArguments: function.signature.outputArg.map(\.name), controlRets: function.controlRet,
      inFunction: true, signatures: signatures, limits: limits)
  }

  /// - Complexity: O(nodes + inputs): every input is parsed and resolved once, by dictionary.
  private init(
    name: String, nodeDefs: [Tensorflow_NodeDef], arguments: [String], rets: [String: String],
    outputArguments: [String],
    controlRets: [String: String], inFunction: Bool, signatures: OpSignatures, limits: Limits
  ) throws(InferenceError) {
    self.name = name
    self.arguments = arguments
    let limit = limits.graphNodes
    guard Int64(nodeDefs.count) <= limit else {
      let error = LimitExceeded(
        "\(name), a graph of \(nodeDefs.count) nodes,", limit: "GRAPH_NODES", requested: Int64(nodeDefs.count),
        allowed: limit)
      throw InferenceError(.resourceExhausted, error.message)
    }
    var index: [String: Int] = [:]
    index.reserveCapacity(nodeDefs.count)
    for (position, node) in nodeDefs.enumerated() {
      guard index[node.name] == nil else {
        throw InferenceError(.invalidArgument, "\(name): node \"\(node.name)\" appears twice")
      }
      index[node.name] = position
    }
    let argumentIndex = Dictionary(uniqueKeysWithValues: arguments.enumerated().map { ($1, $0) })

    func completed(_ node: Tensorflow_NodeDef) -> [String: Tensorflow_AttrValue] {
      var attributes = signatures.defaultAttributes(of: node.op)
      for (key, value) in node.attr { attributes[key] = value }
      return attributes
    }
    let attributes = nodeDefs.map(completed)

    func resolve(_ endpoint: Endpoint, context: String) throws(InferenceError) -> Input {
      switch endpoint {
      case .functionArgument(let argument):
        if let position = argumentIndex[argument] { return .argument(position) }
        // A bare name can also be a node's first output in some producers.
        if let node = index[argument] { return .node(node, output: 0) }
        throw InferenceError(
          .invalidArgument, "\(name): \(context) reads \"\(argument)\", which is neither an argument nor a node")
      case .output(let node, let output):
        guard let position = index[node] else {
          throw InferenceError(.invalidArgument, "\(name): \(context) reads missing node \"\(node)\"")
        }
        return .node(position, output: output)
      case .argumentOutput(let node, let argument, let element):
        guard let position = index[node] else {
          throw InferenceError(.invalidArgument, "\(name): \(context) reads missing node \"\(node)\"")
        }
        let flat = try signatures.flatIndex(
          op: nodeDefs[position].op, attributes: attributes[position], argument: argument, index: element,
          node: "\(name): node \"\(node)\"")
        return .node(position, output: flat)
      case .control(let node):
        throw InferenceError(.invalidArgument, "\(name): \(context) uses control input ^\(node) as data")
      }
    }

    var nodes: [Node] = []
    for (position, node) in nodeDefs.enumerated() {
      var inputs: [Input] = []
      var controls: [Int] = []
      for text in node.input {
        let endpoint = try Endpoint.parse(text, inFunction: inFunction)
        if case .control(let source) = endpoint {
          guard let sourceIndex = index[source] else {
            throw InferenceError(
              .invalidArgument, "\(name): node \"\(node.name)\" waits for missing node \"\(source)\"")
          }
          controls.append(sourceIndex)
        } else {
          inputs.append(try resolve(endpoint, context: "node \"\(node.name)\""))
        }
      }
      // Optional by design: a value that is not a tensor or does not decode is left for the
      // kernel to report when it runs.
      let constant =
        node.op == "Const"
        ? attributes[position]["value"]?.tensorValue.flatMap { try? TensorProtoDecoding.tensor($0, context: "") } : nil
      nodes.append(
        Node(
          name: node.name, op: node.op, inputs: inputs, controlInputs: controls, attributes: attributes[position],
          constant: constant))
    }
    self.nodes = nodes
    self.nodeIndex = index

    var outputs: [(String, Input)] = []
    for output in outputArguments {
      guard let source = rets[output] else {
        throw InferenceError(.invalidArgument, "\(name): output \"\(output)\" has no ret")
      }
      outputs.append(
        (output, try resolve(try Endpoint.parse(source, inFunction: true), context: "output \"\(output)\"")))
    }
    self.outputs = outputs
    var controlOutputs: [Int] = []
    for (_, node) in controlRets.sorted(by: { $0.key < $1.key }) {
      guard let position = index[node] else {
        throw InferenceError(.invalidArgument, "\(name): control output names missing node \"\(node)\"")
      }
      controlOutputs.append(position)
    }
    self.controlOutputs = controlOutputs
  }

  /// How many readers each node's outputs have: node inputs, function outputs and `targets`
  /// (a fold may only absorb a node nothing else reads).
  ///
  /// - Complexity: O(nodes + edges).
  func consumerCounts(targets: [Int]) -> [Int] {
    var consumers = [Int](repeating: 0, count: nodes.count)
    for node in nodes {
      for input in node.inputs { if case .node(let source, _) = input { consumers[source] += 1 } }
    }
    for output in outputs { if case .node(let source, _) = output.source { consumers[source] += 1 } }
    for target in targets { consumers[target] += 1 }
    return consumers
  }

  /// The nodes needed to produce `targets` (data and control dependencies), in an order where
  /// every node comes after what it depends on.
  ///
  /// A depth-first walk with an explicit stack (a graph can be a chain of millions of nodes),
  /// where each entry remembers how far through its node's dependencies it is, so a node with
  /// n inputs costs O(n): an `AddN` of 160,000 inputs once took 92 s here, listing its
  /// dependencies again for each one.
  ///
  /// - Throws: `InferenceError` (`.invalidArgument`) on a cycle.
  /// - Complexity: O(nodes + edges) of the part of the graph `targets` need.
  func executionOrder(for targets: [Int]) throws(InferenceError) -> [Int] {
    var state = [UInt8](repeating: 0, count: nodes.count)  // 0 new, 1 on the stack, 2 done
    var order: [Int] = []
    var stack: [(node: Int, nextDependency: Int)] = []
    for target in targets where state[target] == 0 {
      stack.append((target, 0))
      state[target] = 1
      walk: while let top = stack.last {
        let node = nodes[top.node]
        let (inputs, controls) = (node.inputs, node.controlInputs)
        var next = top.nextDependency
        while next < inputs.count + controls.count {
          let dependency: Int
          if next < inputs.count {
            guard case .node(let source, _) = inputs[next] else {
              next += 1
              continue
            }
            dependency = source
          } else {
            dependency = controls[next - inputs.count]
          }
          next += 1
          switch state[dependency] {
          case 0:
            stack[stack.count - 1].nextDependency = next
            state[dependency] = 1
            stack.append((dependency, 0))
            continue walk
          case 1:
            throw InferenceError(.invalidArgument, "\(name): a cycle runs through node \"\(nodes[dependency].name)\"")
          default:
            continue
          }
        }
        stack.removeLast()
        state[top.node] = 2
        order.append(top.node)
      }
    }
    return order
  }
}
