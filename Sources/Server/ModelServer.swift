import Foundation
import Hummingbird
import Logging
import Registry
import RegistryCore
import ServiceLifecycle
import ServingGRPC
import WebCatalog

/// `registry serve`: the REST API, the gRPC API and the web catalog over the versions a
/// `ModelManager` loads from a store. REST and gRPC share the manager, its inference queue and
/// the request deadline.
///
/// The HTTP and gRPC servers listen at once (`/healthz` answers, `/readyz` says 503 until the first
/// catalog read is loaded); the catalog is polled every `pollInterval`. SIGTERM and SIGINT stop
/// the listener, let requests in flight finish, stop the poller and the inference workers, and
/// return normally.
public final class ModelServer: Sendable {
  public struct Configuration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (`onReady` is told which).
    public var restPort = 8501
    /// The gRPC port (0 picks a free one); nil serves no gRPC.
    public var grpcPort: Int? = 8500
    /// The web catalog under `/ui/`.
    public var webCatalog = true
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
    routes = RESTRoutes(manager: manager, metrics: metrics, limits: configuration.limits, logger: logger)
  }

  public static func standardErrorLogger() -> Logger {
    var logger = Logger(label: "registry.serve", factory: { StreamLogHandler.standardError(label: $0) })
    logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
    return logger
  }

  /// A router with the REST API, health, readiness and metrics routes, and the web catalog
  /// unless the configuration turns it off.
  public func makeRouter() -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    routes.addRoutes(to: router)
    if configuration.webCatalog { WebCatalog(registry: manager.registry).addRoutes(to: router) }
    return router
  }

  /// Serves until SIGTERM or SIGINT (or the task is cancelled).
  ///
  /// - Parameter onReady: called once, when the listeners are bound and the first catalog read
  ///   is loaded, with the addresses actually bound (the ports chosen for port 0).
  public func run(
    router: Router<BasicRequestContext>,
    onReady: @escaping @Sendable (Ready) -> Void
  ) async throws {
    let gate = ReadyGate(
      manager: manager, host: configuration.host, waitsForGRPC: configuration.grpcPort != nil, onReady: onReady)
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
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
      .init(service: application, successTerminationBehavior: .gracefullyShutdownGroup),
      .init(service: poller),
    ]
    if let grpcPort = configuration.grpcPort {
      let backend = ManagedBackend(
        manager: manager, requestTimeout: configuration.limits.requestTimeout, recorder: routes.recorder)
      let server = makeServingServer(
        host: configuration.host, port: grpcPort, backend: backend, maxRequestBytes: configuration.limits.maxBodyBytes)
      services.append(.init(service: GRPCService(server: server, gate: gate)))
    }
    let group = ServiceGroup(
      configuration: ServiceGroupConfiguration(
        services: services,
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    defer { manager.queue.stop() }
    try await group.run()
  }
}

/// Where `registry serve` answers, once it does.
public struct Ready: Sendable {
  public let host: String
  public let restPort: Int
  /// nil when gRPC is not served.
  public let grpcPort: Int?
  /// Versions AVAILABLE, and the models they belong to, after the first catalog read.
  public let versions: Int
  public let models: Int
}

/// Calls `onReady` once the listeners are bound and the first catalog read is loaded.
final class ReadyGate: Sendable {
  private struct State {
    var restPort: Int?
    var grpcPort: Int?
    var loaded = false
    var announced = false
  }

  private let state = Locked(State())
  private let manager: ModelManager
  private let host: String
  private let waitsForGRPC: Bool
  private let onReady: @Sendable (Ready) -> Void

  init(manager: ModelManager, host: String, waitsForGRPC: Bool, onReady: @escaping @Sendable (Ready) -> Void) {
    self.manager = manager
    self.host = host
    self.waitsForGRPC = waitsForGRPC
    self.onReady = onReady
  }

  func bound(port: Int) {
    state.withLock { $0.restPort = port }
    announceIfReady()
  }

  func grpcBound(port: Int) {
    state.withLock { $0.grpcPort = port }
    announceIfReady()
  }

  func loaded() {
    state.withLock { $0.loaded = true }
    announceIfReady()
  }

  private func announceIfReady() {
    let ports = state.withLock { state -> (rest: Int, grpc: Int?)? in
      guard let rest = state.restPort, state.loaded, !state.announced else { return nil }
      guard !waitsForGRPC || state.grpcPort != nil else { return nil }
      state.announced = true
      return (rest, state.grpcPort)
    }
    guard let ports else { return }
    let counts = manager.availableCounts()
    onReady(
      Ready(host: host, restPort: ports.rest, grpcPort: ports.grpc, versions: counts.versions, models: counts.models))
  }
}

/// The gRPC server as a service of the group: it stops accepting on graceful shutdown and
/// returns once the calls in flight have finished.
struct GRPCService: Service {
  let server: GRPCServingServer
  let gate: ReadyGate

  func run() async throws {
    try await withGracefulShutdownHandler {
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        group.addTask { gate.grpcBound(port: try await server.port) }
        try await group.waitForAll()
      }
    } onGracefulShutdown: {
      server.shutDown()
    }
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
