import Foundation
import TFProto
import TensorKernels

/// Folds a zero `Pad` into the one convolution that reads it: the convolution reads the unpadded
/// input with explicit padding instead.
///
/// Keras writes `ZeroPadding2D` before strided convolutions (MobileNet, EfficientNet, ResNet's
/// stem), and TensorFlow's own graph rewriter folds it the same way. Unfolded, every such `Pad`
/// writes a whole padded copy of an activation (over 100 MB at batch 32) only for the next op to
/// read it once. The result is identical: padded positions contribute zero either way.
enum PadFusion {
  /// The convolutions to run in place of the originals (by node index), and the `Pad` nodes
  /// that then no longer run.
  static func plan(_ function: GraphFunction, targets: [Int]) -> (
    replacements: [Int: GraphFunction.Node], folded: Set<Int>
  ) {
    let consumers = function.consumerCounts(targets: targets)

    var replacements: [Int: GraphFunction.Node] = [:]
    var folded = Set<Int>()
    for (index, convolution) in function.nodes.enumerated()
    where ["Conv2D", "DepthwiseConv2dNative"].contains(convolution.op) {
      guard text(convolution, "padding") == "VALID", let format = text(convolution, "data_format"),
        ["", "NHWC"].contains(format), case .node(let padIndex, 0) = convolution.inputs.first, consumers[padIndex] == 1
      else { continue }
      let pad = function.nodes[padIndex]
      guard pad.op == "Pad", pad.inputs.count == 2, case .node(let paddingsIndex, 0) = pad.inputs[1],
        let paddings = function.nodes[paddingsIndex].constant, paddings.shape == [4, 2],
        let amounts = integers(paddings), amounts.allSatisfy({ $0 >= 0 }),
        amounts[0] == 0, amounts[1] == 0, amounts[6] == 0, amounts[7] == 0
      else { continue }
      var attributes = convolution.attributes
      var padding = Tensorflow_AttrValue()
      padding.s = Data("EXPLICIT".utf8)
      attributes["padding"] = padding
      var explicit = Tensorflow_AttrValue()
      explicit.list.i = amounts.map(Int64.init)
      attributes["explicit_paddings"] = explicit
      replacements[index] = GraphFunction.Node(
        name: convolution.name, op: convolution.op, inputs: [pad.inputs[0]] + convolution.inputs.dropFirst(),
        controlInputs: convolution.controlInputs + pad.controlInputs, attributes: attributes, constant: nil)
      folded.insert(padIndex)
    }
    return (replacements, folded)
  }

  /// A string attribute, "" when absent, nil when malformed (no fold; the kernel reports it).
  private static func text(_ node: GraphFunction.Node, _ name: String) -> String? {
    node.attribute(name, \.stringValue, absent: "")
  }

  private static func integers(_ tensor: Tensor) -> [Int]? {
    switch tensor.dtype {
    case .int32: return (try? tensor.int32s())?.map(Int.init)
    case .int64: return (try? tensor.int64s())?.map(Int.init)
    default: return nil
    }
  }
}
