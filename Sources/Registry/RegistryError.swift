import Catalog
import ContentStore
import SavedModelFormat

/// The one error type the registry façade throws: a category the CLI maps to an exit status,
/// and a one-line message that names the file, object or reference concerned.
public struct RegistryError: Error, CustomStringConvertible, Sendable {
  public enum Kind: String, Sendable, Codable {
    case notFound = "not_found"
    case corrupted
    case unsupported
    case invalidArgument = "invalid_argument"
    case unavailable
    case alreadyExists = "already_exists"
    case failedPrecondition = "failed_precondition"
  }

  public let kind: Kind
  public let message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }

  init(_ error: FormatError) {
    self.init(Kind(error.kind), error.description)
  }

  init(_ error: StoreError) {
    let kind: Kind
    switch error.kind {
    case .notFound: kind = .notFound
    case .corrupted: kind = .corrupted
    case .alreadyExists: kind = .alreadyExists
    case .invalidArgument: kind = .invalidArgument
    case .unavailable: kind = .unavailable
    }
    self.init(kind, error.description)
  }

  init(_ error: CatalogError) {
    let kind: Kind
    switch error.kind {
    case .notFound: kind = .notFound
    case .alreadyExists: kind = .alreadyExists
    case .invalidArgument: kind = .invalidArgument
    case .failedPrecondition: kind = .failedPrecondition
    case .unavailable: kind = .unavailable
    case .corrupted: kind = .corrupted
    }
    self.init(kind, error.description)
  }

  /// Wraps whatever a lower layer threw.
  static func wrap(_ error: any Error) -> RegistryError {
    switch error {
    case let error as RegistryError: return error
    case let error as FormatError: return RegistryError(error)
    case let error as StoreError: return RegistryError(error)
    case let error as CatalogError: return RegistryError(error)
    default: return RegistryError(.unavailable, "\(error)")
    }
  }
}

extension RegistryError.Kind {
  /// The category of a format-layer failure.
  public init(_ kind: FormatError.Kind) {
    switch kind {
    case .notFound: self = .notFound
    case .corrupted: self = .corrupted
    case .unsupported: self = .unsupported
    case .invalidArgument: self = .invalidArgument
    case .unavailable: self = .unavailable
    }
  }
}
