import Foundation
import Inference
import Logging
import Registry
import RegistryCore
import ServingGRPC
import TensorKernels

/// The served models: which versions are loaded, their states and labels, and the calls that
/// run them. REST and gRPC both go through this one API.
///
/// Versions are loaded in place from the store (`Registry.source(of:)`, every object re-hashed
/// as it is read), in the background, one at a time; a version is AVAILABLE only after it has
/// loaded and answered one warm-up call. `refresh()` re-reads the catalog when its change token
/// moved: it loads the versions the policy now selects, then moves labels (aliases) to them,
/// then unloads the versions no longer selected. Requests in flight keep their `ServedVersion`
/// alive, so an unloaded version finishes the calls it started. A version that fails to load
/// is END with its error in the status API and affects no other version.
///
/// Thread safety: all state sits behind one mutex held only for lookups and updates, never
/// during loading or inference. `LoadedModel.run` may be called concurrently (its runtime keeps
/// per-call values per call; plans, variables and tables sit behind their own locks), so calls
/// to one version are not serialised.
public final class ModelManager: Sendable {
  public struct Options: Sendable {
    /// The models to serve; empty for every model in the store.
    public var models: [String] = []
    public var policy: VersionPolicy = .latest(1)
    /// Run one call with zero-filled inputs before a version becomes AVAILABLE.
    public var warmUp = true
    /// Dynamic batching: join calls up to this many rows, waiting at most `batchTimeout`; nil
    /// runs every call on its own.
    public var maxBatchSize: Int?
    public var batchTimeout: Duration = .milliseconds(2)

    public init(
      models: [String] = [], policy: VersionPolicy = .latest(1), warmUp: Bool = true, maxBatchSize: Int? = nil,
      batchTimeout: Duration = .milliseconds(2)
    ) {
      self.models = models
      self.policy = policy
      self.warmUp = warmUp
      self.maxBatchSize = maxBatchSize
      self.batchTimeout = batchTimeout
    }
  }

  private struct Entry {
    var state: ServableState
    var served: ServedVersion?
    var error: ServingError?
  }

  private struct Model {
    var versions: [Int: Entry] = [:]
    var labels: [String: Int] = [:]
  }

  private struct State {
    var models: [String: Model] = [:]
    var token: String?
    var hasSynced = false
    var isRefreshing = false
  }

  public let registry: Registry
  public let options: Options
  public let queue: InferenceQueue
  let metrics: ServingMetrics?
  /// Present when `options.maxBatchSize` is set.
  let batcher: DynamicBatcher?
  private let logger: Logger
  private let state = Locked(State())

  public init(
    registry: Registry, options: Options, queue: InferenceQueue, metrics: ServingMetrics? = nil,
    logger: Logger = Logger(label: "registry.serve")
  ) {
    self.registry = registry
    self.options = options
    self.queue = queue
    self.metrics = metrics
    self.logger = logger
    batcher = options.maxBatchSize.map {
      DynamicBatcher(maxBatchSize: $0, timeout: options.batchTimeout, queue: queue)
    }
  }

  // MARK: - Lookups

  /// The version a request names, if it is AVAILABLE.
  ///
  /// - Throws: `notFound` "Servable not found for request: Latest(m)" (or `Specific(m, N)`) for
  ///   an unknown model or a version that is not AVAILABLE; `invalidArgument` "Unrecognized
  ///   servable version label: L" for an unknown label (400, as TensorFlow Serving answers).
  public func servable(model: String, version: VersionRequest) throws(ServingError) -> ServedVersion {
    let found: Result<ServedVersion, ServingError> = state.withLock { state in
      let entry = state.models[model]
      switch version {
      case .latest:
        let newest = entry?.versions.filter { $0.value.state == .available }.max { $0.key < $1.key }
        guard let served = newest?.value.served else {
          return .failure(ServingError(.notFound, "Servable not found for request: Latest(\(model))"))
        }
        return .success(served)
      case .number(let number):
        guard let key = Int(exactly: number), let candidate = entry?.versions[key], candidate.state == .available,
          let served = candidate.served
        else {
          return .failure(ServingError(.notFound, "Servable not found for request: Specific(\(model), \(number))"))
        }
        return .success(served)
      case .label(let label):
        guard let number = entry?.labels[label] else {
          return .failure(ServingError(.invalidArgument, "Unrecognized servable version label: \(label)"))
        }
        guard let candidate = entry?.versions[number], candidate.state == .available, let served = candidate.served
        else {
          return .failure(ServingError(.notFound, "Servable not found for request: Specific(\(model), \(number))"))
        }
        return .success(served)
      }
    }
    return try found.get()
  }

  /// Runs a signature of the version a request names on the inference queue.
  ///
  /// - Parameter deadline: when to give up (`deadlineExceeded`) if the call has not finished.
  /// - Returns: the version that ran (for the response and metrics) and its outputs.
  /// - Throws: `ServingError`: the lookups' errors, an unknown signature (`invalidArgument`),
  ///   the queue's `resourceExhausted` and `deadlineExceeded`, and the inference core's own
  ///   errors (a wrong input dtype or shape is `invalidArgument`) with their categories.
  public func run(
    model: String, version: VersionRequest, signature: String, inputs: [String: Tensor],
    deadline: ContinuousClock.Instant
  ) async throws(ServingError) -> (version: ServedVersion, outputs: [String: Tensor]) {
    try await run(
      try servable(model: model, version: version), signature: signature, inputs: inputs, deadline: deadline)
  }

  /// Runs a signature of a version already looked up (REST looks it up first, to read the
  /// signature's dtypes before decoding the body).
  public func run(
    _ served: ServedVersion, signature: String, inputs: [String: Tensor], deadline: ContinuousClock.Instant
  ) async throws(ServingError) -> (version: ServedVersion, outputs: [String: Tensor]) {
    _ = try served.signature(signature)
    do {
      if let batcher {
        return (served, try await batcher.run(served, signature: signature, inputs: inputs, deadline: deadline))
      }
      let outputs = try await queue.run(deadline: deadline) {
        try served.loaded.run(signature: signature, inputs: inputs)
      }
      return (served, outputs)
    } catch {
      throw ServingError(wrapping: error)
    }
  }

  /// The versions of a model and their states, newest first, END versions included (TensorFlow
  /// Serving's `GetModelStatus`).
  ///
  /// - Parameter version: one version only; nil (or a label, which TensorFlow Serving does not
  ///   resolve here) for all.
  /// - Throws: `notFound` "Could not find any versions of model m", or "Could not find version N
  ///   of model m".
  public func status(model: String, version: Int64? = nil) throws(ServingError) -> [VersionStatus] {
    let statuses = state.withLock { state in
      (state.models[model]?.versions ?? [:]).map {
        VersionStatus(version: $0.key, state: $0.value.state, error: $0.value.error)
      }
      .sorted { $0.version > $1.version }
    }
    guard !statuses.isEmpty else {
      throw ServingError(.notFound, "Could not find any versions of model \(model)")
    }
    guard let version else { return statuses }
    guard let match = statuses.first(where: { Int64($0.version) == version }) else {
      throw ServingError(.notFound, "Could not find version \(version) of model \(model)")
    }
    return [match]
  }

  /// Every served model, by name: its versions (newest first) and labels.
  public func models() -> [ModelStatus] {
    state.withLock { state in
      state.models.keys.sorted().compactMap { name in
        guard let model = state.models[name] else { return nil }
        let versions = model.versions.map {
          VersionStatus(version: $0.key, state: $0.value.state, error: $0.value.error)
        }
        .sorted { $0.version > $1.version }
        return ModelStatus(name: name, versions: versions, labels: model.labels)
      }
    }
  }

  /// Ready: the first catalog read has been applied and every served model has a version
  /// AVAILABLE. Otherwise the reason, for `/readyz`.
  public func readiness() -> (ready: Bool, reason: String) {
    state.withLock { state in
      guard state.hasSynced else { return (false, "loading the catalog's versions") }
      guard !state.models.isEmpty else { return (false, "no models to serve") }
      let waiting = state.models.keys.sorted().filter { name in
        !(state.models[name]?.versions.values.contains { $0.state == .available } ?? false)
      }
      guard waiting.isEmpty else {
        return (false, "no version available yet for \(waiting.joined(separator: ", "))")
      }
      return (true, "ready")
    }
  }

  /// How many versions are AVAILABLE, and of how many models.
  public func availableCounts() -> (versions: Int, models: Int) {
    state.withLock { state in
      var versions = 0
      var models = 0
      for model in state.models.values {
        let count = model.versions.values.filter { $0.state == .available }.count
        versions += count
        if count > 0 { models += 1 }
      }
      return (versions, models)
    }
  }

  // MARK: - Reload

  /// Polls the catalog every `interval` until the task is cancelled.
  public func poll(every interval: Duration) async {
    while !Task.isCancelled {
      await refresh()
      try? await Task.sleep(for: interval)
    }
  }

  /// Brings the loaded versions and labels in line with the catalog, if its change token moved
  /// since the last complete refresh (or always, with `force`). A refresh already running makes
  /// this one return at once; a failed catalog read is logged and retried on the next call.
  public func refresh(force: Bool = false) async {
    let token: String
    do {
      token = try registry.changeToken()
    } catch {
      logger.error("cannot read the catalog's change token: \(error.message)")
      return
    }
    let proceed = state.withLock { state in
      guard !state.isRefreshing, force || state.token != token else { return false }
      state.isRefreshing = true
      return true
    }
    guard proceed else { return }
    defer { state.withLock { $0.isRefreshing = false } }
    do {
      try await apply(try plan())
      state.withLock { state in
        state.token = token
        state.hasSynced = true
      }
      updateGauges()
    } catch {
      logger.error("cannot read the catalog: \(error)")
    }
  }

  /// What the catalog says each model should serve.
  private struct Plan {
    var desired: [String: Set<Int>] = [:]
    var aliases: [String: [String: Int]] = [:]
  }

  private func plan() throws(RegistryError) -> Plan {
    var plan = Plan()
    let wanted = Set(options.models)
    for model in try registry.models() where wanted.isEmpty || wanted.contains(model.name) {
      let live = try registry.versions(of: model.name).map(\.number)
      plan.desired[model.name] = options.policy.select(live: live, aliases: model.aliases)
      plan.aliases[model.name] = model.aliases.filter { live.contains($0.value) }
    }
    for name in wanted where plan.desired[name] == nil {
      plan.desired[name] = []
      plan.aliases[name] = [:]
    }
    return plan
  }

  private func apply(_ plan: Plan) async throws {
    // 1. Load what is new, newest first, each model's in turn. A version that failed to load
    //    stays END with its error: versions are immutable, so a retry would fail the same way.
    let toLoad: [(model: String, version: Int)] = state.withLock { state in
      var list: [(String, Int)] = []
      for (model, desired) in plan.desired.sorted(by: { $0.key < $1.key }) {
        var entry = state.models[model] ?? Model()
        for version in desired.sorted(by: >) {
          let current = entry.versions[version]
          if current == nil || (current?.state == .end && current?.error == nil) {
            entry.versions[version] = Entry(state: .start, served: nil, error: nil)
            list.append((model, version))
          }
        }
        state.models[model] = entry
      }
      return list
    }
    for (model, version) in toLoad {
      state.withLock { $0.models[model]?.versions[version]?.state = .loading }
      let outcome = await load(model: model, version: version)
      state.withLock { state in
        switch outcome {
        case .success(let served):
          state.models[model]?.versions[version] = Entry(state: .available, served: served, error: nil)
        case .failure(let error):
          state.models[model]?.versions[version] = Entry(state: .end, served: nil, error: error)
        }
      }
      switch outcome {
      case .success(let served):
        logger.info("loaded \(model):\(version) in \(String(format: "%.3f", served.loadSeconds)) s")
        metrics?.recordLoad(model: model, version: version, seconds: served.loadSeconds, succeeded: true)
      case .failure(let error):
        logger.error("cannot load \(model):\(version): \(error.message)")
        metrics?.recordLoad(model: model, version: version, seconds: 0, succeeded: false)
      }
      updateGauges()
    }

    // 2. Move labels, only ever onto AVAILABLE versions; a label whose new target failed keeps
    //    its old one while that is still AVAILABLE. 3. Unload what is no longer wanted (and no
    //    label still points at).
    state.withLock { state in
      for (model, desired) in plan.desired {
        guard var entry = state.models[model] else { continue }
        var labels: [String: Int] = [:]
        for (label, target) in plan.aliases[model] ?? [:] {
          if entry.versions[target]?.state == .available {
            labels[label] = target
          } else if let old = entry.labels[label], entry.versions[old]?.state == .available {
            labels[label] = old
          }
        }
        entry.labels = labels
        let pinned = Set(labels.values)
        for (version, current) in entry.versions where !desired.contains(version) && !pinned.contains(version) {
          if current.state != .end {
            entry.versions[version] = Entry(state: .end, served: nil, error: current.error)
          }
        }
        state.models[model] = entry
      }
    }
  }

  private func updateGauges() {
    let counts = availableCounts()
    metrics?.setAvailable(versions: counts.versions, models: counts.models)
  }

  // MARK: - Loading

  /// Loads, describes and warms up one version on a thread of its own (loading is blocking
  /// work, kept off the cooperative pool).
  private func load(model: String, version: Int) async -> Result<ServedVersion, ServingError> {
    let registry = registry
    let warmUp = options.warmUp
    let logger = logger
    return await Self.onThread { () -> Result<ServedVersion, ServingError> in
      let started = ContinuousClock.now
      do {
        let reference = Reference(model: model, selector: .number(version))
        let loaded = try LoadedModel(source: try registry.source(of: reference))
        let detail = try registry.detail(reference)
        let serving = Self.servingMetaGraph(detail)
        let signatureDefs = detail.signatures.filter { $0.metaGraph == serving }
        if warmUp {
          do {
            try Self.warmUp(loaded)
          } catch {
            // Zero-filled inputs are not every model's idea of a valid request (an empty
            // tf.Example misses its required features); the model has loaded, so it serves.
            // A refusal of the input is expected and noted; anything else is worth a warning.
            let failure = ServingError(wrapping: error)
            let level: Logger.Level = failure.category == .invalidArgument ? .info : .warning
            logger.log(
              level: level, "\(model):\(version): the warm-up call with zero-filled inputs failed: \(failure.message)")
          }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return .success(
          ServedVersion(
            model: model, version: version, loaded: loaded, signatureDefs: signatureDefs, loadSeconds: seconds))
      } catch {
        return .failure(ServingError(wrapping: error))
      }
    }
  }

  /// The meta graph `LoadedModel` serves: the only one, else the one tagged exactly `serve`.
  private static func servingMetaGraph(_ detail: VersionDetail) -> Int {
    guard detail.metaGraphs.count > 1 else { return 0 }
    return detail.metaGraphs.firstIndex { Set($0.tags) == ["serve"] } ?? 0
  }

  /// One call of `serving_default` (or the first signature) with zero-filled inputs, unknown
  /// dimensions taken as 1, so the first real request does not pay for planning.
  static func warmUp(_ loaded: LoadedModel) throws {
    guard let signature = loaded.signatures["serving_default"] ?? loaded.signatures.values.min(by: { $0.key < $1.key })
    else { return }
    var inputs: [String: Tensor] = [:]
    for spec in signature.inputs {
      let shape = (spec.shape ?? []).map { $0 < 0 ? 1 : $0 }
      // A static shape can be enormous; a warm-up larger than this is skipped, not allocated.
      guard let count = Limits.elementCount(shape), count <= 1 << 20 else { return }
      if spec.dtype == .string {
        inputs[spec.name] = Tensor(strings: [[UInt8]](repeating: [], count: Int(count)), shape: shape)
      } else {
        inputs[spec.name] = try Tensor(
          raw: [UInt8](repeating: 0, count: Int(count) * (spec.dtype.elementSize ?? 1)), dtype: spec.dtype, shape: shape
        )
      }
    }
    _ = try loaded.run(signature: signature.key, inputs: inputs)
  }

  /// Runs blocking work on a new thread with an 8 MiB stack (the main thread's; deep graphs
  /// recurse) and waits for it without blocking the caller's thread.
  static func onThread<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
      let thread = Thread { continuation.resume(returning: body()) }
      thread.stackSize = 8 << 20
      thread.start()
    }
  }
}
