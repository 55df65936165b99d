import Foundation
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// The per-channel ops after a convolution run inside it (`EpilogueFusion`); the result must be
/// bit for bit what the ops give one by one, and whatever does not fit runs apart with the ops'
/// own checks and messages.
@Suite("Per-channel ops folded into the convolution before them")
struct EpilogueFusionTests {
  static func text(_ value: String) -> Tensorflow_AttrValue {
    var attribute = Tensorflow_AttrValue()
    attribute.s = Data(value.utf8)
    return attribute
  }

  static func ints(_ values: [Int64]) -> Tensorflow_AttrValue {
    var attribute = Tensorflow_AttrValue()
    attribute.list.i = values
    return attribute
  }

  /// `conv` followed by `steps` (op, operand placeholder or nil, whether the operand comes
  /// first); with `observed`, every intermediate also has a second reader, so nothing fuses.
  static func graph(
    op: String, strides: [Int64] = [1, 1, 1, 1], steps: [(op: String, operand: String?, first: Bool)],
    observed: Bool
  ) -> (graph: GraphHarness, last: String) {
    var graph = GraphHarness()
    graph.add("x", "Placeholder")
    graph.add("filter", "Placeholder")
    graph.add("conv", op, ["x", "filter"], ["padding": text("SAME"), "strides": ints(strides)])
    var previous = "conv"
    for (index, step) in steps.enumerated() {
      let name = "step\(index)"
      if let operand = step.operand {
        if graph.nodes.allSatisfy({ $0.name != operand }) { graph.add(operand, "Placeholder") }
        graph.add(name, step.op, step.first ? [operand, previous] : [previous, operand])
      } else {
        graph.add(name, step.op, [previous])
      }
      if observed { graph.add("observe\(index)", "Identity", [previous]) }
      previous = name
    }
    return (graph, previous)
  }

  static func values(_ count: Int, seed: Int, scale: Float = 1) -> [Float] {
    (0..<count).map { index in Float((index * 7919 + seed * 104_729) % 97) / 97 * 8 * scale - 4 * scale }
  }

  /// Runs the fused and the unfused graph and checks that the fused one fused `expected` steps'
  /// nodes away and that both give the same bits.
  static func compare(
    op: String, channels: Int, steps: [(op: String, operand: String?, first: Bool)], feeds: [String: Tensor],
    strides: [Int64] = [1, 1, 1, 1]
  ) throws -> Tensor {
    let (fused, last) = graph(op: op, strides: strides, steps: steps, observed: false)
    let (_, function) = try fused.runtime()
    let plan = try Runtime.Plan(
      function: function, targets: [try #require(function.nodeIndex[last])], kernels: OpRegistry())
    let lastIndex = try #require(function.nodeIndex[last])
    #expect(plan.replacements[lastIndex]?.op == EpilogueFusion.fusedOp)
    #expect(!plan.order.contains(try #require(function.nodeIndex["conv"])))
    let fusedResult = try fused.run([last], feeds: feeds)[0][0]

    let (unfused, _) = graph(op: op, strides: strides, steps: steps, observed: true)
    let (_, unfusedFunction) = try unfused.runtime()
    let unfusedPlan = try Runtime.Plan(
      function: unfusedFunction, targets: [try #require(unfusedFunction.nodeIndex[last])], kernels: OpRegistry())
    #expect(!unfusedPlan.replacements.values.contains { $0.op == EpilogueFusion.fusedOp })
    let expected = try unfused.run([last], feeds: feeds)[0][0]
    #expect(fusedResult.shape == expected.shape)
    #expect(try fusedResult.floats().map(\.bitPattern) == expected.floats().map(\.bitPattern))
    return fusedResult
  }

  /// The error messages of the fused and of the unfused graph ("" when one runs).
  static func errors(
    op: String, steps: [(op: String, operand: String?, first: Bool)], feeds: [String: Tensor]
  ) -> (fused: String, unfused: String) {
    func message(observed: Bool) -> String {
      let (graph, last) = Self.graph(op: op, steps: steps, observed: observed)
      do { _ = try graph.run([last], feeds: feeds) } catch { return "\(error)" }
      return ""
    }
    return (message(observed: false), message(observed: true))
  }

  @Test(
    "bias, batch normalisation as Keras writes it, Sub both ways and Relu6 give the ops' bits",
    arguments: ["Conv2D", "DepthwiseConv2dNative"])
  func batchNormalisation(op: String) throws {
    let channels = 6
    let x = Tensor(float32: Self.values(2 * 7 * 5 * 3, seed: 1), shape: [2, 7, 5, 3])
    let filter =
      op == "Conv2D"
      ? Tensor(float32: Self.values(3 * 3 * 3 * channels, seed: 2, scale: 0.3), shape: [3, 3, 3, channels])
      : Tensor(float32: Self.values(3 * 3 * 3 * 2, seed: 2, scale: 0.3), shape: [3, 3, 3, 2])
    let feeds: [String: Tensor] = [
      "x": x, "filter": filter,
      "bias": Tensor(float32: Self.values(channels, seed: 3), shape: [channels]),
      "scale": Tensor(float32: Self.values(channels, seed: 4, scale: 0.5), shape: [1, 1, 1, channels]),
      "shift": Tensor(float32: Self.values(channels, seed: 5), shape: [channels]),
      "offset": Tensor(float32: [0.25], shape: []),
      "other": Tensor(float32: [1.5], shape: [1]),
    ]
    let result = try Self.compare(
      op: op, channels: channels,
      steps: [
        ("BiasAdd", "bias", false), ("Mul", "scale", false), ("AddV2", "shift", true), ("Sub", "offset", false),
        ("Sub", "other", true), ("Relu6", nil, false),
      ], feeds: feeds)
    let values = try result.floats()
    #expect(values.contains(0) && values.contains(6) && values.contains { $0 > 0 && $0 < 6 })
  }

  @Test("a strided convolution with Mul by a scalar, Add and Relu fuses all three")
  func scalarOperand() throws {
    let feeds: [String: Tensor] = [
      "x": Tensor(float32: Self.values(1 * 9 * 9 * 4, seed: 6), shape: [1, 9, 9, 4]),
      "filter": Tensor(float32: Self.values(2 * 2 * 4 * 5, seed: 7, scale: 0.2), shape: [2, 2, 4, 5]),
      "two": Tensor(float32: [2], shape: []),
      "shift": Tensor(float32: Self.values(5, seed: 8), shape: [1, 5]),
    ]
    _ = try Self.compare(
      op: "Conv2D", channels: 5, steps: [("Mul", "two", true), ("Add", "shift", false), ("Relu", nil, false)],
      feeds: feeds, strides: [1, 2, 2, 1])
  }

  @Test("a pointwise convolution long enough to be made in row blocks matches the ops apart")
  func rowBlocks() throws {
    // 2048 output channels: blocks of 128 rows, so the 300 rows take three blocks.
    let feeds: [String: Tensor] = [
      "x": Tensor(float32: Self.values(15 * 20 * 8, seed: 9), shape: [1, 15, 20, 8]),
      "filter": Tensor(float32: Self.values(8 * 2048, seed: 10, scale: 0.1), shape: [1, 1, 8, 2048]),
      "bias": Tensor(float32: Self.values(2048, seed: 11), shape: [2048]),
    ]
    _ = try Self.compare(
      op: "Conv2D", channels: 2048, steps: [("BiasAdd", "bias", false), ("Relu", nil, false)], feeds: feeds)
  }

  @Test(
    "swish after batch normalisation (Keras 2's Mul(x, Sigmoid(x)) and Keras 3's with β) fuses too",
    arguments: [false, true])
  func swish(keras3: Bool) throws {
    func graph(observed: Bool) -> GraphHarness {
      var graph = GraphHarness()
      for name in ["x", "filter", "scale", "shift"] { graph.add(name, "Placeholder") }
      graph.add(
        "conv", "DepthwiseConv2dNative", ["x", "filter"],
        ["padding": Self.text("SAME"), "strides": Self.ints([1, 1, 1, 1])])
      graph.add("normalised", "Mul", ["conv", "scale"])
      graph.add("shifted", "AddV2", ["normalised", "shift"])
      if keras3 {
        var beta = Tensorflow_TensorProto()
        beta.dtype = .dtFloat
        beta.floatVal = [1.5]
        var value = Tensorflow_AttrValue()
        value.tensor = beta
        graph.add("beta", "Const", [], ["value": value])
        graph.add("scaled", "Mul", ["beta", "shifted"])
        graph.add("gate", "Sigmoid", ["scaled"])
      } else {
        graph.add("gate", "Sigmoid", ["shifted"])
      }
      graph.add("swish", "Mul", ["shifted", "gate"])
      graph.add("out", "Relu6", ["swish"])
      if observed { graph.add("observe", "Identity", ["shifted"]) }
      return graph
    }
    let feeds: [String: Tensor] = [
      "x": Tensor(float32: Self.values(2 * 6 * 5 * 4, seed: 26, scale: 3), shape: [2, 6, 5, 4]),
      "filter": Tensor(float32: Self.values(3 * 3 * 4, seed: 27, scale: 0.5), shape: [3, 3, 4, 1]),
      "scale": Tensor(float32: Self.values(4, seed: 28), shape: [4]),
      "shift": Tensor(float32: Self.values(4, seed: 29), shape: [4]),
    ]
    let fused = graph(observed: false)
    let (_, function) = try fused.runtime()
    let plan = try Runtime.Plan(
      function: function, targets: [try #require(function.nodeIndex["out"])], kernels: OpRegistry())
    #expect(plan.replacements[try #require(function.nodeIndex["out"])]?.op == EpilogueFusion.fusedOp)
    for name in ["conv", "normalised", "shifted", "gate", "swish"] {
      #expect(!plan.order.contains(try #require(function.nodeIndex[name])), "\(name) still runs")
    }
    let result = try fused.run(["out"], feeds: feeds)[0][0]
    let expected = try graph(observed: true).run(["out"], feeds: feeds)[0][0]
    #expect(try result.floats().map(\.bitPattern) == expected.floats().map(\.bitPattern))
  }

  @Test("a residual Add of a whole activation stops the fused prefix; the rest runs apart")
  func residual() throws {
    let feeds: [String: Tensor] = [
      "x": Tensor(float32: Self.values(2 * 4 * 4 * 3, seed: 12), shape: [2, 4, 4, 3]),
      "filter": Tensor(float32: Self.values(3 * 3 * 3 * 3, seed: 13, scale: 0.3), shape: [3, 3, 3, 3]),
      "bias": Tensor(float32: Self.values(3, seed: 14), shape: [3]),
      "shortcut": Tensor(float32: Self.values(2 * 4 * 4 * 3, seed: 15), shape: [2, 4, 4, 3]),
    ]
    _ = try Self.compare(
      op: "Conv2D", channels: 3,
      steps: [("BiasAdd", "bias", false), ("AddV2", "shortcut", false), ("Relu", nil, false)], feeds: feeds)
  }

  @Test("an operand that broadcasts the output to a larger shape runs apart and gives the ops' shape")
  func broadcastingOperand() throws {
    let feeds: [String: Tensor] = [
      "x": Tensor(float32: Self.values(1 * 3 * 3 * 2, seed: 16), shape: [1, 3, 3, 2]),
      "filter": Tensor(float32: Self.values(1 * 1 * 2 * 2, seed: 17), shape: [1, 1, 2, 2]),
      "wide": Tensor(float32: Self.values(4 * 1 * 1 * 2, seed: 18), shape: [4, 1, 1, 2]),
    ]
    let result = try Self.compare(op: "Conv2D", channels: 2, steps: [("Mul", "wide", false)], feeds: feeds)
    #expect(result.shape == [4, 3, 3, 2])
  }

  @Test("float64 convolutions run the chain apart, same result")
  func otherDtype() throws {
    let feeds: [String: Tensor] = [
      "x": try Cast.apply(Tensor(float32: Self.values(1 * 4 * 4 * 2, seed: 19), shape: [1, 4, 4, 2]), to: .float64),
      "filter": try Cast.apply(
        Tensor(float32: Self.values(3 * 3 * 2 * 2, seed: 20), shape: [3, 3, 2, 2]), to: .float64),
      "bias": try Cast.apply(Tensor(float32: [0.5, -0.5], shape: [2]), to: .float64),
    ]
    let (fused, last) = Self.graph(
      op: "Conv2D", steps: [("BiasAdd", "bias", false), ("Relu", nil, false)], observed: false)
    let (unfused, _) = Self.graph(
      op: "Conv2D", steps: [("BiasAdd", "bias", false), ("Relu", nil, false)], observed: true)
    let a = try fused.run([last], feeds: feeds)[0][0]
    let b = try unfused.run([last], feeds: feeds)[0][0]
    #expect(a.dtype == .float64)
    #expect(a == b)
  }

  @Test("a bias of the wrong length fails with BiasAdd's own error, naming the BiasAdd node")
  func biasError() throws {
    let feeds: [String: Tensor] = [
      "x": Tensor(float32: Self.values(1 * 3 * 3 * 2, seed: 21), shape: [1, 3, 3, 2]),
      "filter": Tensor(float32: Self.values(1 * 1 * 2 * 4, seed: 22), shape: [1, 1, 2, 4]),
      "bias": Tensor(float32: [1, 2, 3], shape: [3]),
    ]
    let (fusedMessage, unfusedMessage) = Self.errors(
      op: "Conv2D", steps: [("BiasAdd", "bias", false), ("Relu", nil, false)], feeds: feeds)
    #expect(!fusedMessage.isEmpty)
    #expect(fusedMessage == unfusedMessage)
    #expect(fusedMessage.contains("BiasAdd \"step0\""))
  }

  @Test("an empty filter with huge dimensions is refused by the convolution, as apart, without a crash")
  func hostileEmptyFilter() throws {
    for op in ["Conv2D", "DepthwiseConv2dNative"] {
      let feeds: [String: Tensor] = [
        "x": Tensor(float32: Self.values(1 * 3 * 3 * 2, seed: 25), shape: [1, 3, 3, 2]),
        "filter": Tensor(float32: [], shape: [1, 0, 1 << 40, 1 << 40]),
        "bias": Tensor(float32: [1, 2], shape: [2]),
      ]
      let (fusedMessage, unfusedMessage) = Self.errors(
        op: op, steps: [("BiasAdd", "bias", false), ("Relu", nil, false)], feeds: feeds)
      #expect(!fusedMessage.isEmpty)
      #expect(fusedMessage == unfusedMessage)
    }
  }

  @Test("a convolution error still names the convolution")
  func convolutionError() throws {
    let feeds: [String: Tensor] = [
      "x": Tensor(float32: Self.values(1 * 3 * 3 * 2, seed: 23), shape: [1, 3, 3, 2]),
      "filter": Tensor(float32: Self.values(1 * 1 * 3 * 4, seed: 24), shape: [1, 1, 3, 4]),
      "bias": Tensor(float32: [1, 2, 3, 4], shape: [4]),
    ]
    let (fused, last) = Self.graph(op: "Conv2D", steps: [("BiasAdd", "bias", false)], observed: false)
    #expect {
      _ = try fused.run([last], feeds: feeds)
    } throws: { error in
      "\(error)".contains("Conv2D \"conv\"")
    }
  }
}
