import TensorKernels

/// The part of a plan whose values depend on nothing but constants and variables, computed on
/// the first call and kept for the next ones while no variable changes.
///
/// Keras writes batch normalisation as ops on its variables: `rsqrt(variance + epsilon)`, times
/// the scale, and the shift from the mean, before the per-channel multiply and add that
/// `EpilogueFusion` folds into the convolution. InceptionV3 runs 94 of these small subgraphs,
/// about 600 ops and a thirtieth of its time at batch 1, to get the same vectors on every call;
/// its graph also makes 436 variable handles per call. Kept values are reused only while the
/// variable store's generation is the one they were computed at, and only in plans that cannot
/// change a variable halfway through (no assignment and no function call), so a read always sees
/// what it would have read.
struct VariableFolding {
  /// Ops whose outputs are a function of their inputs and attributes alone.
  static let pureOps: Set<String> = [
    "Identity", "Reshape", "ExpandDims", "Squeeze", "Cast", "Transpose", "Add", "AddV2", "Sub", "Mul", "RealDiv",
    "Div", "DivNoNan", "Maximum", "Minimum", "Neg", "Reciprocal", "Rsqrt", "Sqrt", "Square", "SquaredDifference",
  ]

  /// Ops whose outputs never change: a constant, and the handle of a variable by name.
  static let fixedOps: Set<String> = ["Const", "VarHandleOp"]

  /// Ops whose outputs share the buffer they read or hold anyway, so keeping them costs no memory.
  static let sharingOps: Set<String> = ["Const", "VarHandleOp", "ReadVariableOp", "Identity"]

  /// Bytes of kept values beyond those of `sharingOps` above which a call keeps nothing: such
  /// values are copies (a transposed or cast weight), and a model's worth of them would double
  /// its memory.
  static let keptBytesLimit = 64 << 20

  /// `foldable[step]`: the step's value is one of those kept, or only they read it.
  let foldable: [Bool]
  /// The nodes whose values are kept: foldable nodes that a step which is not foldable reads,
  /// and foldable targets.
  let kept: [Int]
  /// `keptAt[step]`: the step's node is one of `kept`.
  let keptAt: [Bool]
  /// The argument positions a foldable `ReadVariableOp` reads: the resources a kept value
  /// depends on, part of its key.
  let resourceArguments: [Int]

  /// Nil when no step of the plan is foldable.
  init?(
    function: GraphFunction, order: [Int], nodes: [GraphFunction.Node], kernels: [OpRegistry.Kernel?], targets: [Int],
    fed: Set<Int>
  ) {
    let readsFold = !zip(nodes, kernels).contains { node, kernel in kernel == nil || Self.mayChangeVariables(node) }
    var foldableNode = [Bool](repeating: false, count: function.nodes.count)
    var foldable = [Bool](repeating: false, count: order.count)
    var resourceArguments = Set<Int>()
    for (step, node) in nodes.enumerated() {
      let isRead = node.op == "ReadVariableOp"
      // In a plan that may assign, only fixed ops fold: a pure op given a handle reads the variable
      // too (see `OpContext.tensor`).
      guard !fed.contains(order[step]),
        Self.fixedOps.contains(node.op) || (readsFold && (isRead || Self.pureOps.contains(node.op))),
        node.controlInputs.allSatisfy({ foldableNode[$0] })
      else { continue }
      var arguments: [Int] = []
      let inputsFold = node.inputs.allSatisfy { input in
        switch input {
        case .node(let source, _): return foldableNode[source]
        case .argument(let position):
          arguments.append(position)
          return isRead
        }
      }
      guard inputsFold else { continue }
      resourceArguments.formUnion(arguments)
      foldable[step] = true
      foldableNode[order[step]] = true
    }
    guard foldable.contains(true) else { return nil }
    var kept = Set(targets.filter { foldableNode[$0] })
    for (step, node) in nodes.enumerated() where !foldable[step] {
      for case .node(let source, _) in node.inputs where foldableNode[source] { kept.insert(source) }
      for source in node.controlInputs where foldableNode[source] { kept.insert(source) }
    }
    self.foldable = foldable
    self.kept = kept.sorted()
    keptAt = order.map { kept.contains($0) }
    self.resourceArguments = resourceArguments.sorted()
  }

  /// Whether a node may assign a variable, or call a function that may: an op that assigns or
  /// updates a resource by name, or any op with a function attribute (calls, loops,
  /// conditionals). A step without a kernel counts too (the plan's caller checks those).
  static func mayChangeVariables(_ node: GraphFunction.Node) -> Bool {
    let op = node.op
    return op.contains("Assign") || op.hasPrefix("Resource") || op.hasPrefix("Scatter") || op == "DestroyResourceOp"
      || node.attributes.values.contains { !$0.func.name.isEmpty || !$0.list.func.isEmpty }
  }

  /// The resource keys this call's foldable reads use, in `resourceArguments` order; nil when an
  /// argument there is not a resource (the read then fails as it would without folding).
  func resources(in arguments: [Value]) -> [String]? {
    var keys: [String] = []
    for position in resourceArguments {
      guard position < arguments.count, case .resource(let key) = arguments[position] else { return nil }
      keys.append(key)
    }
    return keys
  }

  /// Whether the kept values fit `limit` bytes, counting only those that are copies.
  func fits(_ values: [Int: [Value]], function: GraphFunction, limit: Int = keptBytesLimit) -> Bool {
    var bytes = 0
    for (node, outputs) in values where !Self.sharingOps.contains(function.nodes[node].op) {
      for case .tensor(let tensor) in outputs {
        bytes += tensor.elementCount * (tensor.dtype.elementSize ?? 64)
        if bytes > limit { return false }
      }
    }
    return true
  }
}
