import GRDB
import RegistryCore

/// Typed reads of catalog columns that hold digests and kinds as text.
///
/// A value that does not parse is reported as a corrupted catalog, naming the column and the
/// value, rather than trapping (GRDB's subscript traps on a failed conversion) or passing a
/// string on for someone else to check.
extension Row {
  func digest(_ column: String) throws -> Digest {
    try Self.digest(self[column], column: column)
  }

  /// The digest in the column at `index` (a read by position, for rows read by the thousand);
  /// `column` names it in the error.
  func digest(at index: Int, column: String) throws -> Digest {
    try Self.digest(self[index], column: column)
  }

  private static func digest(_ text: String?, column: String) throws -> Digest {
    guard let text, let digest = Digest(text) else {
      throw CatalogError(
        .corrupted, "the catalog's \(column) column holds \(text.map { "\"\($0)\"" } ?? "NULL"), not a sha256 digest")
    }
    return digest
  }

  func optionalDigest(_ column: String) throws -> Digest? {
    let text: String? = self[column]
    return try text.map { _ in try digest(column) }
  }

  func fileKind(_ column: String) throws -> FileKind {
    let text: String? = self[column]
    guard let text, let kind = FileKind(rawValue: text) else {
      throw CatalogError(.corrupted, "the catalog's \(column) column holds \(text ?? "NULL"), not a file kind")
    }
    return kind
  }
}
