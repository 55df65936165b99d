import Foundation
import RegistryCore
import TensorKernels
import TextKernels

/// Everything a graph run needs besides its inputs: the function library, the kernels, the
/// variables and lookup tables, where `RestoreV2` reads checkpoint tensors from and how ops read
/// asset files.
final class Runtime: Sendable {
  let functions: [String: GraphFunction]
  let kernels: OpRegistry
  let variables = VariableStore()
  let tables = TableStore()
  /// Execution plans already computed, by function and targets: planned once, reused by every
  /// call.
  private let plans = Locked<[PlanKey: Plan]>([:])
  /// The values of each plan's `VariableFolding`, by plan and the resources its reads used,
  /// with the variable generation they were computed at; nil values when they were too large to
  /// keep, so later calls do not collect them again.
  private let folded = Locked<[FoldKey: (generation: UInt64, values: [Int: [Value]]?)]>([:])

  /// How many sets of kept values there are: one per plan and resources (for tests).
  var keptValueSets: Int { folded.withLock { $0.count } }

  /// The nodes to run, in dependency order, and when each node's outputs can be let go.
  struct Plan {
    let order: [Int]
    /// `releases[step]`: the nodes whose outputs no step after `step` reads (targets are kept).
    /// Letting them go as soon as possible keeps the working set small, so freed buffers are
    /// reused while still in cache instead of every intermediate living until the call ends.
    let releases: [[Int]]

    /// `nodes[step]`: the node as it runs at that step, which is the graph's or, for nodes
    /// that run in another form (see `PadFusion`, `SwishFusion`, `EpilogueFusion`), its
    /// replacement.
    let nodes: [GraphFunction.Node]
    /// `kernels[step]`: the kernel of `nodes[step]`'s op, nil when no kernel runs it. Looked up
    /// once here rather than by op name at every step: an LSTM's loop runs ~45 ops per step.
    let kernels: [OpRegistry.Kernel?]
    /// The nodes that run in another form than the graph's, by node index.
    let replacements: [Int: GraphFunction.Node]

    /// - Parameter fed: the nodes whose values the caller supplies (they are not computed).
    init(function: GraphFunction, targets: [Int], kernels registry: OpRegistry, fed: Set<Int> = [])
      throws(InferenceError)
    {
      let pads = PadFusion.plan(function, targets: targets)
      let swishes = SwishFusion.plan(function, targets: targets)
      let epilogues = EpilogueFusion.plan(
        function, targets: targets, earlier: pads.replacements.merging(swishes.replacements) { first, _ in first },
        taken: pads.folded.union(swishes.folded))
      let fusion = (
        replacements: pads.replacements.merging(swishes.replacements) { first, _ in first }
          .merging(epilogues.replacements) { _, epilogue in epilogue },
        folded: pads.folded.union(swishes.folded).union(epilogues.folded)
      )
      replacements = fusion.replacements
      let order = try function.executionOrder(for: targets).filter { !fusion.folded.contains($0) }
      self.order = order
      nodes = order.map { fusion.replacements[$0] ?? function.nodes[$0] }
      kernels = nodes.map { registry.kernel(for: $0.op) }
      var lastUse = [Int](repeating: -1, count: function.nodes.count)
      for (step, node) in nodes.enumerated() {
        for input in node.inputs {
          if case .node(let source, _) = input { lastUse[source] = step }
        }
      }
      for target in targets { lastUse[target] = -1 }
      var releases = [[Int]](repeating: [], count: order.count)
      for (node, step) in lastUse.enumerated() where step >= 0 { releases[step].append(node) }
      self.releases = releases

      var inPlace = [(rule: InPlaceRule, position: Int)?](repeating: nil, count: order.count)
      for (step, node) in nodes.enumerated() {
        guard let rule = InPlaceRule(node) else { continue }
        for position in rule.candidates where position < node.inputs.count {
          guard case .node(let source, _) = node.inputs[position], lastUse[source] == step,
            node.inputs.filter({ if case .node(source, _) = $0 { true } else { false } }).count == 1
          else { continue }
          inPlace[step] = (rule, position)
          break
        }
      }
      self.inPlace = inPlace
      folding = VariableFolding(
        function: function, order: order, nodes: nodes, kernels: kernels, targets: targets, fed: fed)
    }

    /// The steps whose values depend only on constants and variables, kept between calls.
    let folding: VariableFolding?

    /// `inPlace[step]`: the op may overwrite its operand `position`, which dies at this step.
    let inPlace: [(rule: InPlaceRule, position: Int)?]
  }

  private struct PlanKey: Hashable {
    let function: String
    let targets: [Int]
    let fed: [Int]
  }

  private struct FoldKey: Hashable {
    let plan: PlanKey
    let resources: [String]
  }
  /// Reads a checkpoint tensor by key (RestoreV2).
  let checkpoint: @Sendable (String) throws(InferenceError) -> Tensor
  /// Reads an asset file by path (vocabularies for `InitializeTableFromTextFileV2`).
  let readFile: AssetFiles.Reader

  init(
    functions: [String: GraphFunction], kernels: OpRegistry,
    readFile: @escaping AssetFiles.Reader = AssetFiles.fileSystem,
    checkpoint: @escaping @Sendable (String) throws(InferenceError) -> Tensor
  ) {
    self.functions = functions
    self.kernels = kernels
    self.readFile = readFile
    self.checkpoint = checkpoint
  }

  /// Runs a function on its arguments for the node `caller` and returns its outputs, in
  /// signature order.
  ///
  /// Calls nest (`PartitionedCall`, `While` and `If` bodies calling functions), so a function that
  /// calls itself, directly or through others, would recurse until the stack overflows. Loading
  /// refuses such cycles (see `LoadedModel.checkCalls`); this bound is the runtime's own guard,
  /// for any chain of calls, and names the chain.
  ///
  /// - Throws: `resourceExhausted` when the call would nest deeper than
  ///   `Limits.current.functionDepth`.
  func call(_ name: String, _ arguments: [Value], from caller: OpContext) throws(InferenceError) -> [Value] {
    let chain = caller.callChain + [name]
    let depth = Limits.current.functionDepth
    guard Int64(chain.count) <= depth else {
      let error = LimitExceeded(
        "the call chain \(Self.describe(chain))", limit: "FUNCTION_DEPTH", requested: Int64(chain.count), allowed: depth
      )
      throw InferenceError(.resourceExhausted, "\(caller.location): \(error.message)")
    }
    guard let function = functions[name] else {
      throw InferenceError(.invalidArgument, "\(caller.location): calls unknown function \"\(name)\"")
    }
    guard arguments.count == function.arguments.count else {
      throw InferenceError(
        .invalidArgument,
        "\(caller.location): \(name) takes \(function.arguments.count) arguments, got \(arguments.count)")
    }
    let targets =
      function.outputs.compactMap { output -> Int? in
        if case .node(let node, _) = output.source { return node }
        return nil
      } + function.controlOutputs
    let values = try evaluate(function, targets: targets, arguments: arguments, feeds: [:], callChain: chain)
    return try function.outputs.map { output throws(InferenceError) in
      try Self.value(of: output.source, values: values, arguments: arguments, function: function)
    }
  }

  /// A call chain for a message: the functions in order, the middle elided when it is long.
  static func describe(_ chain: [String]) -> String {
    let shown = chain.count <= 8 ? chain : Array(chain.prefix(5)) + ["…"] + Array(chain.suffix(2))
    return shown.joined(separator: " -> ")
  }

  /// Evaluates the nodes `targets` need, in dependency order, and returns every node's outputs.
  ///
  /// - Parameters:
  ///   - feeds: values that replace a node's outputs (signature inputs, the checkpoint
  ///     prefix), by node index.
  ///   - callChain: the functions being called to get here, outermost first (empty for the
  ///     top-level graph).
  func evaluate(
    _ function: GraphFunction, targets: [Int], arguments: [Value], feeds: [Int: [Value]], callChain: [String] = []
  ) throws(InferenceError) -> [[Value]?] {
    var values = [[Value]?](repeating: nil, count: function.nodes.count)
    for (node, fed) in feeds { values[node] = fed }
    let key = PlanKey(function: function.name, targets: targets, fed: feeds.keys.sorted())
    let plan: Plan
    if let cached = plans.withLock({ $0[key] }) {
      plan = cached
    } else {
      plan = try Plan(function: function, targets: targets, kernels: kernels, fed: Set(feeds.keys))
      plans.withLock { $0[key] = plan }
    }
    // Values kept from an earlier call stand in for the steps that made them; otherwise this call
    // collects them for the next one.
    var foldKey: FoldKey?
    var reuseFolded = false
    var generation: UInt64 = 0
    if let folding = plan.folding, let resources = folding.resources(in: arguments) {
      let candidate = FoldKey(plan: key, resources: resources)
      generation = variables.generation
      switch folded.withLock({ $0[candidate] }) {
      case (_, nil)?: break  // too large to keep: every step runs, as without folding
      case (generation, let kept?)?:
        for (node, outputs) in kept { values[node] = outputs }
        reuseFolded = true
      default: foldKey = candidate
      }
    }
    let collecting = foldKey != nil
    var captured: [Int: [Value]] = [:]
    for (step, index) in plan.order.enumerated() {
      defer {
        if collecting, plan.folding!.keptAt[step], let outputs = values[index] { captured[index] = outputs }
        for node in plan.releases[step] { values[node] = nil }
      }
      guard values[index] == nil else { continue }
      if reuseFolded, plan.folding!.foldable[step] { continue }
      let node = plan.nodes[step]
      let start = OpProfile.shared == nil ? 0 : DispatchTime.now().uptimeNanoseconds
      // An operand that dies here is taken out of `values`, so that if nothing else shares its
      // buffer the op can write into it.
      var owned: (position: Int, value: Value)?
      if let (rule, position) = plan.inPlace[step], case .node(let source, let output) = node.inputs[position],
        let outputs = values[source], output < outputs.count
      {
        values[source] = nil
        owned = (position, outputs[output])
        if case .tensor(var tensor) = owned!.value {
          owned = nil  // drop the extra reference while the op checks the buffer is unshared
          var other: Tensor?
          if node.inputs.count == 2 {
            let value = try Self.value(
              of: node.inputs[1 - position], values: values, arguments: arguments, function: function)
            if case .tensor(let operand) = value { other = operand }
          }
          if rule.apply(&tensor, position: position, other: other) {
            values[index] = [.tensor(tensor)]
            OpProfile.shared?.record(node.op, DispatchTime.now().uptimeNanoseconds - start)
            continue
          }
          owned = (position, .tensor(tensor))
        }
      }
      var inputs: [Value] = []
      inputs.reserveCapacity(node.inputs.count)
      for (position, input) in node.inputs.enumerated() {
        if let owned, owned.position == position {
          inputs.append(owned.value)
        } else {
          inputs.append(try Self.value(of: input, values: values, arguments: arguments, function: function))
        }
      }
      owned = nil
      guard let kernel = plan.kernels[step] else {
        throw InferenceError(.unsupported, "\(function.name): node \"\(node.name)\" uses unsupported op \(node.op)")
      }
      let context = OpContext(node: node, inputs: inputs, runtime: self, graph: function, callChain: callChain)
      values[index] = try kernel(context)
      OpProfile.shared?.record(node.op, DispatchTime.now().uptimeNanoseconds - start)
    }
    if let foldKey, let folding = plan.folding, captured.count == folding.kept.count {
      let fits = folding.fits(captured, function: function)
      folded.withLock { $0[foldKey] = (generation, fits ? captured : nil) }
    }
    return values
  }

  static func value(
    of input: GraphFunction.Input, values: [[Value]?], arguments: [Value], function: GraphFunction
  ) throws(InferenceError) -> Value {
    switch input {
    case .argument(let position):
      return arguments[position]
    case .node(let node, let output):
      guard let outputs = values[node] else {
        throw InferenceError(.invalidArgument, "\(function.name): node \"\(function.nodes[node].name)\" did not run")
      }
      guard output < outputs.count else {
        throw InferenceError(
          .invalidArgument,
          "\(function.name): reads output \(output) of \"\(function.nodes[node].name)\" (\(function.nodes[node].op)), which has \(outputs.count)"
        )
      }
      return outputs[output]
    }
  }
}
