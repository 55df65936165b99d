/// A failure of the content store, naming the object or file concerned.
public struct StoreError: Error, CustomStringConvertible, Sendable {
  /// What sort of failure; the CLI maps it to an exit status.
  public enum Kind: String, Sendable, Codable {
    case notFound = "not_found"
    case corrupted
    case alreadyExists = "already_exists"
    case invalidArgument = "invalid_argument"
    case unavailable
  }

  public let kind: Kind
  /// The object (`sha256:…`) or path concerned.
  public let subject: String
  public let problem: String

  public init(_ kind: Kind, _ subject: String, _ problem: String) {
    self.kind = kind
    self.subject = subject
    self.problem = problem
  }

  public var description: String { "\(subject): \(problem)" }
}
