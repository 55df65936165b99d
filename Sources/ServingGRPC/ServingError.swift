import GRPCCore
import RegistryCore

/// A request the server cannot answer, or a version it could not load, with TensorFlow Serving's
/// message where it has one ("Servable not found for request: Latest(m)") so clients that match
/// on it keep working. The category gives the HTTP status (`ErrorCategory.httpStatus`) and the
/// gRPC code (`ErrorCategory.canonicalCode`). REST and gRPC share this one type.
public struct ServingError: CategorizedError, Equatable {
  public let category: ErrorCategory
  public let message: String
  public let underlying: (any Error)?

  public init(_ category: ErrorCategory, _ message: String, underlying: (any Error)? = nil) {
    self.category = category
    self.message = message
    self.underlying = underlying
  }

  /// Any error as a serving error: its own category and message where it has them, else
  /// `internal`.
  public init(wrapping error: any Error) {
    if let error = error as? ServingError {
      self = error
    } else if let error = error as? any CategorizedError {
      self.init(error.category, error.message, underlying: error)
    } else {
      let uncategorized = UncategorizedError(error)
      self.init(uncategorized.category, uncategorized.message, underlying: error)
    }
  }

  /// Equal when category and message are: what a client can see.
  public static func == (lhs: ServingError, rhs: ServingError) -> Bool {
    lhs.category == rhs.category && lhs.message == rhs.message
  }
}

extension ServingError {
  /// TensorFlow Serving cuts status messages at 1024 bytes (`ToGRPCStatus`); a message built from
  /// a hostile request (a signature listing a million input names) must not grow without bound.
  static let messageLimit = 1024

  /// The gRPC status for this error: the category's canonical code, the message cut as
  /// TensorFlow Serving cuts it.
  var rpcError: RPCError {
    let code = Status.Code(rawValue: category.canonicalCode).flatMap { RPCError.Code($0) } ?? .internalError
    var text = message
    if text.utf8.count > Self.messageLimit {
      text = String(decoding: text.utf8.prefix(Self.messageLimit), as: UTF8.self) + "...TRUNCATED"
    }
    return RPCError(code: code, message: text)
  }
}

/// Runs a handler, turns whatever it throws into the gRPC status of its category, and hands the
/// finished call to the backend (metrics, logs).
func answering<Response>(
  _ api: String, _ backend: any ServingBackend, _ body: (inout ServingCall) async throws -> Response
) async throws(RPCError) -> Response {
  let started = ContinuousClock.now
  var call = ServingCall(api: api)
  do {
    let response = try await body(&call)
    call.duration = ContinuousClock.now - started
    backend.finished(call)
    return response
  } catch {
    let failure = (error as? RPCError) ?? ServingError(wrapping: error).rpcError
    call.code = failure.code.rawValue
    call.message = failure.message
    call.duration = ContinuousClock.now - started
    backend.finished(call)
    throw failure
  }
}
