import RegistryCore

/// A failure of the content store, naming the object (`sha256:…`) or path concerned.
public struct StoreError: CategorizedError {
  public let category: ErrorCategory
  /// The object (`sha256:…`) or path concerned.
  public let subject: String
  public let problem: String

  public init(_ category: ErrorCategory, _ subject: String, _ problem: String) {
    self.category = category
    self.subject = subject
    self.problem = problem
  }

  public var message: String { "\(subject): \(problem)" }
}
