import RegistryCore
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// Functions that call themselves, directly or through others, once recursed until the stack
/// overflowed (issue 12). Calls are bounded by `Limits.current.functionDepth` when they run, and
/// loading refuses a cycle among the functions a model can reach.
@Suite("recursive and deeply nested function calls")
struct RecursionTests {
  typealias H = GraphHarness

  static func argument(_ name: String) -> Tensorflow_OpDef.ArgDef {
    var argument = Tensorflow_OpDef.ArgDef()
    argument.name = name
    argument.type = .dtFloat
    return argument
  }

  /// A function `name(a) -> y` whose body is `node` (reading `a`), returning its first output;
  /// `node` is nil for the identity.
  static func function(_ name: String, calling node: Tensorflow_NodeDef?) -> Tensorflow_FunctionDef {
    var function = Tensorflow_FunctionDef()
    function.signature.name = name
    function.signature.inputArg = [argument("a")]
    function.signature.outputArg = [argument("y")]
    if let node {
      function.nodeDef = [node]
      function.ret = ["y": "\(node.name):output:0"]
    } else {
      function.nodeDef = [H.node("same", "Identity", ["a"])]
      function.ret = ["y": "same:output:0"]
    }
    return function
  }

  /// A `PartitionedCall` of `callee` on `a`.
  static func call(_ callee: String, op: String = "PartitionedCall") -> Tensorflow_NodeDef {
    H.node("again", op, ["a"], ["f": H.attribute(function: callee)])
  }

  /// A graph feeding `x` to `StatefulPartitionedCall` of `entry`, with `functions` as its library.
  static func graph(_ functions: [Tensorflow_FunctionDef], entry: String) -> GraphHarness {
    var graph = GraphHarness()
    graph.functions = functions
    graph.add("x", "Placeholder")
    graph.add("call", "StatefulPartitionedCall", ["x"], ["f": H.attribute(function: entry)])
    return graph
  }

  static func run(_ graph: GraphHarness) -> InferenceError? {
    HostileSizeTests.failure { _ = try graph.run(["call"], feeds: ["x": Tensor(float32: [1], shape: [])]) }
  }

  @Test("a function calling itself, or two calling each other, stops at the depth limit naming the chain")
  func recursionIsBounded() {
    let selfCalling = Self.graph([Self.function("f", calling: Self.call("f"))], entry: "f")
    HostileSizeTests.expect(Self.run(selfCalling), .resourceExhausted, node: "again", mentioning: "f -> f -> f")
    let mutual = Self.graph(
      [
        Self.function("f", calling: Self.call("g", op: "StatefulPartitionedCall")),
        Self.function("g", calling: Self.call("f")),
      ], entry: "f")
    HostileSizeTests.expect(Self.run(mutual), .resourceExhausted, node: "again", mentioning: "f -> g -> f -> g")
  }

  @Test("recursion through an If branch is bounded too")
  func recursionThroughIf() {
    var branch = H.node(
      "again", "If", ["a", "a"],
      ["then_branch": H.attribute(function: "f"), "else_branch": H.attribute(function: "f")])
    branch.attr["Tcond"] = H.attribute(.dtFloat)
    let graph = Self.graph([Self.function("f", calling: branch)], entry: "f")
    HostileSizeTests.expect(Self.run(graph), .resourceExhausted, node: "again", mentioning: "FUNCTION_DEPTH")
  }

  @Test("a chain of distinct functions as deep as the limit runs; one deeper does not")
  func depthLimit() throws {
    let depth = Int(Limits.current.functionDepth)
    func chain(_ length: Int) -> GraphHarness {
      let functions = (0..<length).map { level in
        Self.function("f\(level)", calling: level == length - 1 ? nil : Self.call("f\(level + 1)"))
      }
      return Self.graph(functions, entry: "f0")
    }
    #expect(
      try chain(depth).run(["call"], feeds: ["x": Tensor(float32: [3], shape: [])]) == [
        [Tensor(float32: [3], shape: [])]
      ])
    HostileSizeTests.expect(Self.run(chain(depth + 1)), .resourceExhausted, node: "again", mentioning: "f0 -> f1")
  }

  @Test("loading refuses functions that call each other in a cycle, naming it")
  func cycleAtLoad() throws {
    let graph = Self.graph(
      [
        Self.function("f", calling: Self.call("g")), Self.function("g", calling: Self.call("h")),
        Self.function("h", calling: Self.call("g")),
      ], entry: "f")
    let (runtime, function) = try graph.runtime()
    var registry = OpRegistry()
    OpCatalog.registerAll(into: &registry)
    let target = try #require(function.nodeIndex["call"])
    let error = HostileSizeTests.failure {
      try LoadedModel.checkSupport(
        graph: function, targets: [target], functions: runtime.functions, broken: [:], registry: registry)
    }
    #expect(error?.category == .invalidArgument)
    #expect(error?.message.contains("g -> h -> g") == true, "\(error?.message ?? "no error")")
  }
}
