/// One finished gRPC call, handed to `ServingBackend.finished(_:)` for the server's metrics and
/// logs.
///
/// The model, version and signature are filled in only once a served version was resolved, so
/// names a caller made up never reach the metrics (their label sets would grow without bound).
public struct ServingCall: Sendable {
  /// The RPC, lower case as the REST API names its verbs: `predict`, `classify`, `regress`,
  /// `metadata`, `status`, `multi_inference`, `reload_config`.
  public let api: String
  public internal(set) var model = ""
  public internal(set) var version: Int64?
  public internal(set) var signature = ""
  /// The gRPC status code: 0 (OK) for a call that succeeded.
  public internal(set) var code = 0
  /// The status message of a failed call.
  public internal(set) var message: String?
  /// From the handler's start to its answer.
  public internal(set) var duration: Duration = .zero

  init(api: String) { self.api = api }

  /// The gRPC name of `code`, as status codes are spelled on the wire and in logs.
  public var codeName: String {
    let names = [
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
      "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
      "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ]
    return names.indices.contains(code) ? names[code] : String(code)
  }

  /// Records the version that answers.
  mutating func answered(by servable: any ServableVersion) {
    model = servable.model
    version = servable.version
  }
}
