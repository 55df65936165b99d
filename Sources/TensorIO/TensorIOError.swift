import RegistryCore

/// A tensor could not be read from or written to a file format (`.npy`, JSON), with the file
/// concerned when the caller named one.
///
/// A malformed value, or one whose dtype cannot be converted, is `invalidArgument`: the input is
/// wrong whatever we implement. A dtype the format cannot hold is `unsupported`.
public struct TensorIOError: CategorizedError {
  public let category: ErrorCategory
  public let message: String
  public let file: String?
  public let underlying: (any Error)?

  /// A value that is not of the dtype's kind, or that does not convert to the dtype.
  static func invalid(_ message: String, file: String?, underlying: (any Error)? = nil) -> TensorIOError {
    TensorIOError(category: .invalidArgument, message: message, file: file, underlying: underlying)
  }

  /// A limit breach, with the limit and how to raise it. The module's only conversion of
  /// `LimitExceeded`.
  static func limit(_ error: LimitExceeded, file: String?) -> TensorIOError {
    TensorIOError(category: error.category, message: error.message, file: file, underlying: error)
  }

  /// A dtype the format has no way to hold.
  static func unsupported(_ message: String, file: String?) -> TensorIOError {
    TensorIOError(category: .unsupported, message: message, file: file, underlying: nil)
  }
}
