import Registry
import RegistryCore

/// What went wrong talking to a registry, a layout or an archive: a category from the shared
/// table (so exit, HTTP and gRPC status follow) and a message naming the endpoint, blob or file.
public struct RemoteError: CategorizedError {
  public let category: ErrorCategory
  public let message: String
  public let file: String?
  public let underlying: (any Error)?

  public init(_ category: ErrorCategory, _ message: String, file: String? = nil, underlying: (any Error)? = nil) {
    self.category = category
    self.message = message
    self.file = file
    self.underlying = underlying
  }

  /// Keeps a lower layer's category and message.
  static func wrap(_ error: any Error) -> RemoteError {
    switch error {
    case let error as RemoteError: error
    case let error as any CategorizedError:
      RemoteError(error.category, error.message, file: error.file, underlying: error)
    default: RemoteError(UncategorizedError(error).category, UncategorizedError(error).message, underlying: error)
    }
  }
}
