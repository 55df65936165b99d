import RegistryCore

/// A request the server cannot answer, or a version it could not load, with TensorFlow Serving's
/// message where it has one ("Servable not found for request: Latest(m)") so clients that match
/// on it keep working. The category gives the HTTP status (`ErrorCategory.httpStatus`) and the
/// gRPC code.
public struct ServerError: CategorizedError {
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
    if let error = error as? ServerError {
      self = error
    } else if let error = error as? any CategorizedError {
      self.init(error.category, error.message, underlying: error)
    } else {
      self.init(.internal, "internal error: \(String(describing: error))", underlying: error)
    }
  }
}
