import TFProto
import TensorKernels

/// Folds `Mul(x, Sigmoid(x))` and Keras 3's `Mul(x, Sigmoid(Mul(β, x)))` (swish, EfficientNet's
/// activation) into one op that computes it in a single pass, in place when `x` dies there.
///
/// Apart, the two ops read `x` twice and write two activation-sized tensors; at batch 32 that
/// traffic was a third of an EfficientNetB0 call. The fused op gives the same bits.
enum SwishFusion {
  /// The op name of the fused node; never in a graph, so it cannot clash with a real op.
  static let fusedOp = "_RegistrySwish"

  /// The `Mul` nodes to run as swish (by node index), and the `Sigmoid` nodes that then no
  /// longer run.
  static func plan(_ function: GraphFunction, targets: [Int]) -> (
    replacements: [Int: GraphFunction.Node], folded: Set<Int>
  ) {
    let consumers = function.consumerCounts(targets: targets)

    var replacements: [Int: GraphFunction.Node] = [:]
    var folded = Set<Int>()
    for (index, multiply) in function.nodes.enumerated() where multiply.op == "Mul" && multiply.inputs.count == 2 {
      for position in 0..<2 {
        guard case .node(let sigmoidIndex, 0) = multiply.inputs[position], consumers[sigmoidIndex] == 1 else {
          continue
        }
        let sigmoid = function.nodes[sigmoidIndex]
        let x = multiply.inputs[1 - position]
        guard sigmoid.op == "Sigmoid", sigmoid.inputs.count == 1 else { continue }
        var beta: Float = 1
        var alsoFolded: Int?
        if sigmoid.inputs[0] != x {
          // Keras 3's swish: Sigmoid(Mul(β, x)) with β a float scalar constant.
          guard case .node(let scaledIndex, 0) = sigmoid.inputs[0], consumers[scaledIndex] == 1,
            let scale = scalarScale(function.nodes[scaledIndex], of: x, in: function)
          else { continue }
          beta = scale
          alsoFolded = scaledIndex
        }
        var attributes = multiply.attributes
        var betaAttribute = Tensorflow_AttrValue()
        betaAttribute.f = beta
        attributes["beta"] = betaAttribute
        replacements[index] = GraphFunction.Node(
          name: multiply.name, op: fusedOp, inputs: [x], controlInputs: multiply.controlInputs + sigmoid.controlInputs,
          attributes: attributes, constant: nil)
        folded.insert(sigmoidIndex)
        if let alsoFolded { folded.insert(alsoFolded) }
        break
      }
    }
    return (replacements, folded)
  }

  /// β when `node` is `Mul(β, x)` or `Mul(x, β)` with β a float32 scalar constant.
  private static func scalarScale(_ node: GraphFunction.Node, of x: GraphFunction.Input, in function: GraphFunction)
    -> Float?
  {
    guard node.op == "Mul", node.inputs.count == 2, node.inputs.contains(x) else { return nil }
    for input in node.inputs where input != x {
      guard case .node(let constantIndex, 0) = input, let constant = function.nodes[constantIndex].constant,
        constant.dtype == .float32, constant.elementCount == 1, constant.rank == 0
      else { return nil }
      return try? constant.floats().first
    }
    return nil
  }

  static func register(into registry: inout OpRegistry) {
    registry.register(fusedOp) { context throws(InferenceError) in
      let x = try context.tensor(0)
      let beta = try context.float("beta", default: 1)
      return [.tensor(try context.run { try Swish.apply(x, beta: beta) })]
    }
  }
}
