import FileSystem
import RegistryCore

/// A failure of the content store, naming the object (`sha256:…`) or path concerned.
package struct StoreError: CategorizedError {
  package let category: ErrorCategory
  /// The object (`sha256:…`) or path concerned.
  package let subject: String
  package let problem: String

  package init(_ category: ErrorCategory, _ subject: String, _ problem: String) {
    self.category = category
    self.subject = subject
    self.problem = problem
  }

  /// A failed file-system call, as the store reports it: the path as the subject, the operation
  /// and the system's reason as the problem, the category unchanged. The store's only conversion
  /// of `FileSystemError`.
  init(_ error: FileSystemError) {
    self.init(error.category, error.path, error.problem)
  }

  /// A limit breach about `subject`: `resource_exhausted`, with the limit and how to raise it.
  /// The store's only conversion of `LimitExceeded`.
  init(_ error: LimitExceeded, subject: String) {
    self.init(.resourceExhausted, subject, error.message)
  }

  package var message: String { "\(subject): \(problem)" }
}
