import Foundation
import SavedModelFormat
import TFProto
import TensorKernels

/// A SavedModel loaded for serving: graph imported and checked, variables restored, init op run.
/// Load once, then call `run` as often as needed, from any thread.
///
/// Loading follows TensorFlow's session recipe (savedmodel-format.md §5.2): pick the meta graph by
/// tag set, restore variables by running the saver's restore op with the checkpoint prefix fed
/// (the traced restore function in TF2, `save/restore_all` in TF1), then run the init op, which
/// fills lookup tables; both run with the asset placeholders fed their files' paths.
public final class LoadedModel: Sendable {
  /// One input or output of a signature.
  public struct TensorSpec: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    /// `nil` for unknown rank; `-1` for an unknown dimension.
    public let shape: [Int]?
    let node: Int
    let output: Int
  }

  public struct Signature: Sendable {
    public let key: String
    public let methodName: String
    public let inputs: [TensorSpec]
    public let outputs: [TensorSpec]
  }

  public let signatures: [String: Signature]
  let graph: GraphFunction
  let runtime: Runtime

  /// Loads a SavedModel directory.
  ///
  /// - Parameters:
  ///   - tags: the meta graph's tag set (default `serve`; a model with one meta graph loads it
  ///     whatever its tags).
  ///   - readFile: how ops read asset files (vocabularies), given the path the graph is fed
  ///     (`<directory>/assets/<name>`); by default only files inside the model's `assets/`
  ///     (`AssetFiles.reader(for:)`), so a crafted graph cannot read other files.
  /// - Throws: `InferenceError` listing every unsupported op at once (with the function and node
  ///   each is in), or naming what else is wrong (a missing asset file among them); `FormatError`s
  ///   from reading the directory are wrapped.
  public convenience init(
    directory: URL, tags: Set<String> = ["serve"], readFile: AssetFiles.Reader? = nil
  ) throws(InferenceError) {
    try self.init(source: DirectorySource(directory), tags: tags, readFile: readFile)
  }

  /// Loads a SavedModel from any source: a directory, or a registry's stored version
  /// (`Registry.source(of:)`), read without writing a copy.
  ///
  /// - Parameter readFile: how ops read asset files, given the path the graph is fed
  ///   (`<root>/assets/<name>`); by default they are read from the source itself.
  public init(
    source: any SavedModelSource, tags: Set<String> = ["serve"], readFile: AssetFiles.Reader? = nil
  ) throws(InferenceError) {
    let readFile = readFile ?? AssetFiles.reader(for: source)
    let prepared = try Self.prepare(source: source, tags: tags, readFile: readFile)
    let (graph, runtime) = (prepared.graph, prepared.runtime)
    self.graph = graph
    self.runtime = runtime
    self.signatures = prepared.signatures

    // Asset placeholders are fed for restoring and initializing, as TensorFlow's loader does.
    let assets = try AssetFiles.feeds(prepared.metaGraph, graph: graph, directory: source.root)
    if let restore = prepared.restore, let bundle = prepared.bundle {
      let prefix = Tensor(strings: [Array(bundle.prefix.path.utf8)], shape: [])
      let feeds = assets.merging([restore.filename: [.tensor(prefix)]]) { _, prefix in prefix }
      _ = try runtime.evaluate(graph, targets: [restore.op], arguments: [], feeds: feeds)
    }
    if let initOp = prepared.initOp {
      _ = try runtime.evaluate(graph, targets: [initOp], arguments: [], feeds: assets)
    }
  }

  /// Says whether a SavedModel would load and run, without restoring its variables or running
  /// anything: the same import and op check as loading (every op reachable from each signature,
  /// the restore op and the init op must have a kernel; no function may call itself).
  ///
  /// - Returns: the signatures the model offers.
  /// - Throws: the `InferenceError` loading would throw at the same step (`unsupported` listing
  ///   every missing op at once, with where it occurs).
  public static func check(source: any SavedModelSource, tags: Set<String> = ["serve"]) throws(InferenceError)
    -> [Signature]
  {
    let prepared = try prepare(source: source, tags: tags, readFile: AssetFiles.reader(for: source))
    return prepared.signatures.keys.sorted().compactMap { prepared.signatures[$0] }
  }

  /// A model imported and checked, before its variables are restored.
  private struct Prepared {
    let metaGraph: Tensorflow_MetaGraphDef
    let bundle: TensorBundle?
    let graph: GraphFunction
    let runtime: Runtime
    let signatures: [String: Signature]
    let restore: (op: Int, filename: Int)?
    let initOp: Int?
  }

  /// Loading steps 1 to 3 (docs/inference.md): pick the meta graph, import the graph and its
  /// functions, read the signatures, and check that every op that loading or serving could run
  /// has a kernel.
  private static func prepare(
    source: any SavedModelSource, tags: Set<String>, readFile: @escaping AssetFiles.Reader
  ) throws(InferenceError) -> Prepared {
    let model: SavedModelDirectory
    let bundle: TensorBundle?
    do {
      model = try SavedModelDirectory(source: source)
      bundle = try model.bundle()
    } catch {
      throw InferenceError(.invalidArgument, error.description)
    }
    let metaGraphs = model.savedModel.metaGraphs
    guard
      let metaGraph = metaGraphs.count == 1
        ? metaGraphs.first : metaGraphs.first(where: { Set($0.metaInfoDef.tags) == tags })
    else {
      let available = metaGraphs.map { $0.metaInfoDef.tags.joined(separator: ",") }.joined(separator: "; ")
      throw InferenceError(.invalidArgument, "no meta graph with tags \(tags.sorted()) (available: \(available))")
    }

    let opSignatures = OpSignatures(opList: metaGraph.metaInfoDef.strippedOpList, library: metaGraph.graphDef.library)
    let graph = try GraphFunction(graph: metaGraph.graphDef, signatures: opSignatures)
    // Functions that fail to import (gradient functions TensorFlow saves but serving never calls
    // can reference their own outer scope) only matter if something reachable calls them.
    var functions: [String: GraphFunction] = [:]
    var brokenFunctions: [String: InferenceError] = [:]
    for function in metaGraph.graphDef.library.function {
      do {
        functions[function.signature.name] = try GraphFunction(function: function, signatures: opSignatures)
      } catch {
        brokenFunctions[function.signature.name] = error
      }
    }
    let registry = OpCatalog.registry
    let runtime = Runtime(
      functions: functions, kernels: registry, readFile: readFile,
      checkpoint: { key throws(InferenceError) in try Self.readCheckpoint(bundle, key) })
    // Signatures.
    var signatures: [String: Signature] = [:]
    for (key, definition) in metaGraph.signatureDef where !key.hasPrefix("__") {
      func specs(_ tensors: [String: Tensorflow_TensorInfo]) throws(InferenceError) -> [TensorSpec] {
        try tensors.sorted { $0.key < $1.key }.map { name, info throws(InferenceError) in
          guard let dtype = DType(rawValue: info.dtype.rawValue) else {
            throw InferenceError(.unsupported, "signature \(key): \(name) has unsupported dtype \(info.dtype.rawValue)")
          }
          let (node, output) = try Self.locate(info.name, in: graph, context: "signature \(key): \(name)")
          let shape =
            info.hasTensorShape && !info.tensorShape.unknownRank ? info.tensorShape.dim.map { Int($0.size) } : nil
          return TensorSpec(name: name, dtype: dtype, shape: shape, node: node, output: output)
        }
      }
      signatures[key] = Signature(
        key: key, methodName: definition.methodName, inputs: try specs(definition.inputs),
        outputs: try specs(definition.outputs))
    }

    // Check every op that loading or serving could run, and name all unsupported ones at once.
    var targets = signatures.values.flatMap { $0.outputs.map(\.node) }
    let restore = bundle == nil ? nil : try Self.restoreTargets(metaGraph.saverDef, graph: graph)
    if let restore { targets.append(restore.op) }
    let initOp = try Self.initOp(metaGraph, graph: graph)
    if let initOp { targets.append(initOp) }
    try Self.checkSupport(
      graph: graph, targets: targets, functions: functions, broken: brokenFunctions, registry: registry)

    return Prepared(
      metaGraph: metaGraph, bundle: bundle, graph: graph, runtime: runtime, signatures: signatures, restore: restore,
      initOp: initOp)
  }

  /// Runs a signature.
  ///
  /// - Throws: `InferenceError.invalidArgument` for a missing or extra input or a wrong dtype or
  ///   shape (checked before anything runs), or an unknown signature.
  public func run(signature key: String = "serving_default", inputs: [String: Tensor]) throws(InferenceError)
    -> [String: Tensor]
  {
    guard let signature = signatures[key] else {
      throw InferenceError(
        .invalidArgument, "no signature \"\(key)\" (available: \(signatures.keys.sorted().joined(separator: ", ")))")
    }
    var feeds: [Int: [Value]] = [:]
    for spec in signature.inputs {
      guard let tensor = inputs[spec.name] else {
        throw InferenceError(.invalidArgument, "signature \(key): missing input \"\(spec.name)\"")
      }
      guard tensor.dtype == spec.dtype else {
        throw InferenceError(
          .invalidArgument, "signature \(key): input \"\(spec.name)\" must be \(spec.dtype), got \(tensor.dtype)")
      }
      if let shape = spec.shape {
        guard shape.count == tensor.shape.count, zip(shape, tensor.shape).allSatisfy({ $0 == -1 || $0 == $1 }) else {
          throw InferenceError(
            .invalidArgument,
            "signature \(key): input \"\(spec.name)\" must have shape \(Shape.format(shape)), got \(Shape.format(tensor.shape))"
          )
        }
      }
      feeds[spec.node] = [.tensor(tensor)]
    }
    for name in inputs.keys where !signature.inputs.contains(where: { $0.name == name }) {
      throw InferenceError(
        .invalidArgument,
        "signature \(key): unknown input \"\(name)\" (expected \(signature.inputs.map(\.name).joined(separator: ", ")))"
      )
    }
    let values = try runtime.evaluate(graph, targets: signature.outputs.map(\.node), arguments: [], feeds: feeds)
    var outputs: [String: Tensor] = [:]
    for spec in signature.outputs {
      let value = try Runtime.value(
        of: .node(spec.node, output: spec.output), values: values, arguments: [], function: graph)
      outputs[spec.name] = try value.tensor("signature \(key): output \"\(spec.name)\"")
    }
    return outputs
  }

  /// Time per op type across every call in this process, when `REGISTRY_PROFILE` is set.
  public static func profileReport() -> String { OpProfile.report() }

  // MARK: - Loading steps

  static func locate(_ tensorName: String, in graph: GraphFunction, context: String) throws(InferenceError) -> (
    Int, Int
  ) {
    let endpoint = try Endpoint.parse(tensorName, inFunction: false)
    guard case .output(let node, let output) = endpoint, let index = graph.nodeIndex[node] else {
      throw InferenceError(.invalidArgument, "\(context): tensor \"\(tensorName)\" is not in the graph")
    }
    return (index, output)
  }

  static func restoreTargets(_ saver: Tensorflow_SaverDef, graph: GraphFunction) throws(InferenceError) -> (
    op: Int, filename: Int
  )? {
    guard !saver.restoreOpName.isEmpty else { return nil }
    guard let op = graph.nodeIndex[saver.restoreOpName] else {
      throw InferenceError(.invalidArgument, "saver restore op \"\(saver.restoreOpName)\" is not in the graph")
    }
    let (filename, _) = try locate(saver.filenameTensorName, in: graph, context: "saver filename")
    return (op, filename)
  }

  /// The init op: `__saved_model_init_op`'s output, else the `saved_model_main_op` or
  /// `legacy_init_op` collection.
  static func initOp(_ metaGraph: Tensorflow_MetaGraphDef, graph: GraphFunction) throws(InferenceError) -> Int? {
    var name = metaGraph.signatureDef["__saved_model_init_op"]?.outputs["__saved_model_init_op"]?.name
    if name == nil {
      for collection in ["saved_model_main_op", "legacy_init_op"] {
        if let first = metaGraph.collectionDef[collection]?.nodeList.value.first {
          name = first
          break
        }
      }
    }
    guard let name else { return nil }
    let node = name.split(separator: ":").first.map(String.init) ?? name
    guard let index = graph.nodeIndex[node] else {
      throw InferenceError(.invalidArgument, "init op \"\(name)\" is not in the graph")
    }
    return index
  }

  /// Every op reachable from `targets`, through function calls, must have a kernel, and no
  /// reachable function may call itself.
  ///
  /// Each reachable function is visited once, from a work list rather than by recursion (a
  /// hostile library can chain thousands of functions), and the calls found on the way are then
  /// checked for cycles (see `checkCalls`).
  static func checkSupport(
    graph: GraphFunction, targets: [Int], functions: [String: GraphFunction], broken: [String: InferenceError],
    registry: OpRegistry
  ) throws(InferenceError) {
    var missing: [String: [String]] = [:]  // op -> locations
    var visited = Set<String>()
    var calls: [String: [String]] = [:]  // function -> the functions its reachable nodes call
    var topCalls: [String] = []
    var pending: [(function: GraphFunction, targets: [Int], isTop: Bool)] = [(graph, targets, true)]
    while let (function, targets, isTop) = pending.popLast() {
      var called: [String] = []
      for index in try function.executionOrder(for: targets) {
        let node = function.nodes[index]
        if !registry.supports(node.op) && functions[node.op] == nil {
          missing[node.op, default: []].append("\(function.name)/\(node.name)")
        }
        for name in node.attributes.values.flatMap({ [$0.func.name] + $0.list.func.map(\.name) }) where !name.isEmpty {
          if let error = broken[name] { throw error }
          guard let callee = functions[name] else { continue }
          called.append(name)
          guard visited.insert(name).inserted else { continue }
          let calleeTargets =
            callee.outputs.compactMap { output -> Int? in
              if case .node(let node, _) = output.source { return node }
              return nil
            } + callee.controlOutputs
          pending.append((callee, calleeTargets, false))
        }
      }
      if isTop { topCalls = called } else { calls[function.name] = called }
    }
    try checkCalls(from: topCalls, calls: calls)
    guard missing.isEmpty else {
      let list = missing.keys.sorted().map { op in
        let places = missing[op] ?? []
        return "\(op) (\(places.count)x, e.g. \(places.prefix(2).joined(separator: ", ")))"
      }
      throw InferenceError(.unsupported, "unsupported ops: \(list.joined(separator: "; "))")
    }
  }

  /// Refuses recursion: a function that calls itself, directly or through others
  /// (`PartitionedCall`, `While` and `If` bodies), would never finish in TensorFlow either.
  ///
  /// A depth-first walk of the call graph with an explicit stack; a function met again while it
  /// is still on the stack closes a cycle, which the message spells out.
  ///
  /// - Parameters:
  ///   - roots: the functions the top-level graph calls.
  ///   - calls: for each function, the functions it calls.
  /// - Throws: `invalidArgument` naming the cycle.
  /// - Complexity: O(functions + calls).
  static func checkCalls(from roots: [String], calls: [String: [String]]) throws(InferenceError) {
    var state: [String: UInt8] = [:]  // absent new, 1 on the stack, 2 done
    var stack: [(function: String, next: Int)] = []
    for root in roots where state[root] == nil {
      stack.append((root, 0))
      state[root] = 1
      walk: while let top = stack.last {
        let callees = calls[top.function] ?? []
        var next = top.next
        while next < callees.count {
          let callee = callees[next]
          next += 1
          switch state[callee] {
          case nil:
            stack[stack.count - 1].next = next
            state[callee] = 1
            stack.append((callee, 0))
            continue walk
          case 1:
            let cycle = stack.map(\.function).drop(while: { $0 != callee }) + [callee]
            throw InferenceError(
              .invalidArgument, "function \"\(callee)\" calls itself: \(Runtime.describe(Array(cycle)))")
          default:
            continue
          }
        }
        stack.removeLast()
        state[top.function] = 2
      }
    }
  }

  static func readCheckpoint(_ bundle: TensorBundle?, _ key: String) throws(InferenceError) -> Tensor {
    guard let bundle, let entry = bundle.entry(named: key) else {
      throw InferenceError(.invalidArgument, "the checkpoint has no tensor \"\(key)\"")
    }
    guard let dtype = DType(rawValue: entry.dtype.rawValue) else {
      throw InferenceError(.unsupported, "checkpoint tensor \"\(key)\" has unsupported dtype \(entry.dtype.name)")
    }
    let shape = entry.shape.map { Int($0) }
    do {
      if dtype == .string { return Tensor(strings: try bundle.strings(of: entry), shape: shape) }
      return try Tensor(raw: try bundle.bytes(of: entry), dtype: dtype, shape: shape)
    } catch let error as FormatError {
      throw InferenceError(.invalidArgument, error.description)
    } catch {
      throw InferenceError(.invalidArgument, "checkpoint tensor \"\(key)\": \(error)")
    }
  }
}
