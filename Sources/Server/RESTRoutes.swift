import Foundation
import Hummingbird
import Logging
import Registry
import RegistryCore
import ServingGRPC
import TensorIO
import TensorKernels

/// TensorFlow Serving's REST API over a `ModelManager`, plus `/healthz`, `/readyz` and the
/// Prometheus metrics, added to any Hummingbird router (the web catalog adds its `/ui/` routes
/// to the same one).
///
/// Everything under `/v1/` is ours, matched case-insensitively as TensorFlow Serving does, so it
/// is handled in a middleware rather than by the router's (case-sensitive) trie.
public struct RESTRoutes: Sendable {
  public struct Limits: Sendable {
    /// The largest request body, before and after gzip inflation.
    public var maxBodyBytes: Int
    /// How long a request may wait for and run inference.
    public var requestTimeout: Duration

    public init(maxBodyBytes: Int = 64 << 20, requestTimeout: Duration = .seconds(30)) {
      self.maxBodyBytes = maxBodyBytes
      self.requestTimeout = requestTimeout
    }
  }

  public let manager: ModelManager
  public let metrics: ServingMetrics
  public let limits: Limits
  let recorder: RequestRecorder

  /// - Parameter logger: gets a line per request at debug level, and failures of the server's
  ///   own at error level; by default nothing is logged.
  public init(
    manager: ModelManager, metrics: ServingMetrics, limits: Limits,
    logger: Logger = Logger(label: "registry.serve", factory: { _ in SwiftLogNoOpLogHandler() })
  ) {
    self.manager = manager
    self.metrics = metrics
    self.limits = limits
    recorder = RequestRecorder(metrics: metrics, logger: logger)
  }

  /// Adds the API to `router`.
  public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
    router.add(middleware: ServingMiddleware<Context>(routes: self))
    router.get("/healthz") { _, _ in
      Self.json(.ok, Array("{\"status\":\"ok\"}".utf8))
    }
    router.get("/readyz") { _, _ in
      let readiness = manager.readiness()
      guard readiness.ready else {
        return Self.json(.serviceUnavailable, ServingTensorCodec.errorBody("not ready: \(readiness.reason)"))
      }
      return Self.json(.ok, Array("{\"status\":\"ready\"}".utf8))
    }
    router.get("/monitoring/prometheus/metrics") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.text())))
    }
  }

  static func json(_ status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
  }

  /// What one request was about, for the metrics. Names taken from the request (model,
  /// signature) are recorded only once they are known to be served, so requests for made-up
  /// names cannot grow the metrics without bound; those count under `""`.
  struct Labels {
    var model = ""
    var version: Int?
    var signature = ""
    var api = "unknown"
  }

  /// Answers a request under `/v1/`.
  func respond(to request: Request) async -> Response {
    let started = ContinuousClock.now
    var labels = Labels()
    let response: Response
    var message: String?
    do {
      response = try await handle(request, labels: &labels)
    } catch {
      let failure = ServingError(wrapping: error)
      message = failure.message
      response = Self.json(
        HTTPResponse.Status(code: failure.category.httpStatus), ServingTensorCodec.errorBody(failure.message))
    }
    let status = response.status.code
    recorder.record(
      entrypoint: "REST", api: labels.api, model: labels.model, version: labels.version, signature: labels.signature,
      status: String(status), serverFault: status >= 500 && status != 501, message: message,
      duration: ContinuousClock.now - started)
    return response
  }

  private func handle(_ request: Request, labels: inout Labels) async throws -> Response {
    let path = try ServingPath.parse(method: request.method.rawValue, path: request.uri.path)
    labels.api = path.action.rawValue
    switch path.action {
    case .list:
      return Self.json(.ok, ServingJSONBodies.modelList(manager.models()))
    case .status:
      var version: Int64?
      if case .number(let number) = path.version { version = number }
      let statuses = try manager.status(model: path.model, version: version)
      labels.model = path.model
      return Self.json(.ok, ServingJSONBodies.status(statuses))
    case .metadata:
      let served = try manager.servable(model: path.model, version: path.version)
      (labels.model, labels.version) = (served.model, served.version)
      return Self.json(.ok, ServingJSONBodies.metadata(served))
    case .classify, .regress:
      // TensorFlow Serving reads the records before it looks the model up.
      let parsed = try ServingTensorCodec.body(try await body(of: request))
      let examples = try ServingTensorCodec.examples(of: parsed, action: path.action.rawValue)
      let served = try manager.servable(model: path.model, version: path.version)
      (labels.model, labels.version) = (served.model, served.version)
      let servable = ManagedServable(manager: manager, served: served, requestTimeout: limits.requestTimeout)
      if path.action == .classify {
        let result = try await ExampleSignatures.classify(
          servable, signature: parsed.signatureName, input: examples.servingInput)
        labels.signature = parsed.signatureName
        return Self.json(
          .ok,
          ServingTensorCodec.classifyResponse(
            result.classifications.map { row in row.classes.map { (label: $0.label, score: $0.score) } }))
      }
      let result = try await ExampleSignatures.regress(
        servable, signature: parsed.signatureName, input: examples.servingInput)
      labels.signature = parsed.signatureName
      return Self.json(.ok, ServingTensorCodec.regressResponse(result.regressions.map(\.value)))
    case .predict:
      let bytes = try await body(of: request)
      let parsed = try ServingTensorCodec.body(bytes)
      let served = try manager.servable(model: path.model, version: path.version)
      (labels.model, labels.version) = (served.model, served.version)
      let signature = try served.signature(parsed.signatureName)
      labels.signature = signature.key
      var dtypes: [String: DType] = [:]
      for input in signature.inputs { dtypes[input.name] = input.dtype }
      let (format, inputs) = try ServingTensorCodec.inputs(of: parsed, signature: dtypes)
      let deadline = ContinuousClock.now + limits.requestTimeout
      let outputs = try await manager.run(
        served, signature: parsed.signatureName, inputs: inputs, deadline: deadline
      ).outputs
      return Self.json(.ok, try ServingTensorCodec.predictResponse(outputs, format: format))
    }
  }

  /// The request body, at most `maxBodyBytes`, inflated when sent as gzip.
  private func body(of request: Request) async throws -> [UInt8] {
    let limit = limits.maxBodyBytes
    var bytes: [UInt8] = []
    if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
      throw Self.tooLarge(limit)
    }
    for try await chunk in request.body {
      guard bytes.count + chunk.readableBytes <= limit else { throw Self.tooLarge(limit) }
      bytes.append(contentsOf: chunk.readableBytesView)
    }
    switch request.headers[.contentEncoding]?.lowercased() {
    case nil, "identity": return bytes
    case "gzip", "x-gzip": return try GzipBody.inflate(bytes, limit: limit)
    case let other?:
      throw ServingError(.unsupported, "Content-Encoding \"\(other)\" is not supported (gzip is)")
    }
  }

  private static func tooLarge(_ limit: Int) -> ServingError {
    ServingError(.resourceExhausted, "the request body is larger than \(limit) bytes (raise it with --max-body-bytes)")
  }
}

/// Sends everything under `/v1/` to `RESTRoutes`; the rest goes on to the router.
struct ServingMiddleware<Context: RequestContext>: RouterMiddleware {
  let routes: RESTRoutes

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    guard ServingPath.isServingPath(request.uri.path) else { return try await next(request, context) }
    return await routes.respond(to: request)
  }
}
