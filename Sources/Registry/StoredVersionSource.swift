import ContentStore
import Foundation
import RegistryCore
import SavedModelFormat

/// A stored version's files, read straight from the object store: `registry run` and
/// `Registry.source(of:)` open a version this way instead of pulling a copy to disk.
///
/// Every object is re-hashed when read, so what reaches the reader is what was pushed. Reads
/// come in offset order when a checkpoint is restored, so the last object read is kept for the
/// next read, which often lands in the same 4 MiB piece.
public final class StoredVersionSource: SavedModelSource {
  public let root: URL
  private let store: ObjectStore
  private let files: [String: Manifest.Entry]
  private let entries: [SavedModelDirectory.FileEntry]
  private let lastObject = Locked<(digest: Digest, bytes: [UInt8])?>(nil)

  /// - Parameter root: what errors name as the model's location (`<store>/<model>@<n>`).
  init(manifest: Manifest, store: ObjectStore, root: URL) {
    self.root = root
    self.store = store
    var files: [String: Manifest.Entry] = [:]
    for entry in manifest.entries { files[entry.path] = entry }
    self.files = files
    entries = manifest.entries.map { entry in
      SavedModelDirectory.FileEntry(
        path: entry.path, kind: entry.kind == .file ? .file : .directory, size: entry.size ?? 0, mode: entry.mode)
    }
  }

  public func listing() throws(FormatError) -> [SavedModelDirectory.FileEntry] { entries }

  public func size(of path: String) throws(FormatError) -> Int64 {
    try file(path).size ?? 0
  }

  public func read(_ path: String, offset: Int64, count: Int) throws(FormatError) -> [UInt8] {
    let entry = try file(path)
    let size = entry.size ?? 0
    // Checked: a caller's offset near Int64.max must be an error, not an overflow trap.
    let (end, overflow) = offset.addingReportingOverflow(Int64(count))
    guard offset >= 0, count >= 0, !overflow, end <= size else {
      throw FormatError(
        .corrupted, file: location(of: path).path,
        "file ends at \(size) bytes, short of the \(count) bytes wanted at \(offset)")
    }
    var result: [UInt8] = []
    result.reserveCapacity(count)
    var pieceStart: Int64 = 0
    for piece in entry.objects ?? [] {
      let pieceEnd = pieceStart + piece.size
      defer { pieceStart = pieceEnd }
      guard pieceEnd > offset, pieceStart < end else { continue }
      let bytes = try object(piece.digest, path: path)
      guard Int64(bytes.count) == piece.size else {
        throw FormatError(
          .corrupted, file: location(of: path).path,
          "object \(piece.digest) holds \(bytes.count) bytes but the manifest says \(piece.size)")
      }
      let from = Int(max(offset, pieceStart) - pieceStart)
      let to = Int(min(end, pieceEnd) - pieceStart)
      result.append(contentsOf: bytes[from..<to])
      if pieceEnd >= end { break }
    }
    return result
  }

  private func file(_ path: String) throws(FormatError) -> Manifest.Entry {
    guard let entry = files[path] else {
      throw FormatError(.notFound, file: location(of: path).path, "the stored version has no such file")
    }
    guard entry.kind == .file else {
      throw FormatError(.invalidArgument, file: location(of: path).path, "not a regular file")
    }
    return entry
  }

  private func object(_ digest: Digest, path: String) throws(FormatError) -> [UInt8] {
    if let cached = lastObject.withLock({ $0 }), cached.digest == digest { return cached.bytes }
    do {
      let bytes = try store.read(digest)
      lastObject.withLock { $0 = (digest, bytes) }
      return bytes
    } catch {
      throw FormatError(.corrupted, file: location(of: path).path, "\(error)")
    }
  }
}

extension Registry {
  /// A stored version as a `SavedModelSource`, to open or run it without pulling it to disk.
  public func source(of reference: Reference) throws(RegistryError) -> StoredVersionSource {
    let version = try resolve(reference)
    let manifest = try manifest(of: version)
    return StoredVersionSource(
      manifest: manifest, store: objects, root: root.appendingPathComponent(version.reference))
  }
}
