import FileSystem
import Foundation
import RegistryCore

/// What the garbage collector needs from the object store: a walk with modification times, and a
/// deletion that cannot race with a push that has just decided to reuse the object.
extension ObjectStore {
  /// One object file found on disk.
  package struct StoredObject: Sendable {
    package let digest: Digest
    /// On-disk size (header included).
    package let storedSize: Int64
    /// Last write or refresh (a push reusing an object refreshes it).
    package let modified: Date
  }

  /// Every object file under `objects/`; files whose names are not digests are skipped.
  package func walk() throws(StoreError) -> [StoredObject] {
    var found: [StoredObject] = []
    let base = layout.sha256Objects.path
    for first in try listDirectory(base) {
      for second in try listDirectory(base + "/" + first) {
        let directory = base + "/" + first + "/" + second
        for name in try listDirectory(directory) {
          guard let digest = Digest(hex: name),
            let status = try? FileSystem.status(directory + "/" + name, followingLinks: false)
          else { continue }
          found.append(
            StoredObject(
              digest: digest, storedSize: status.size, modified: Date(timeIntervalSince1970: status.modificationTime)))
        }
      }
    }
    return found
  }

  /// Whether `objects/` holds at least one object file; stops at the first found.
  package func containsAnyObject() -> Bool {
    let base = layout.sha256Objects.path
    for first in (try? FileSystem.listDirectory(base)) ?? [] {
      for second in (try? FileSystem.listDirectory(base + "/" + first)) ?? []
      where !((try? FileSystem.listDirectory(base + "/" + first + "/" + second)) ?? []).isEmpty {
        return true
      }
    }
    return false
  }

  /// Deletes an object unless it was refreshed at or after `cutoff`.
  ///
  /// The object is first renamed into `trash/`, then its time is read again: a push that
  /// refreshed it before the rename (and so decided to reuse it) is seen, and the object is put
  /// back; a push that comes after the rename finds it missing and writes it anew. So a push
  /// never relies on an object the collector deletes.
  ///
  /// - Returns: whether the object was deleted.
  package func collect(_ digest: Digest, unlessModifiedSince cutoff: Date) throws(StoreError) -> Bool {
    let path = path(for: digest)
    let parked = layout.trash.path + "/" + digest.hex + "." + UUID().uuidString.lowercased()
    do throws(FileSystemError) {
      try FileSystem.makeDirectories(layout.trash.path)
      do {
        try FileSystem.rename(path, to: parked)
      } catch  where error.code == ENOENT {
        return false
      } catch {
        throw error.relabelled("cannot move to trash", path: path)
      }
      let refreshed =
        (try? FileSystem.status(parked, followingLinks: false))
        .map { Date(timeIntervalSince1970: $0.modificationTime) >= cutoff } ?? false
      if refreshed {
        // A push refreshed it before the rename, and so relies on it: put it back.
        do {
          try putBack(parked, to: path)
        } catch {
          throw error.relabelled("cannot restore from trash")
        }
        return false
      }
      try? FileSystem.unlink(parked)
      return true
    } catch {
      throw StoreError(error)
    }
  }

  /// Puts back an object a collector parked in `trash/` and then died before deciding on
  /// (killed between its two steps). Putting it back is always safe: the next collection judges
  /// it afresh.
  ///
  /// - Returns: whether the object is in `objects/` afterwards.
  @discardableResult
  package func restoreFromTrash(_ digest: Digest) -> Bool {
    let trash = layout.trash.path
    let prefix = digest.hex + "."
    for name in (try? listDirectory(trash)) ?? [] where name.hasPrefix(prefix) {
      let parked = trash + "/" + name
      let path = path(for: digest)
      try? FileSystem.makeDirectories((path as NSString).deletingLastPathComponent)
      try? putBack(parked, to: path)
    }
    return FileSystem.exists(path(for: digest))
  }

  /// Links a parked object back into `objects/` and drops its trash name.
  private func putBack(_ parked: String, to path: String) throws(FileSystemError) {
    do {
      try FileSystem.link(parked, to: path)
    } catch  where error.code == EEXIST {
      // A push wrote the same bytes anew meanwhile, which is as good.
    }
    try? FileSystem.unlink(parked)
  }

  /// Puts back everything in `trash/` (see `restoreFromTrash`); a collection starts with this.
  package func restoreTrash() {
    for name in (try? listDirectory(layout.trash.path)) ?? [] {
      guard let digest = Digest(hex: String(name.prefix(64))) else { continue }
      restoreFromTrash(digest)
    }
  }

  /// Removes ingest directories of pushes that ended (or died) before `cutoff`.
  ///
  /// - Returns: the ingest directories removed (or that would be, with `dryRun`).
  package func cleanLeftovers(olderThan cutoff: Date, dryRun: Bool) throws(StoreError) -> [String] {
    var removed: [String] = []
    for name in try listDirectory(layout.ingest.path) {
      let path = layout.ingest.path + "/" + name
      guard let status = try? FileSystem.status(path, followingLinks: false),
        Date(timeIntervalSince1970: status.modificationTime) < cutoff
      else { continue }
      removed.append(name)
      if !dryRun { try? FileManager.default.removeItem(atPath: path) }
    }
    return removed
  }

  /// Moves a damaged object out of `objects/` into `quarantine/`, so that a later push of the
  /// same content stores it again, and the damaged bytes stay available for inspection.
  package func quarantine(_ digest: Digest) throws(StoreError) -> String {
    let directory = layout.quarantine.path
    let target = directory + "/" + digest.hex + "." + UUID().uuidString.lowercased()
    do {
      try FileSystem.makeDirectories(directory)
      try FileSystem.rename(path(for: digest), to: target)
    } catch {
      throw StoreError(error)
    }
    return target
  }

  /// The names in a directory; none when it does not exist.
  func listDirectory(_ path: String) throws(StoreError) -> [String] {
    do {
      return try FileSystem.listDirectory(path)
    } catch  where error.code == ENOENT {
      return []
    } catch {
      throw StoreError(error)
    }
  }
}
