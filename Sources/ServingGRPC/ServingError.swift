import GRPCCore
import RegistryCore

/// A request the gRPC services refuse, or a failure they report, with the category that picks its
/// gRPC status.
public struct ServingError: CategorizedError, Equatable {
  public let category: ErrorCategory
  public let message: String

  public init(_ category: ErrorCategory, _ message: String) {
    self.category = category
    self.message = message
  }

  /// Any error as a categorised one: its own category if it has one, else `internal`.
  public init(_ error: any Error) {
    if let error = error as? ServingError {
      self = error
    } else if let error = error as? any CategorizedError {
      self.init(error.category, error.message)
    } else {
      self.init(UncategorizedError(error).category, UncategorizedError(error).message)
    }
  }

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

/// Runs a handler and turns whatever it throws into the gRPC status of its category.
func answering<Response>(_ body: () async throws -> Response) async throws(RPCError) -> Response {
  do {
    return try await body()
  } catch let error as RPCError {
    throw error
  } catch {
    throw ServingError(error).rpcError
  }
}
