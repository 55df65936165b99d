import GRDB
import RegistryCore

/// A failure of the catalog, with the context a user needs and, for SQLite's own failures, its
/// extended result code and the statement that failed.
public struct CatalogError: CategorizedError {
  public let category: ErrorCategory
  public let message: String
  /// SQLite's extended result code, when SQLite reported the failure.
  public let resultCode: Int32?
  /// The SQL statement that failed, when there was one.
  public let statement: String?

  public init(_ category: ErrorCategory, _ message: String) {
    self.category = category
    self.message = message
    self.resultCode = nil
    self.statement = nil
  }

  /// Wraps a failure reported by SQLite, choosing the category from its result code.
  init(_ error: DatabaseError, file: String) {
    self.category = Self.category(of: error)
    self.message = "\(file): \(error.message ?? "\(error.resultCode)") (SQLite \(error.extendedResultCode.rawValue))"
    self.resultCode = error.extendedResultCode.rawValue
    self.statement = error.sql
  }

  /// Wraps whatever the catalog's own code or GRDB threw.
  static func wrap(_ error: any Error, file: String) -> CatalogError {
    switch error {
    case let error as CatalogError: error
    case let error as DatabaseError: CatalogError(error, file: file)
    default: CatalogError(.internal, "\(file): \(error)")
    }
  }

  private static func category(of error: DatabaseError) -> ErrorCategory {
    switch error.extendedResultCode {
    case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY: return .alreadyExists
    default: break
    }
    switch error.resultCode {
    case .SQLITE_CONSTRAINT: return .failedPrecondition
    case .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_FORMAT: return .corrupted
    case .SQLITE_INTERRUPT: return .deadlineExceeded
    case .SQLITE_NOMEM, .SQLITE_TOOBIG, .SQLITE_FULL: return .resourceExhausted
    case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_PERM,
      .SQLITE_AUTH, .SQLITE_PROTOCOL:
      return .unavailable
    default: return .internal
    }
  }
}
