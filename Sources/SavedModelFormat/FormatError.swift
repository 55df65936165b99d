/// A problem with a file that the format layer reads, naming the file and what is wrong with it.
///
/// Every error the format layer throws is one of these, so the command line can always print
/// "`<file>`: `<problem>`" and choose an exit status from `kind`.
public struct FormatError: Error, CustomStringConvertible, Sendable, Equatable {
  /// What sort of failure this is; the CLI maps it to an exit status.
  public enum Kind: String, Sendable, Codable {
    /// A file or directory that should be there is not.
    case notFound = "not_found"
    /// The bytes are damaged: a checksum mismatch, a truncated file, a length past the end.
    case corrupted
    /// Well-formed, but a variant of the format this reader does not handle yet.
    case unsupported
    /// Not what was asked for at all (e.g. not a SavedModel directory).
    case invalidArgument = "invalid_argument"
    /// The operating system refused (permissions, I/O error).
    case unavailable
  }

  public let kind: Kind
  /// The file (or directory) concerned, as the caller named it.
  public let file: String
  /// One line saying what is wrong.
  public let problem: String

  public init(_ kind: Kind, file: String, _ problem: String) {
    self.kind = kind
    self.file = file
    self.problem = problem
  }

  public var description: String { "\(file): \(problem)" }
}
