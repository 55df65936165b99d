/// An error that says what sort of failure it is and what went wrong, in one line.
///
/// Every module's error type conforms, so the command line and the server turn any of them into
/// an exit status, an HTTP status and a `{"error": …}` object through `ErrorCategory` alone.
public protocol CategorizedError: Error, CustomStringConvertible, Sendable {
  /// What sort of failure this is.
  var category: ErrorCategory { get }
  /// One line for a person, naming the file, object, reference or node concerned.
  var message: String { get }
  /// The file (or directory) concerned, when the error is about one.
  var file: String? { get }
  /// The error from below that caused this one, when there is one.
  var underlying: (any Error)? { get }
}

extension CategorizedError {
  public var file: String? { nil }
  public var underlying: (any Error)? { nil }
  public var description: String { message }
}

/// An error no module categorised: a defect, reported as `internal` with what it said.
///
/// The last-resort handlers wrap unknown errors in this rather than guessing a category.
public struct UncategorizedError: CategorizedError {
  public let error: any Error
  public init(_ error: any Error) { self.error = error }
  public var category: ErrorCategory { .internal }
  public var message: String { "internal error: \(String(describing: error))" }
  public var underlying: (any Error)? { error }
}

extension ErrorCategory {
  /// The category of any error: its own where it has one, else `internal`.
  public init(of error: any Error) {
    self = (error as? any CategorizedError)?.category ?? .internal
  }
}
