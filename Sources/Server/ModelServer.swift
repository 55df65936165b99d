import Foundation
import Hummingbird
import Logging
import Registry
import ServiceLifecycle
import Synchronization

/// `registry serve`: the REST API (and, once wired in, gRPC and the web catalog) over the
/// versions a `ModelManager` loads from a store.
///
/// The HTTP server listens at once (`/healthz` answers, `/readyz` says 503 until the first
/// catalog read is loaded); the catalog is polled every `pollInterval`. SIGTERM and SIGINT stop
/// the listener, let requests in flight finish, stop the poller and the inference workers, and
/// return normally.
public final class ModelServer: Sendable {
  public struct Configuration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (`onReady` is told which).
    public var restPort = 8501
    public var manager = ModelManager.Options()
    public var pollInterval: Duration = .seconds(2)
    public var limits = RESTRoutes.Limits()
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Calls that may wait for a worker; past it requests are refused with 429.
    public var queueCapacity = 256

    public init() {}
  }

  /// Seconds a connection may sit idle (no request being read or answered) before it is closed.
  public static let idleTimeoutSeconds: Int64 = 60

  public let configuration: Configuration
  public let manager: ModelManager
  public let metrics: ServingMetrics
  public let routes: RESTRoutes
  private let logger: Logger

  /// - Parameter logger: where loads, failures and server events are logged; by default
  ///   standard error, at `$LOG_LEVEL` (default info), keeping standard output for the ready line.
  public init(registry: Registry, configuration: Configuration, logger: Logger = ModelServer.standardErrorLogger()) {
    self.configuration = configuration
    self.logger = logger
    metrics = ServingMetrics()
    let queue = InferenceQueue(workers: configuration.workers, capacity: configuration.queueCapacity)
    manager = ModelManager(
      registry: registry, options: configuration.manager, queue: queue, metrics: metrics, logger: logger)
    routes = RESTRoutes(manager: manager, metrics: metrics, limits: configuration.limits)
  }

  public static func standardErrorLogger() -> Logger {
    var logger = Logger(label: "registry.serve", factory: { StreamLogHandler.standardError(label: $0) })
    logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
    return logger
  }

  /// A router with the REST API, health, readiness and metrics routes; add more (the web
  /// catalog's) before passing it to `run`.
  public func makeRouter() -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    routes.addRoutes(to: router)
    return router
  }

  /// Serves until SIGTERM or SIGINT (or the task is cancelled).
  ///
  /// - Parameter onReady: called once, when the listener is bound and the first catalog read is
  ///   loaded, with the address actually bound (the port chosen for port 0).
  public func run(
    router: Router<BasicRequestContext>,
    onReady: @escaping @Sendable (_ host: String, _ port: Int, _ versions: Int, _ models: Int) -> Void
  ) async throws {
    let gate = ReadyGate(manager: manager, host: configuration.host, onReady: onReady)
    let application = Application(
      router: router,
      // A connection idle this long is closed, so idle keep-alive or stalled clients cannot hold
      // connections (and a graceful shutdown) open indefinitely.
      server: .http1(configuration: .init(idleTimeout: .seconds(Self.idleTimeoutSeconds))),
      configuration: ApplicationConfiguration(
        address: .hostname(configuration.host, port: configuration.restPort), serverName: "registry"),
      onServerRunning: { channel in gate.bound(port: channel.localAddress?.port ?? 0) },
      logger: logger)
    let poller = Poller(manager: manager, interval: configuration.pollInterval, gate: gate)
    let group = ServiceGroup(
      configuration: ServiceGroupConfiguration(
        services: [
          .init(service: application, successTerminationBehavior: .gracefullyShutdownGroup),
          .init(service: poller),
        ],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    defer { manager.queue.stop() }
    try await group.run()
  }
}

/// Calls `onReady` once both the listener is bound and the first catalog read is loaded.
final class ReadyGate: Sendable {
  private let state = Mutex<(port: Int?, loaded: Bool, announced: Bool)>((nil, false, false))
  private let manager: ModelManager
  private let host: String
  private let onReady: @Sendable (String, Int, Int, Int) -> Void

  init(manager: ModelManager, host: String, onReady: @escaping @Sendable (String, Int, Int, Int) -> Void) {
    self.manager = manager
    self.host = host
    self.onReady = onReady
  }

  func bound(port: Int) {
    state.withLock { $0.port = port }
    announceIfReady()
  }

  func loaded() {
    state.withLock { $0.loaded = true }
    announceIfReady()
  }

  private func announceIfReady() {
    let port = state.withLock { state -> Int? in
      guard let port = state.port, state.loaded, !state.announced else { return nil }
      state.announced = true
      return port
    }
    guard let port else { return }
    let counts = manager.availableCounts()
    onReady(host, port, counts.versions, counts.models)
  }
}

/// Loads the catalog's versions, then re-reads the catalog every interval until shutdown.
struct Poller: Service {
  let manager: ModelManager
  let interval: Duration
  let gate: ReadyGate

  func run() async throws {
    try await cancelWhenGracefulShutdown {
      await manager.refresh(force: true)
      gate.loaded()
      while !Task.isCancelled {
        try? await Task.sleep(for: interval)
        if Task.isCancelled { break }
        await manager.refresh()
      }
    }
  }
}
