import Foundation
import RegistryCore

#if canImport(Glibc)
  import Glibc
#endif

/// What the garbage collector needs from the object store: a walk with modification times, and a
/// deletion that cannot race with a push that has just decided to reuse the object.
extension ObjectStore {
  /// One object file found on disk.
  public struct StoredObject: Sendable {
    public let digest: Digest
    /// On-disk size (header included).
    public let storedSize: Int64
    /// Last write or refresh (a push reusing an object refreshes it).
    public let modified: Date
  }

  /// Every object file under `objects/`; files whose names are not digests are skipped.
  public func walk() throws(StoreError) -> [StoredObject] {
    var found: [StoredObject] = []
    let base = root.path + "/sha256"
    for first in try listDirectory(base) {
      for second in try listDirectory(base + "/" + first) {
        let directory = base + "/" + first + "/" + second
        for name in try listDirectory(directory) {
          guard let digest = Digest(hex: name) else { continue }
          var info = stat()
          guard lstat(directory + "/" + name, &info) == 0 else { continue }
          found.append(
            StoredObject(
              digest: digest, storedSize: Int64(info.st_size),
              modified: Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)))
        }
      }
    }
    return found
  }

  /// Deletes an object unless it was refreshed at or after `cutoff`.
  ///
  /// The object is first renamed into `trash/`, then its time is read again: a push that
  /// refreshed it before the rename (and so decided to reuse it) is seen, and the object is put
  /// back; a push that comes after the rename finds it missing and writes it anew. So a push
  /// never relies on an object the collector deletes.
  ///
  /// - Returns: whether the object was deleted.
  public func collect(_ digest: Digest, unlessModifiedSince cutoff: Date) throws(StoreError) -> Bool {
    let path = path(for: digest)
    let trash = root.deletingLastPathComponent().appendingPathComponent("trash").path
    try Syscalls.makeDirectories(trash)
    let parked = trash + "/" + digest.hex + "." + UUID().uuidString.lowercased()
    if Glibc.rename(path, parked) != 0 {
      if errno == ENOENT { return false }
      throw Syscalls.error(path, "cannot move to trash")
    }
    var info = stat()
    let refreshed =
      lstat(parked, &info) == 0
      && Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9) >= cutoff
    if refreshed {
      // Put it back unless a push already wrote a new copy (same bytes) in the meantime.
      if link(parked, path) != 0 && errno != EEXIST { throw Syscalls.error(path, "cannot restore from trash") }
      Syscalls.unlink(parked)
      return false
    }
    Syscalls.unlink(parked)
    return true
  }

  /// Puts back an object a collector parked in `trash/` and then died before deciding on
  /// (killed between its two steps). Putting it back is always safe: the next collection judges
  /// it afresh.
  ///
  /// - Returns: whether the object is in `objects/` afterwards.
  @discardableResult
  public func restoreFromTrash(_ digest: Digest) -> Bool {
    let trash = root.deletingLastPathComponent().appendingPathComponent("trash").path
    let prefix = digest.hex + "."
    for name in (try? listDirectory(trash)) ?? [] where name.hasPrefix(prefix) {
      let parked = trash + "/" + name
      let path = path(for: digest)
      try? Syscalls.makeDirectories((path as NSString).deletingLastPathComponent)
      if link(parked, path) == 0 || errno == EEXIST { Syscalls.unlink(parked) }
    }
    return Syscalls.exists(path(for: digest))
  }

  /// Puts back everything in `trash/` (see `restoreFromTrash`); a collection starts with this.
  public func restoreTrash() {
    let trash = root.deletingLastPathComponent().appendingPathComponent("trash").path
    for name in (try? listDirectory(trash)) ?? [] {
      guard let digest = Digest(hex: String(name.prefix(64))) else { continue }
      restoreFromTrash(digest)
    }
  }

  /// Removes ingest directories of pushes that ended (or died) before `cutoff`.
  ///
  /// - Returns: the ingest directories removed (or that would be, with `dryRun`).
  public func cleanLeftovers(olderThan cutoff: Date, dryRun: Bool) throws(StoreError) -> [String] {
    var removed: [String] = []
    for name in try listDirectory(ingestRoot.path) {
      let path = ingestRoot.path + "/" + name
      var info = stat()
      guard lstat(path, &info) == 0 else { continue }
      let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
      guard modified < cutoff else { continue }
      removed.append(name)
      if !dryRun { try? FileManager.default.removeItem(atPath: path) }
    }
    return removed
  }

  /// Moves a damaged object out of `objects/` into `quarantine/`, so that a later push of the
  /// same content stores it again, and the damaged bytes stay available for inspection.
  public func quarantine(_ digest: Digest) throws(StoreError) -> String {
    let directory = root.deletingLastPathComponent().appendingPathComponent("quarantine").path
    try Syscalls.makeDirectories(directory)
    let target = directory + "/" + digest.hex + "." + UUID().uuidString.lowercased()
    try Syscalls.rename(path(for: digest), target)
    return target
  }

  func listDirectory(_ path: String) throws(StoreError) -> [String] {
    guard let stream = opendir(path) else {
      if errno == ENOENT { return [] }
      throw Syscalls.error(path, "cannot list")
    }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }
}
