import Foundation
import TFProto
import TensorKernels

/// Folds the per-channel ops that follow a convolution (`BiasAdd`, batch normalisation as Keras
/// writes it, `Mul` then `AddV2`, and `Relu`/`Relu6`) into the convolution, which applies them to
/// each block of its output while the block is in cache (see `ChannelEpilogue`).
///
/// Apart, each of those ops reads and writes the whole activation once more: four passes over
/// memory per convolution in a Keras ResNet, a third of a batch-32 call. The fused node gives the
/// same bits. Which operands are per-channel is known only at run time (a residual `AddV2` reads a
/// whole activation), so the plan takes the longest chain of candidates and the kernel fuses the
/// steps up to the first that does not fit, then runs the rest apart, as the graph would.
enum EpilogueFusion {
  /// The op name of the fused node; never in a graph, so it cannot clash with a real op.
  static let fusedOp = "_RegistryFusedConvolution"
  /// Attributes of the fused node besides the convolution's own.
  static let convolutionOpAttribute = "_registry_convolution_op"
  static let chainAttribute = "_registry_chain"
  /// The steps that are swish (positions in the chain after the convolution) and their β: the
  /// graph holds their `Mul`, not the swish node that runs.
  static let swishStepsAttribute = "_registry_swish_steps"
  static let swishBetasAttribute = "_registry_swish_betas"

  /// The longest chain fused behind one convolution.
  static let maximumSteps = 8

  /// Each chain's last node, replaced by the fused node (by node index), and the convolution and
  /// other chain nodes, which then no longer run. `earlier` holds the other fusions' replacements
  /// (a convolution may already have absorbed a `Pad`); nodes in `taken` are left alone.
  static func plan(
    _ function: GraphFunction, targets: [Int], earlier: [Int: GraphFunction.Node], taken: Set<Int>
  ) -> (replacements: [Int: GraphFunction.Node], folded: Set<Int>) {
    // Readers as the graph runs after the other fusions: their replacements read in place of the
    // originals, and nodes they folded read nothing (so swish's `Sigmoid` does not count as a
    // second reader of the value it shares with its `Mul`).
    var consumers = [Int](repeating: 0, count: function.nodes.count)
    var reader = [Int?](repeating: nil, count: function.nodes.count)
    var controlled = Set<Int>()
    for (index, original) in function.nodes.enumerated() where !taken.contains(index) {
      let node = earlier[index] ?? original
      for input in node.inputs {
        if case .node(let source, _) = input {
          consumers[source] += 1
          reader[source] = index
        }
      }
      controlled.formUnion(node.controlInputs)
    }
    for output in function.outputs { if case .node(let source, _) = output.source { consumers[source] += 1 } }
    for target in targets { consumers[target] += 1 }

    var replacements: [Int: GraphFunction.Node] = [:]
    var folded = Set<Int>()
    for (index, original) in function.nodes.enumerated()
    where ["Conv2D", "DepthwiseConv2dNative"].contains(original.op) && !taken.contains(index) {
      let convolution = earlier[index] ?? original
      guard convolution.inputs.count == 2,
        let format = convolution.attribute("data_format", \.stringValue, absent: ""), ["", "NHWC"].contains(format)
      else { continue }
      var chain: [Int] = []
      var operands: [GraphFunction.Input] = []
      var controls = convolution.controlInputs
      var current = index
      var swishSteps: [Int64] = []
      var swishBetas: [Float] = []
      while chain.count < maximumSteps, consumers[current] == 1, !controlled.contains(current),
        let next = reader[current], !taken.contains(next), folded.isDisjoint(with: [next])
      {
        // Another fusion's node may be a step only when it is swish (`SwishFusion`).
        let node = earlier[next] ?? function.nodes[next]
        guard earlier[next] == nil || node.op == SwishFusion.fusedOp, let operand = chainOperand(node, reading: current)
        else { break }
        if node.op == SwishFusion.fusedOp {
          swishSteps.append(Int64(chain.count))
          swishBetas.append(node.attribute("beta", \.floatValue, absent: 1) ?? 1)
        }
        chain.append(next)
        if let operand { operands.append(operand) }
        controls += node.controlInputs
        current = next
      }
      guard let last = chain.last else { continue }
      var attributes = convolution.attributes
      var op = Tensorflow_AttrValue()
      op.s = Data(convolution.op.utf8)
      attributes[convolutionOpAttribute] = op
      var steps = Tensorflow_AttrValue()
      steps.list.i = ([index] + chain).map(Int64.init)
      attributes[chainAttribute] = steps
      if !swishSteps.isEmpty {
        var positions = Tensorflow_AttrValue()
        positions.list.i = swishSteps
        attributes[swishStepsAttribute] = positions
        var betas = Tensorflow_AttrValue()
        betas.list.f = swishBetas
        attributes[swishBetasAttribute] = betas
      }
      replacements[last] = GraphFunction.Node(
        name: convolution.name, op: fusedOp, inputs: convolution.inputs + operands, controlInputs: controls,
        attributes: attributes, constant: nil)
      folded.insert(index)
      folded.formUnion(chain.dropLast())
    }
    return (replacements, folded)
  }

  /// When `node` can be a step after the node `source`: `.some(operand)`, the input it combines
  /// with `source`'s output (`.some(nil)` for an activation); `nil` when it cannot.
  private static func chainOperand(_ node: GraphFunction.Node, reading source: Int) -> GraphFunction.Input?? {
    let fromSource: (GraphFunction.Input) -> Bool = { input in
      if case .node(source, 0) = input { return true }
      return false
    }
    switch node.op {
    case "Relu", "Relu6", SwishFusion.fusedOp:
      guard node.inputs.count == 1, fromSource(node.inputs[0]) else { return nil }
      return .some(nil)
    case "BiasAdd":
      guard node.inputs.count == 2, fromSource(node.inputs[0]), !fromSource(node.inputs[1]),
        let format = node.attribute("data_format", \.stringValue, absent: ""), ["", "NHWC"].contains(format)
      else { return nil }
      return .some(node.inputs[1])
    case "Mul", "Add", "AddV2", "Sub":
      guard node.inputs.count == 2, fromSource(node.inputs[0]) != fromSource(node.inputs[1]) else { return nil }
      return .some(fromSource(node.inputs[0]) ? node.inputs[1] : node.inputs[0])
    default:
      return nil
    }
  }

  static func register(into registry: inout OpRegistry) {
    registry.register(fusedOp) { context throws(InferenceError) in
      let convolutionOp = try context.string(convolutionOpAttribute)
      let chain = try context.ints(chainAttribute)
      let swishSteps = try context.ints(swishStepsAttribute, default: [])
      let swishBetas = try context.floats(swishBetasAttribute, default: [])
      guard swishSteps.count == swishBetas.count else {
        throw InferenceError(.invalidArgument, "\(context.location): malformed \(swishStepsAttribute)")
      }
      var attributes = context.node.attributes
      for name in [convolutionOpAttribute, chainAttribute, swishStepsAttribute, swishBetasAttribute] {
        attributes[name] = nil
      }
      let convolutionNode = GraphFunction.Node(
        name: context.node.name, op: convolutionOp, inputs: Array(context.node.inputs.prefix(2)), controlInputs: [],
        attributes: attributes, constant: nil)
      let convolution = OpContext(
        node: convolutionNode, inputs: Array(context.inputs.prefix(2)), runtime: context.runtime,
        graph: context.graph, callChain: context.callChain)

      // The steps, with their operands: the fused node's inputs after the convolution's two.
      // `chain` is the convolution's node index, then each step's.
      guard chain.allSatisfy({ $0 >= 0 && $0 < context.graph.nodes.count }), var previous = chain.first else {
        throw InferenceError(.invalidArgument, "\(context.location): malformed \(chainAttribute)")
      }
      var steps: [(node: GraphFunction.Node, operand: Tensor?, operandFirst: Bool)] = []
      var nextInput = 2
      for (position, index) in chain.dropFirst().enumerated() {
        var node = context.graph.nodes[index]
        if let swish = swishSteps.firstIndex(of: position) {
          // The swish node as `SwishFusion` runs it, in place of its `Mul`.
          var beta = Tensorflow_AttrValue()
          beta.f = swishBetas[swish]
          node = GraphFunction.Node(
            name: node.name, op: SwishFusion.fusedOp, inputs: [.node(previous, output: 0)], controlInputs: [],
            attributes: ["beta": beta], constant: nil)
        }
        if node.inputs.count == 2 {
          // Which side the running value is on (BiasAdd's is always the first).
          var operandFirst = false
          if node.op != "BiasAdd", case .node(let source, 0) = node.inputs[1], source == previous {
            operandFirst = true
          }
          steps.append((node, try context.tensor(nextInput), operandFirst))
          nextInput += 1
        } else {
          steps.append((node, nil, false))
        }
        previous = index
      }

      // The fused prefix: every step up to the first whose operand is not float32 per channel.
      var fused: [ChannelEpilogue.Step] = []
      let input = try context.tensor(0)
      let filter = try context.tensor(1)
      // Only from a filter that holds elements: its dimensions' products then fit in memory (an
      // empty one may have any sizes, and the convolution refuses it below).
      let channels: Int? =
        input.rank == 4 && filter.rank == 4 && filter.elementCount > 0
        ? (convolutionOp == "Conv2D" ? filter.shape[3] : filter.shape[2] * filter.shape[3]) : nil
      if let channels, input.dtype == .float32, filter.dtype == .float32 {
        for step in steps {
          guard let kind = channelStep(step, channels: channels) else { break }
          fused.append(kind)
        }
      }
      let epilogue = fused.isEmpty ? nil : ChannelEpilogue(fused, channels: channels ?? 0, outputRank: 4)
      let done = epilogue == nil ? 0 : fused.count
      var value = try NeuralNetworkOps.convolution(convolution, epilogue: epilogue)

      // The rest apart, in place where the kernel allows, as the runtime would run them.
      for step in steps.dropFirst(done) {
        let position = step.operandFirst ? 1 : 0
        if let rule = InPlaceRule(step.node), rule.apply(&value, position: position, other: step.operand) {
          continue
        }
        var inputs: [Value] = [.tensor(value)]
        if let operand = step.operand { inputs.insert(.tensor(operand), at: step.operandFirst ? 0 : 1) }
        guard let kernel = context.runtime.kernels.kernel(for: step.node.op) else {
          throw InferenceError(
            .unsupported, "\(context.graph.name): node \"\(step.node.name)\" uses unsupported op \(step.node.op)")
        }
        let stepContext = OpContext(
          node: step.node, inputs: inputs, runtime: context.runtime, graph: context.graph, callChain: context.callChain)
        value = try kernel(stepContext)[0].tensor(stepContext.location)
      }
      return [.tensor(value)]
    }
  }

  /// The epilogue step for a chain node whose operand (if any) is float32 and per channel, as
  /// the op would broadcast it without changing the output's shape; `nil` otherwise.
  private static func channelStep(
    _ step: (node: GraphFunction.Node, operand: Tensor?, operandFirst: Bool), channels: Int
  ) -> ChannelEpilogue.Step? {
    switch (step.node.op, step.operand) {
    case ("Relu", nil): return .relu
    case ("Relu6", nil): return .relu6
    case (SwishFusion.fusedOp, nil):
      return step.node.attribute("beta", \.floatValue, absent: 1).map { .swish(beta: $0) }
    case ("BiasAdd", let operand?):
      // BiasAdd's own rule: a vector of exactly the channel count.
      return operand.dtype == .float32 && operand.shape == [channels] ? .add(operand) : nil
    case ("Mul", let operand?), ("Add", let operand?), ("AddV2", let operand?), ("Sub", let operand?):
      guard ChannelEpilogue.isPerChannel(operand, channels: channels, outputRank: 4) else { return nil }
      switch step.node.op {
      case "Mul": return .multiply(operand)
      case "Sub": return step.operandFirst ? .subtractFrom(operand) : .subtract(operand)
      default: return .add(operand)
      }
    default: return nil
    }
  }
}
