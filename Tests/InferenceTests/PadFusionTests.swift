import Foundation
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// A zero `Pad` read only by a VALID convolution is folded into it (explicit padding); the
/// result must be what the two ops give separately.
@Suite("Pad folded into the convolution after it")
struct PadFusionTests {
  static func constant(_ values: [Int32], shape: [Int]) -> Tensorflow_AttrValue {
    var proto = Tensorflow_TensorProto()
    proto.dtype = .dtInt32
    proto.tensorShape.dim = shape.map { size in
      var dimension = Tensorflow_TensorShapeProto.Dim()
      dimension.size = Int64(size)
      return dimension
    }
    proto.intVal = values
    var value = Tensorflow_AttrValue()
    value.tensor = proto
    return value
  }

  static func graph(op: String, alsoReadPad: Bool) -> GraphHarness {
    var graph = GraphHarness()
    graph.add("x", "Placeholder")
    graph.add("filter", "Placeholder")
    graph.add("paddings", "Const", [], ["value": constant([0, 0, 1, 2, 0, 1, 0, 0], shape: [4, 2])])
    graph.add("pad", "Pad", ["x", "paddings"])
    var padding = Tensorflow_AttrValue()
    padding.s = Data("VALID".utf8)
    var strides = Tensorflow_AttrValue()
    strides.list.i = [1, 2, 1, 1]
    graph.add("conv", op, ["pad", "filter"], ["padding": padding, "strides": strides])
    if alsoReadPad { graph.add("other", "Identity", ["pad"]) }
    return graph
  }

  @Test(
    "Conv2D and DepthwiseConv2dNative give the same result folded and unfolded",
    arguments: ["Conv2D", "DepthwiseConv2dNative"])
  func sameResult(op: String) throws {
    let x = Tensor(float32: (0..<(2 * 5 * 4 * 3)).map { Float($0 % 7) - 3 }, shape: [2, 5, 4, 3])
    let filter =
      op == "Conv2D"
      ? Tensor(float32: (0..<(3 * 2 * 3 * 4)).map { Float($0 % 5) * 0.5 - 1 }, shape: [3, 2, 3, 4])
      : Tensor(float32: (0..<(3 * 2 * 3 * 1)).map { Float($0 % 5) * 0.5 - 1 }, shape: [3, 2, 3, 1])
    let folded = Self.graph(op: op, alsoReadPad: false)
    let (_, function) = try folded.runtime()
    let plan = try Runtime.Plan(
      function: function, targets: [try #require(function.nodeIndex["conv"])], kernels: OpRegistry())
    #expect(plan.replacements.count == 1)
    #expect(!plan.order.contains(try #require(function.nodeIndex["pad"])))
    let foldedResult = try folded.run(["conv"], feeds: ["x": x, "filter": filter])[0]

    // With a second reader the Pad must run, and the convolution reads its output.
    let unfolded = Self.graph(op: op, alsoReadPad: true)
    let (_, unfoldedFunction) = try unfolded.runtime()
    #expect(
      try Runtime.Plan(
        function: unfoldedFunction, targets: [try #require(unfoldedFunction.nodeIndex["conv"])], kernels: OpRegistry()
      )
      .replacements.isEmpty)
    let unfoldedResult = try unfolded.run(["conv", "other"], feeds: ["x": x, "filter": filter])
    #expect(foldedResult == unfoldedResult[0])
    #expect(unfoldedResult[1][0].shape == [2, 8, 5, 3])
  }
}
