import ArgumentParser
import Foundation
import Registry
import RegistryCore
import Server
import ServingGRPC

extension RegistryCommand {
  /// `registry serve`: TensorFlow Serving's REST and gRPC APIs, and the web catalog, over
  /// versions loaded from the store.
  struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Serve stored versions over TensorFlow Serving's REST and gRPC APIs (docs/serve.md).",
      discussion: """
        Versions load in place from the store, in the background; aliases are TensorFlow \
        Serving's version labels. The catalog is polled for new versions and moved aliases, \
        which are loaded before labels move to them. Prints one line when ready: \
        "serving N versions of M models on http://HOST:PORT (gRPC HOST:PORT)". SIGTERM or SIGINT stops \
        accepting, lets requests in flight finish and exits 0.
        """)

    @Option(name: .long, help: "The address to listen on.") var host = "127.0.0.1"
    @Option(name: .customLong("rest-port"), help: "The REST port; 0 picks a free one.") var restPort = 8501
    @Option(name: .customLong("grpc-port"), help: "The gRPC port; 0 picks a free one.") var grpcPort = 8500
    @Flag(name: .customLong("no-grpc"), help: "Do not serve the gRPC API.") var noGRPC = false
    @Option(name: .customLong("model"), help: "A model to serve (repeat for more; default: every model).")
    var models: [String] = []
    @Option(
      name: .long,
      help: "Which versions: latest, latest:N, all or aliased; aliased versions are always served.")
    var versions = "latest"
    @Option(name: .customLong("poll-interval"), help: "How often to re-read the catalog (e.g. 2s, 500ms).")
    var pollInterval = "2s"
    @Option(
      name: .customLong("max-batch-size"),
      help: "Dynamic batching: join concurrent predict calls up to this many rows (default: off).")
    var maxBatchSize: Int?
    @Option(name: .customLong("batch-timeout"), help: "Dynamic batching: how long a call waits for others.")
    var batchTimeout = "2ms"
    @Option(name: .customLong("max-body-bytes"), help: "The largest request body, also after gzip inflation.")
    var maxBodyBytes = 64 << 20
    @Option(name: .customLong("request-timeout"), help: "How long a request may wait for and run inference.")
    var requestTimeout = "30s"
    @Option(name: .long, help: "Inference calls run at once (default: the number of CPUs).") var workers: Int?
    @Option(name: .customLong("max-queue"), help: "Calls that may wait for a worker before 429s.") var maxQueue = 256
    @Flag(name: .customLong("no-ui"), help: "Do not serve the web catalog (/ui/).") var noUI = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
      guard (0...65535).contains(restPort) else { throw ValidationError("--rest-port must be 0 to 65535") }
      guard (0...65535).contains(grpcPort) else { throw ValidationError("--grpc-port must be 0 to 65535") }
      guard Self.duration(pollInterval).map({ $0 > .zero }) == true else {
        throw ValidationError("--poll-interval takes a duration such as 2s or 500ms, got \"\(pollInterval)\"")
      }
      guard Self.duration(requestTimeout).map({ $0 > .zero }) == true else {
        throw ValidationError("--request-timeout takes a duration such as 30s, got \"\(requestTimeout)\"")
      }
      guard Self.duration(batchTimeout) != nil else {
        throw ValidationError("--batch-timeout takes a duration such as 2ms, got \"\(batchTimeout)\"")
      }
      guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
      guard (workers ?? 1) > 0, (workers ?? 1) <= 1024 else { throw ValidationError("--workers must be 1 to 1024") }
      guard maxQueue >= 0 else { throw ValidationError("--max-queue must be 0 or more") }
      guard (maxBatchSize ?? 1) > 0 else { throw ValidationError("--max-batch-size must be positive") }
      do {
        _ = try VersionPolicy(parsing: versions)
      } catch {
        throw ValidationError(error.message)
      }
    }

    func run() throws {
      try reportingErrors(json: output.json) {
        let registry = try store.open(.readOnly)
        var configuration = ModelServer.Configuration()
        configuration.host = host
        configuration.restPort = restPort
        configuration.grpcPort = noGRPC ? nil : grpcPort
        configuration.webCatalog = !noUI
        configuration.manager = ModelManager.Options(
          models: models, policy: try VersionPolicy(parsing: versions), maxBatchSize: maxBatchSize,
          batchTimeout: Self.duration(batchTimeout) ?? .milliseconds(2))
        configuration.pollInterval = Self.duration(pollInterval) ?? .seconds(2)
        configuration.limits = RESTRoutes.Limits(
          maxBodyBytes: maxBodyBytes, requestTimeout: Self.duration(requestTimeout) ?? .seconds(30))
        if let workers { configuration.workers = workers }
        configuration.queueCapacity = maxQueue
        let server = ModelServer(registry: registry, configuration: configuration)
        let router = server.makeRouter()
        let failure = Locked<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
          do {
            try await server.run(router: router) { ready in
              let url = "http://\(ready.host):\(ready.restPort)"
              let grpc = ready.grpcPort.map { "\(ready.host):\($0)" }
              if output.json {
                try? Output.json(ReadyLine(url: url, grpc: grpc, versions: ready.versions, models: ready.models))
              } else {
                Output.line(
                  "serving \(ready.versions) versions of \(ready.models) models on \(url)"
                    + (grpc.map { " (gRPC \($0))" } ?? ""))
              }
            }
          } catch {
            failure.withLock { $0 = error }
          }
          done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) {
          throw ServingError(
            .unavailable, "cannot serve on \(host):\(restPort) (or the server failed): \(error)", underlying: error)
        }
      }
    }

    /// `500ms`, `2s`, `1m`: the command line's durations (`Support/Duration`) as a Swift duration.
    static func duration(_ text: String) -> Swift.Duration? {
      Duration.parse(text).map { .milliseconds(Int64(($0 * 1000).rounded())) }
    }
  }
}

/// What `serve --json` prints once ready.
struct ReadyLine: Encodable {
  let url: String
  /// `HOST:PORT` of the gRPC API; absent with `--no-grpc`.
  let grpc: String?
  let versions: Int
  let models: Int
}
