import Logging

/// Counts and logs every answered request of either API the same way: one metrics sample, one
/// line at debug level, and the same line at error level when the server was at fault (a 5xx
/// other than 501, or the gRPC codes that map to one), so failures show at the default level.
struct RequestRecorder: Sendable {
  let metrics: ServingMetrics
  let logger: Logger

  /// One answered request.
  ///
  /// - Parameters:
  ///   - entrypoint: `REST` or `gRPC`.
  ///   - status: the HTTP status, or the gRPC code's name.
  ///   - serverFault: whether the failure was the server's (logged as an error).
  ///   - message: the error message of a failed request.
  func record(
    entrypoint: String, api: String, model: String, version: Int?, signature: String, status: String,
    serverFault: Bool, message: String?, duration: Duration
  ) {
    metrics.recordRequest(
      entrypoint: entrypoint, model: model, version: version, signature: signature, api: api, status: status,
      duration: duration)
    let level: Logger.Level = serverFault ? .error : .debug
    guard logger.logLevel <= level else { return }
    var line = "\(entrypoint) \(api)"
    if !model.isEmpty { line += " \(model)" + (version.map { ":\($0)" } ?? "") }
    if !signature.isEmpty { line += " [\(signature)]" }
    let milliseconds = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    line += " \(status) in \(String(format: "%.2f", milliseconds)) ms"
    if let message { line += ": \(message)" }
    logger.log(level: level, "\(line)")
  }
}
