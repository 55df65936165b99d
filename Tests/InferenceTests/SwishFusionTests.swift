import Foundation
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// `Mul(x, Sigmoid(x))` runs as one fused op when the sigmoid has no other reader.
@Suite("Sigmoid and Mul folded into swish")
struct SwishFusionTests {
  static func graph(sigmoidFirst: Bool, alsoReadSigmoid: Bool) -> GraphHarness {
    var graph = GraphHarness()
    graph.add("x", "Placeholder")
    graph.add("s", "Sigmoid", ["x"])
    graph.add("y", "Mul", sigmoidFirst ? ["s", "x"] : ["x", "s"])
    if alsoReadSigmoid { graph.add("other", "Identity", ["s"]) }
    return graph
  }

  @Test("folded or not, either operand order, the result is the same")
  func sameResult() throws {
    let x = Tensor(float32: (0..<1000).map { Float($0) / 7 - 70 }, shape: [10, 100])
    let expected = try Elementwise.apply(.mul, x, try Elementwise.apply(.sigmoid, x))
    for sigmoidFirst in [false, true] {
      let folded = Self.graph(sigmoidFirst: sigmoidFirst, alsoReadSigmoid: false)
      let (_, function) = try folded.runtime()
      let plan = try Runtime.Plan(
        function: function, targets: [try #require(function.nodeIndex["y"])], kernels: OpRegistry())
      let sigmoid = try #require(function.nodeIndex["s"])
      #expect(plan.replacements.count == 1)
      #expect(!plan.order.contains(sigmoid))
      #expect(try folded.run(["y"], feeds: ["x": x])[0] == [expected])

      let unfolded = Self.graph(sigmoidFirst: sigmoidFirst, alsoReadSigmoid: true)
      let (_, unfoldedFunction) = try unfolded.runtime()
      #expect(
        try Runtime.Plan(
          function: unfoldedFunction, targets: [try #require(unfoldedFunction.nodeIndex["y"])], kernels: OpRegistry()
        )
        .replacements.isEmpty)
      #expect(try unfolded.run(["y"], feeds: ["x": x])[0] == [expected])
    }
  }

  @Test("Keras 3's form, Sigmoid(Mul(β, x)), folds too, with β applied as the Mul would")
  func kerasForm() throws {
    let x = Tensor(float32: (0..<1000).map { Float($0) / 7 - 70 }, shape: [1000])
    for beta: Float in [1, 1.5] {
      var proto = Tensorflow_TensorProto()
      proto.dtype = .dtFloat
      proto.floatVal = [beta]
      var value = Tensorflow_AttrValue()
      value.tensor = proto
      var graph = GraphHarness()
      graph.add("x", "Placeholder")
      graph.add("beta", "Const", [], ["value": value])
      graph.add("scaled", "Mul", ["beta", "x"])
      graph.add("s", "Sigmoid", ["scaled"])
      graph.add("y", "Mul", ["x", "s"])
      let (_, function) = try graph.runtime()
      let plan = try Runtime.Plan(
        function: function, targets: [try #require(function.nodeIndex["y"])], kernels: OpRegistry())
      #expect(plan.replacements.count == 1)
      #expect(!plan.order.contains(try #require(function.nodeIndex["scaled"])))
      let scaled = try Elementwise.apply(.mul, Tensor(float32: [beta], shape: []), x)
      let expected = try Elementwise.apply(.mul, x, try Elementwise.apply(.sigmoid, scaled))
      #expect(try graph.run(["y"], feeds: ["x": x])[0] == [expected], "β \(beta)")
    }
  }
}
