import Foundation
import RegistryCore

/// A version's complete file list: every file and directory with its mode and size, and for each
/// file its SHA-256 and the ordered objects whose concatenation rebuilds it.
///
/// Stored as an object itself, in a canonical JSON encoding (keys sorted, no spaces, entries
/// sorted by path bytes), so the same tree always gives the same manifest digest, and pull and
/// verify can work from the store alone.
package struct Manifest: Sendable, Equatable, Codable {
  package static let formatName = "registry.manifest.v1"

  package typealias Kind = FileKind

  /// One object of a file, in order.
  package struct Piece: Sendable, Equatable, Codable {
    package let digest: Digest
    package let size: Int64
    package init(digest: Digest, size: Int64) {
      self.digest = digest
      self.size = size
    }
  }

  package struct Entry: Sendable, Equatable, Codable {
    /// Relative path with `/` separators; never absolute, never `.` or `..` components.
    package let path: String
    package let kind: Kind
    /// Permission bits (e.g. 0o644), as the source directory had them.
    package let mode: UInt16
    /// File size in bytes; absent for directories.
    package let size: Int64?
    /// SHA-256 of the whole file; absent for directories.
    package let sha256: Digest?
    /// The objects that make up the file, in order; absent for directories.
    package let objects: [Piece]?

    package static func directory(_ path: String, mode: UInt16) -> Entry {
      Entry(path: path, kind: .directory, mode: mode, size: nil, sha256: nil, objects: nil)
    }

    package static func file(_ path: String, mode: UInt16, size: Int64, sha256: Digest, objects: [Piece]) -> Entry {
      Entry(path: path, kind: .file, mode: mode, size: size, sha256: sha256, objects: objects)
    }
  }

  package let format: String
  package let entries: [Entry]

  /// Builds a manifest; entries are sorted by path bytes.
  package init(entries: [Entry]) {
    format = Self.formatName
    self.entries = entries.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
  }

  /// Every distinct object the manifest references.
  package var objectDigests: Set<Digest> {
    Set(entries.flatMap { $0.objects ?? [] }.map(\.digest))
  }

  /// The sum of file sizes.
  package var logicalSize: Int64 { entries.reduce(0) { $0 + ($1.size ?? 0) } }

  // MARK: - Canonical encoding

  /// The canonical bytes that are stored and hashed.
  package func canonicalBytes() -> [UInt8] {
    var out = "{\"entries\":["
    for (index, entry) in entries.enumerated() {
      if index > 0 { out += "," }
      out += "{\"kind\":\"\(entry.kind.rawValue)\",\"mode\":\(entry.mode)"
      if let objects = entry.objects {
        out += ",\"objects\":["
        out += objects.map { "{\"digest\":\"\($0.digest)\",\"size\":\($0.size)}" }.joined(separator: ",")
        out += "]"
      }
      out += ",\"path\":" + Self.quote(entry.path)
      if let sha256 = entry.sha256 { out += ",\"sha256\":\"\(sha256)\"" }
      if let size = entry.size { out += ",\"size\":\(size)" }
      out += "}"
    }
    out += "],\"format\":\"\(format)\"}"
    return Array(out.utf8)
  }

  /// JSON string quoting with the minimal escapes RFC 8259 requires.
  static func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  // MARK: - Decoding and validation

  /// Decodes and validates a stored manifest.
  ///
  /// - Throws: `StoreError.corrupted` naming `subject` when it does not parse, has an unknown
  ///   format, or breaks a rule of `validate()`.
  package init(decoding bytes: [UInt8], subject: String) throws(StoreError) {
    let decoded: Manifest
    do {
      decoded = try JSONDecoder().decode(Manifest.self, from: Data(bytes))
    } catch {
      throw StoreError(.corrupted, subject, "manifest does not parse: \(error)")
    }
    guard decoded.format == Self.formatName else {
      throw StoreError(.corrupted, subject, "unknown manifest format \"\(decoded.format)\"")
    }
    do {
      try decoded.validate()
    } catch {
      throw StoreError(.corrupted, subject, "manifest: \(error.problem)")
    }
    self = decoded
  }

  /// Checks that every path is safe to create below a target directory and every file's pieces
  /// add up to its size. Run before anything is written, even for manifests we wrote ourselves:
  /// the store may have been tampered with.
  ///
  /// Sizes are summed with checked arithmetic: pieces or files whose sizes add up past `Int64` are
  /// `corrupted` rather than a trap, so every later sum over a valid manifest (`logicalSize`,
  /// the materializer's offsets and totals) fits.
  package func validate() throws(StoreError) {
    var seen = Set<String>()
    var totalSize: Int64 = 0
    for entry in entries {
      try Self.validatePath(entry.path)
      guard seen.insert(entry.path).inserted else {
        throw StoreError(.invalidArgument, entry.path, "appears twice")
      }
      guard entry.mode & ~0o7777 == 0 else {
        throw StoreError(.invalidArgument, entry.path, "mode \(entry.mode) has non-permission bits")
      }
      switch entry.kind {
      case .directory:
        guard entry.size == nil, entry.sha256 == nil, entry.objects == nil else {
          throw StoreError(.invalidArgument, entry.path, "a directory with content")
        }
      case .file:
        guard let size = entry.size, entry.sha256 != nil, let objects = entry.objects, size >= 0 else {
          throw StoreError(.invalidArgument, entry.path, "a file without size, sha256 or objects")
        }
        var sum: Int64 = 0
        for object in objects {
          guard object.size >= 0 else {
            throw StoreError(.invalidArgument, entry.path, "object sizes do not add up to the file size \(size)")
          }
          let (next, overflow) = sum.addingReportingOverflow(object.size)
          guard !overflow else {
            throw StoreError(.corrupted, entry.path, "object sizes add up to more than 2^63 bytes")
          }
          sum = next
        }
        guard sum == size else {
          throw StoreError(.invalidArgument, entry.path, "object sizes do not add up to the file size \(size)")
        }
        let (next, overflow) = totalSize.addingReportingOverflow(size)
        guard !overflow else {
          throw StoreError(.corrupted, entry.path, "the files' sizes add up to more than 2^63 bytes")
        }
        totalSize = next
      }
    }
  }

  /// A path may only name something inside the target: relative, `/`-separated, with no empty,
  /// `.` or `..` component and no NUL.
  package static func validatePath(_ path: String) throws(StoreError) {
    guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else {
      throw StoreError(.invalidArgument, path, "not a safe relative path")
    }
    for component in path.split(separator: "/", omittingEmptySubsequences: false) {
      guard !component.isEmpty, component != ".", component != ".." else {
        throw StoreError(.invalidArgument, path, "path would escape or confuse the target directory")
      }
    }
  }
}
