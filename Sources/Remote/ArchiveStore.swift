import CArchive
import Foundation
import RegistryCore

/// An OCI image layout in one tar file (`oci-archive:`), through Debian's libarchive. Reading
/// unpacks it into a temporary layout, refusing any entry that is not a plain file or directory
/// or whose path would leave the layout; writing fills a temporary layout (starting from the
/// archive's content, so other tags stay) and replaces the file with a deterministic tar (sorted
/// entries, mtime 0, owner 0) when the export succeeds.
final class ArchiveStore: ArtifactStore {
  let file: String
  let layout: LayoutStore
  private let scratch: URL

  init(file: String, writing: Bool) throws(RemoteError) {
    self.file = file
    scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
      "registry-oci-archive-\(UUID().uuidString.lowercased())")
    let label = "oci-archive:\(file)"
    do {
      try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
      if FileManager.default.fileExists(atPath: file) {
        try Self.extract(file, into: scratch)
      } else if !writing {
        throw RemoteError(.notFound, "\(label): no such file", file: file)
      }
      layout = try LayoutStore(directory: scratch.path, creating: writing, label: label)
    } catch {
      try? FileManager.default.removeItem(at: scratch)
      throw RemoteError.wrap(error)
    }
  }

  func exists(_ descriptor: Descriptor) async throws(RemoteError) -> Bool { try await layout.exists(descriptor) }
  func upload(_ descriptor: Descriptor, bytes: [UInt8]) async throws(RemoteError) -> BlobOutcome {
    try await layout.upload(descriptor, bytes: bytes)
  }
  func putManifest(_ bytes: [UInt8], mediaType: String, tag: String) async throws(RemoteError) {
    try await layout.putManifest(bytes, mediaType: mediaType, tag: tag)
  }
  func manifest(_ reference: String?) async throws(RemoteError) -> (bytes: [UInt8], mediaType: String) {
    try await layout.manifest(reference)
  }
  func blob(_ descriptor: Descriptor) async throws(RemoteError) -> [UInt8] { try await layout.blob(descriptor) }
  func tags() async throws(RemoteError) -> [String] { try layout.tags() }

  func close(committing: Bool) async throws(RemoteError) {
    defer { try? FileManager.default.removeItem(at: scratch) }
    guard committing, FileManager.default.fileExists(atPath: scratch.appendingPathComponent("index.json").path)
    else { return }
    let temporary = file + ".partial-\(getpid())"
    do {
      try Self.write(scratch, to: temporary)
      guard rename(temporary, file) == 0 else {
        throw RemoteError(.unavailable, "oci-archive:\(file): cannot replace it: \(String(cString: strerror(errno)))")
      }
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw RemoteError.wrap(error)
    }
  }

  // MARK: - libarchive

  private static let regularFile: UInt32 = 0o100000
  private static let directory: UInt32 = 0o040000

  private static func failure(_ archive: OpaquePointer?, _ what: String, _ file: String) -> RemoteError {
    let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
    return RemoteError(.corrupted, "oci-archive:\(file): \(what): \(detail)", file: file)
  }

  /// Unpacks a tar into `target`, entry by entry, refusing anything that could escape it.
  static func extract(_ file: String, into target: URL) throws(RemoteError) {
    guard let archive = archive_read_new() else { throw RemoteError(.resourceExhausted, "libarchive: out of memory") }
    defer { archive_read_free(archive) }
    archive_read_support_format_tar(archive)
    guard archive_read_open_filename(archive, file, 1 << 16) == ARCHIVE_OK else {
      throw failure(archive, "cannot open", file)
    }
    var entry: OpaquePointer?
    while true {
      let status = archive_read_next_header(archive, &entry)
      if status == ARCHIVE_EOF { break }
      guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
        throw failure(archive, "cannot read an entry header", file)
      }
      let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
      let components = name.split(separator: "/").filter { $0 != "." }
      guard !name.hasPrefix("/"), !components.contains(".."), !name.utf8.contains(0) else {
        throw RemoteError(.corrupted, "oci-archive:\(file): entry \"\(name)\" would escape the layout", file: file)
      }
      if components.isEmpty { continue }
      let path = target.appendingPathComponent(components.joined(separator: "/"))
      let type = UInt32(archive_entry_filetype(entry))
      switch type {
      case directory:
        do {
          try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        } catch {
          throw RemoteError(.unavailable, "cannot create \(path.path): \(error.localizedDescription)")
        }
      case regularFile:
        let size = archive_entry_size(entry)
        let limit = Limits.current.fileBytes
        guard size >= 0, size <= limit else {
          let exceeded = LimitExceeded(
            "oci-archive:\(file): entry \(name)", limit: "FILE_BYTES", requested: size, allowed: limit)
          throw RemoteError(exceeded.category, exceeded.message, underlying: exceeded)
        }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var offset = 0
        while offset < bytes.count {
          let read = bytes.withUnsafeMutableBytes {
            archive_read_data(archive, $0.baseAddress! + offset, $0.count - offset)
          }
          guard read > 0 else { throw failure(archive, "entry \(name) ends early", file) }
          offset += read
        }
        do {
          try FileManager.default.createDirectory(
            at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
          try Data(bytes).write(to: path)
        } catch {
          throw RemoteError(.unavailable, "cannot write \(path.path): \(error.localizedDescription)")
        }
      default:
        throw RemoteError(
          .corrupted, "oci-archive:\(file): entry \"\(name)\" is not a regular file or directory", file: file)
      }
    }
  }

  /// Writes `source`'s files as a tar with sorted entries, mtime 0 and owner 0.
  static func write(_ source: URL, to file: String) throws(RemoteError) {
    guard let archive = archive_write_new() else { throw RemoteError(.resourceExhausted, "libarchive: out of memory") }
    defer { archive_write_free(archive) }
    archive_write_set_format_pax_restricted(archive)
    guard archive_write_open_filename(archive, file) == ARCHIVE_OK else {
      throw failure(archive, "cannot create", file)
    }
    let names = (FileManager.default.subpaths(atPath: source.path) ?? []).sorted()
    for name in names {
      let path = source.appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory)
      let bytes = isDirectory.boolValue ? [] : Array(FileManager.default.contents(atPath: path.path) ?? Data())
      guard let entry = archive_entry_new() else { throw RemoteError(.resourceExhausted, "libarchive: out of memory") }
      defer { archive_entry_free(entry) }
      archive_entry_set_pathname(entry, name)
      archive_entry_set_filetype(entry, isDirectory.boolValue ? directory : regularFile)
      archive_entry_set_perm(entry, isDirectory.boolValue ? 0o755 : 0o644)
      archive_entry_set_size(entry, Int64(bytes.count))
      archive_entry_set_mtime(entry, 0, 0)
      archive_entry_set_uid(entry, 0)
      archive_entry_set_gid(entry, 0)
      guard archive_write_header(archive, entry) == ARCHIVE_OK else {
        throw failure(archive, "cannot add \(name)", file)
      }
      if !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw failure(archive, "cannot write \(name)", file) }
      }
    }
    guard archive_write_close(archive) == ARCHIVE_OK else { throw failure(archive, "cannot finish", file) }
  }
}
