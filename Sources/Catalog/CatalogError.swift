/// A failure of the catalog, with the context a user needs.
public struct CatalogError: Error, CustomStringConvertible, Sendable {
  public enum Kind: String, Sendable, Codable {
    case notFound = "not_found"
    case alreadyExists = "already_exists"
    case invalidArgument = "invalid_argument"
    case failedPrecondition = "failed_precondition"
    case unavailable
    case corrupted
  }

  public let kind: Kind
  public let message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}
