import RegistryCore
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// Values computed from constants and variables alone are kept between calls
/// (`VariableFolding`), and a kept value is never read where the ops would have given another.
@Suite("values of constants and variables kept between calls")
struct VariableFoldingTests {
  typealias H = GraphHarness

  /// `y = x * rsqrt(read(variable "v") + 0.5)`, batch normalisation's scale as Keras computes
  /// it, in the top-level graph.
  static func scaleGraph() -> GraphHarness {
    var graph = GraphHarness()
    graph.add("x", "Placeholder")
    graph.add("handle", "VarHandleOp", [], ["shared_name": H.attribute("v")])
    graph.add("read", "ReadVariableOp", ["handle"])
    graph.add("epsilon", "Const", [], HostileSizeTests.constant(.dtFloat, shape: []) { $0.floatVal = [0.5] })
    graph.add("sum", "AddV2", ["read", "epsilon"])
    graph.add("inverse", "Rsqrt", ["sum"])
    graph.add("y", "Mul", ["x", "inverse"])
    return graph
  }

  static func run(_ graph: GraphHarness, on prepared: (Runtime, GraphFunction), x: [Float]) throws -> [Float] {
    try graph.run(["y"], feeds: ["x": Tensor(float32: x, shape: [x.count])], on: prepared)[0][0].floats()
  }

  @Test("the variable's subgraph runs once; the next calls reuse its value and give the same bits")
  func keptAndReused() throws {
    let graph = Self.scaleGraph()
    let prepared = try graph.runtime()
    let (runtime, function) = prepared
    runtime.variables.assign("v", Tensor(float32: [3.5, 0.5], shape: [2]))
    let plan = try Runtime.Plan(
      function: function, targets: [try #require(function.nodeIndex["y"])], kernels: runtime.kernels,
      fed: [try #require(function.nodeIndex["x"])])
    let folding = try #require(plan.folding)
    let folded = Set(zip(plan.order, folding.foldable).filter(\.1).map { function.nodes[$0.0].name })
    #expect(folded == ["handle", "read", "epsilon", "sum", "inverse"])
    #expect(folding.kept.map { function.nodes[$0].name } == ["inverse"])

    #expect(runtime.keptValueSets == 0)
    let first = try Self.run(graph, on: prepared, x: [2, 4])
    #expect(first == [1, 4])
    #expect(runtime.keptValueSets == 1)
    let second = try Self.run(graph, on: prepared, x: [2, 4])
    #expect(second.map(\.bitPattern) == first.map(\.bitPattern))
    #expect(try Self.run(graph, on: prepared, x: [6, 1]) == [3, 1])
  }

  @Test("assigning a variable between calls makes the next call compute again")
  func assignmentInvalidates() throws {
    let graph = Self.scaleGraph()
    let prepared = try graph.runtime()
    prepared.0.variables.assign("v", Tensor(float32: [3.5], shape: [1]))
    #expect(try Self.run(graph, on: prepared, x: [2]) == [1])
    prepared.0.variables.assign("v", Tensor(float32: [15.5], shape: [1]))
    #expect(try Self.run(graph, on: prepared, x: [2]) == [0.5])
    #expect(try Self.run(graph, on: prepared, x: [2]) == [0.5])
  }

  @Test("a graph that assigns keeps no value read from a variable, so a read after the assignment sees it")
  func assigningGraphDoesNotFoldReads() throws {
    var graph = GraphHarness()
    graph.add("x", "Placeholder")
    graph.add("handle", "VarHandleOp", [], ["shared_name": H.attribute("v")])
    graph.add("assign", "AssignVariableOp", ["handle", "x"])
    graph.add("read", "ReadVariableOp", ["handle", "^assign"])
    graph.add("y", "Neg", ["read"])
    let prepared = try graph.runtime()
    let (runtime, function) = prepared
    let plan = try Runtime.Plan(
      function: function, targets: [try #require(function.nodeIndex["y"])], kernels: runtime.kernels,
      fed: [try #require(function.nodeIndex["x"])])
    let folding = try #require(plan.folding)
    let folded = zip(plan.order, folding.foldable).filter(\.1).map { function.nodes[$0.0].name }
    #expect(folded == ["handle"])
    for value: Float in [1, 5, -2] {
      #expect(try Self.run(graph, on: prepared, x: [value]) == [-value])
    }
  }

  @Test("a function body keeps one set of values per resource it is called with")
  func keyedByResourceArguments() throws {
    var body = Tensorflow_FunctionDef()
    body.signature.name = "scale"
    body.signature.inputArg = [RecursionTests.argument("v"), RecursionTests.argument("x")]
    body.signature.inputArg[0].type = .dtResource
    body.signature.outputArg = [RecursionTests.argument("y")]
    body.nodeDef = [
      H.node("read", "ReadVariableOp", ["v"]),
      H.node("double", "AddV2", ["read:value:0", "read:value:0"]),
      H.node("product", "Mul", ["x", "double:z:0"]),
    ]
    body.ret = ["y": "product:z:0"]
    var graph = GraphHarness()
    graph.functions = [body]
    graph.add("x", "Placeholder")
    for name in ["a", "b"] {
      graph.add("handle_\(name)", "VarHandleOp", [], ["shared_name": H.attribute(name)])
      graph.add("y_\(name)", "StatefulPartitionedCall", ["handle_\(name)", "x"], ["f": H.attribute(function: "scale")])
    }
    let prepared = try graph.runtime()
    prepared.0.variables.assign("a", Tensor(float32: [1], shape: [1]))
    prepared.0.variables.assign("b", Tensor(float32: [10], shape: [1]))
    let feeds = ["x": Tensor(float32: [3], shape: [1])]
    for _ in 0..<2 {
      let outputs = try graph.run(["y_a", "y_b"], feeds: feeds, on: prepared)
      #expect(try outputs[0][0].floats() == [6])
      #expect(try outputs[1][0].floats() == [60])
    }
    // One set for each resource the body was called with, and the top-level graph's handles.
    #expect(prepared.0.keptValueSets == 3)
  }

  @Test("an argument that is not a resource runs the read, which fails as it would unfolded")
  func nonResourceArgument() throws {
    var body = Tensorflow_FunctionDef()
    body.signature.name = "read"
    body.signature.inputArg = [RecursionTests.argument("v")]
    body.signature.outputArg = [RecursionTests.argument("y")]
    body.nodeDef = [H.node("value", "ReadVariableOp", ["v"])]
    body.ret = ["y": "value:value:0"]
    var graph = GraphHarness()
    graph.functions = [body]
    graph.add("x", "Placeholder")
    graph.add("y", "StatefulPartitionedCall", ["x"], ["f": H.attribute(function: "read")])
    for _ in 0..<2 {
      let error = HostileSizeTests.failure {
        _ = try graph.run(["y"], feeds: ["x": Tensor(float32: [1], shape: [1])])
      }
      #expect(error?.category == .invalidArgument)
      #expect(error?.message.contains("resource") == true)
    }
  }

  @Test("kept copies count against the memory limit; reads of a variable, which share its buffer, do not")
  func memoryLimit() throws {
    var graph = GraphHarness()
    graph.add("x", "Placeholder")
    graph.add("handle", "VarHandleOp", [], ["shared_name": H.attribute("v")])
    graph.add("read", "ReadVariableOp", ["handle"])
    graph.add("wide", "Cast", ["read"], ["DstT": H.attribute(.dtDouble)])
    graph.add("y", "Mul", ["x", "wide"])
    graph.add("z", "Mul", ["x", "read"])
    let (runtime, function) = try graph.runtime()
    let plan = try Runtime.Plan(
      function: function, targets: [try #require(function.nodeIndex["y"]), try #require(function.nodeIndex["z"])],
      kernels: runtime.kernels, fed: [try #require(function.nodeIndex["x"])])
    let folding = try #require(plan.folding)
    let (read, wide) = (try #require(function.nodeIndex["read"]), try #require(function.nodeIndex["wide"]))
    #expect(folding.kept == [read, wide].sorted())
    let variable = Tensor(float32: [1, 2, 3, 4], shape: [4])
    let values: [Int: [Value]] = [
      read: [.tensor(variable)], wide: [.tensor(try Cast.apply(variable, to: .float64))],
    ]
    #expect(folding.fits(values, function: function, limit: 32))
    #expect(!folding.fits(values, function: function, limit: 31))
    #expect(folding.fits([read: [.tensor(variable)]], function: function, limit: 0))
  }
}
