import FileSystem
import RegistryCore

/// A problem with a file that the format layer reads, naming the file and what is wrong with it.
///
/// Every error the format layer throws is one of these, so the command line can always print
/// "`<file>`: `<problem>`" and choose an exit status from `category`.
public struct FormatError: CategorizedError, Equatable {
  public let category: ErrorCategory
  /// The file (or directory) concerned, as the caller named it.
  public let path: String
  /// One line saying what is wrong.
  public let problem: String

  public init(_ category: ErrorCategory, file: String, _ problem: String) {
    self.category = category
    self.path = file
    self.problem = problem
  }

  /// A failed file-system call, keeping its category, path and problem; a file that ends early
  /// is shorter than the index that describes it. The format layer's only conversion of
  /// `FileSystemError`.
  init(_ error: FileSystemError) {
    if case .endedEarly(let end, let missing) = error.failure {
      self.init(
        .corrupted, file: error.path, "file ends at \(end) bytes, \(missing) bytes short of what the index expects")
    } else {
      self.init(error.category, file: error.path, error.problem)
    }
  }

  /// A limit breach: `resource_exhausted`, naming the file, with the limit and how to raise it.
  /// The format layer's only conversion of `LimitExceeded`.
  init(_ error: LimitExceeded, file: String) {
    self.init(.resourceExhausted, file: file, error.message)
  }

  public var file: String? { path }
  public var message: String { "\(path): \(problem)" }
}
