import RegistryCore
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// Graph import must stay linear in the number of nodes and inputs: an `AddN` of 160,000 inputs
/// once took 92 s to report that `AddN` (then) was unsupported, because the execution order listed a
/// node's dependencies again for each one it visited (issue 12).
@Suite("importing large graphs")
struct LargeGraphTests {
  typealias H = GraphHarness

  static let inputCount = 160_000

  /// A `Const` read 160,000 times by one `op` (`WideTestOp` is made up, so it never gains a
  /// kernel; `AddN` has one since issue 13).
  static func wideGraph(_ op: String = "WideTestOp") -> GraphHarness {
    var graph = GraphHarness()
    graph.add("c", "Const", [], HostileSizeTests.constant(.dtFloat, shape: []) { $0.floatVal = [1] })
    graph.add("sum", op, [String](repeating: "c", count: inputCount), ["N": H.attribute(inputCount)])
    return graph
  }

  @Test("an AddN of 160,000 inputs runs")
  func wideSum() throws {
    let sum = try Self.wideGraph("AddN").run(["sum"])
    #expect(sum == [[Tensor(float32: [Float(Self.inputCount)], shape: [])]])
  }

  @Test("an op with 160,000 inputs is imported, planned and reported unsupported at once")
  func wideNode() throws {
    let graph = Self.wideGraph()
    let (runtime, function) = try graph.runtime()
    let sum = try #require(function.nodeIndex["sum"])
    #expect(function.nodes[sum].inputs.count == Self.inputCount)
    let order = try function.executionOrder(for: [sum])
    #expect(order == [0, sum])
    #expect(function.consumerCounts(targets: [sum])[0] == Self.inputCount)
    var registry = OpRegistry()
    OpCatalog.registerAll(into: &registry)
    let unsupported = HostileSizeTests.failure {
      try LoadedModel.checkSupport(
        graph: function, targets: [sum], functions: runtime.functions, broken: [:], registry: registry)
    }
    #expect(unsupported?.category == .unsupported)
    #expect(unsupported?.message.contains("WideTestOp") == true)
    let run = HostileSizeTests.failure { _ = try graph.run(["sum"], on: (runtime, function)) }
    HostileSizeTests.expect(run, .unsupported, node: "sum", mentioning: "WideTestOp")
  }

  @Test("a node that waits on 160,000 control inputs is ordered after them")
  func manyControlInputs() throws {
    var graph = GraphHarness()
    for index in 0..<1_000 { graph.add("n\(index)", "NoOp") }
    graph.add("last", "NoOp", (0..<Self.inputCount).map { "^n\($0 % 1_000)" })
    let (_, function) = try graph.runtime()
    let order = try function.executionOrder(for: [try #require(function.nodeIndex["last"])])
    #expect(order.count == 1_001)
    #expect(order.last == function.nodeIndex["last"])
  }

  @Test("a graph or function with more nodes than the limit is refused at import, naming it")
  func nodeLimit() throws {
    var limits = Limits.current
    limits.graphNodes = 1_000
    var graph = Tensorflow_GraphDef()
    graph.node = (0...1_000).map { H.node("n\($0)", "NoOp") }
    let signatures = OpSignatures(opList: .init(), library: .init())
    let error = HostileSizeTests.failure { _ = try GraphFunction(graph: graph, signatures: signatures, limits: limits) }
    #expect(error?.category == .resourceExhausted)
    #expect(error?.message.contains("GRAPH_NODES") == true, "\(error?.message ?? "no error")")
    var function = Tensorflow_FunctionDef()
    function.signature.name = "wide_fn"
    function.nodeDef = graph.node
    let functionError = HostileSizeTests.failure {
      _ = try GraphFunction(function: function, signatures: signatures, limits: limits)
    }
    #expect(functionError?.category == .resourceExhausted)
    #expect(functionError?.message.contains("wide_fn") == true, "\(functionError?.message ?? "no error")")
    graph.node.removeLast()
    #expect(try GraphFunction(graph: graph, signatures: signatures, limits: limits).nodes.count == 1_000)
  }
}
