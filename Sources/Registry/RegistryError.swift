import FileSystem
import RegistryCore

/// The one error type the registry façade throws: a category, a one-line message that names the
/// file, object or reference concerned, and the lower layer's error it wraps, if any.
public struct RegistryError: CategorizedError {
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

  /// Wraps an error of a lower layer, keeping its category, message and file.
  public init(_ error: some CategorizedError) {
    self.init(error.category, error.message, file: error.file, underlying: error)
  }

  /// A failed file-system call, keeping its category, message and file. A file that ends early
  /// changed after the push listed it. The façade's only conversion of `FileSystemError`.
  init(_ error: FileSystemError) {
    if error.endedEarly {
      self.init(
        .corrupted, "\(error.path): the file changed while it was being pushed (it ended early)", file: error.path,
        underlying: error)
    } else {
      self.init(error.category, error.message, file: error.file, underlying: error)
    }
  }

  /// Wraps whatever a lower layer threw; an error without a category is a defect (`internal`),
  /// never passed off as another category.
  static func wrap(_ error: any Error) -> RegistryError {
    switch error {
    case let error as RegistryError: error
    case let error as FileSystemError: RegistryError(error)
    case let error as any CategorizedError: RegistryError(error)
    default: RegistryError(UncategorizedError(error))
    }
  }
}
