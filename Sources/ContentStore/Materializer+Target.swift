import FileSystem
import Foundation
import RegistryCore

/// Where a pull may write, and what `--force` may replace.
///
/// `--force` deletes what is at the target, so it must never be trusted with a path alone: only a
/// directory that an earlier pull wrote (recorded in a marker file beside it) may be replaced, and
/// never the store or anything inside it, never the working directory or one of its ancestors,
/// never a file, a link or a device.
extension Materializer {
  /// The marker beside a pulled directory: `PARENT/.NAME.pulled`, holding the directory's device,
  /// inode and change time, so a later `--force` can tell the directory it wrote from anything
  /// else. The inode alone is not enough: a directory made after the pulled one was deleted often
  /// gets the same inode number back. The change time moves when an entry is added, removed or
  /// renamed in the directory, so a pulled directory the user has since added work to is refused
  /// too.
  static func markerPath(parent: String, name: String) -> String { parent + "/." + name + ".pulled" }

  /// Records that `targetPath` is a directory this pull wrote. Best effort: without a marker a
  /// later `--force` refuses, which is safe.
  func markPulled(_ targetPath: String, parent: String, name: String) {
    guard let status = try? FileSystem.status(targetPath, followingLinks: false) else { return }
    let marker = Self.markerPath(parent: parent, name: name)
    let temp = marker + ".tmp-\(getpid())"
    let text = Self.markerFields(status).map(String.init).joined(separator: " ") + "\n"
    guard (try? Data(text.utf8).write(to: URL(fileURLWithPath: temp))) != nil else { return }
    if (try? FileSystem.rename(temp, to: marker)) == nil { try? FileSystem.unlink(temp) }
  }

  /// Refuses to replace `targetPath` unless it is a directory an earlier pull wrote, outside the
  /// store and not the working directory or one of its ancestors.
  ///
  /// - Throws: `StoreError` (`failedPrecondition`) saying which rule refused.
  func checkReplaceable(_ targetPath: String, parent: String, name: String) throws(StoreError) {
    let status: FileStatus
    do {
      status = try FileSystem.status(targetPath, followingLinks: false)
    } catch {
      throw StoreError(error)
    }
    guard status.kind == .directory else {
      throw StoreError(
        .failedPrecondition, targetPath, "is not a directory; --force only replaces a directory that pull wrote")
    }
    let resolved = Self.resolve(parent) + "/" + name
    let store = Self.resolve(self.store.layout.root.path)
    if resolved == store || Self.isAncestor(resolved, of: store) || Self.isAncestor(store, of: resolved) {
      throw StoreError(
        .failedPrecondition, targetPath, "is the store, inside it or contains it; --force never replaces the store")
    }
    let workingDirectory = Self.resolve(FileManager.default.currentDirectoryPath)
    if resolved == workingDirectory || Self.isAncestor(resolved, of: workingDirectory) {
      throw StoreError(
        .failedPrecondition, targetPath, "is the working directory or one of its ancestors; --force never replaces it")
    }
    let marker = Self.markerPath(parent: parent, name: name)
    let recorded = (try? String(contentsOfFile: marker, encoding: .utf8))?
      .split(whereSeparator: \.isWhitespace).compactMap { UInt64($0) }
    guard let recorded, recorded == Self.markerFields(status) else {
      throw StoreError(
        .failedPrecondition, targetPath,
        "was not written by registry pull, or has changed since (no matching \(marker)); "
          + "--force only replaces a directory that pull wrote")
    }
  }

  /// What the marker records of a directory: device, inode, change time (seconds, nanoseconds).
  static func markerFields(_ status: FileStatus) -> [UInt64] {
    let changed = status.identity.changed
    return [
      status.identity.device, status.identity.inode, UInt64(truncatingIfNeeded: changed.tv_sec),
      UInt64(truncatingIfNeeded: changed.tv_nsec),
    ]
  }

  /// Removes what killed pulls into `parent` left for `name` (`.NAME.pull-PID-…` and
  /// `.NAME.old-PID-…` of processes that no longer run). A pull in progress is left alone.
  func removeLeftovers(in parent: String, name: String) {
    guard let entries = try? FileSystem.listDirectory(parent) else { return }
    for entry in entries {
      for kind in [".pull-", ".old-"] {
        let prefix = "." + name + kind
        guard entry.hasPrefix(prefix) else { continue }
        let pid = entry.dropFirst(prefix.count).prefix { $0 != "-" }
        guard let pid = pid_t(pid), pid > 0, !FileSystem.processExists(pid) else { continue }
        let path = parent + "/" + entry
        makeWritable(path)
        try? FileManager.default.removeItem(atPath: path)
      }
    }
  }

  static func resolve(_ path: String) -> String {
    URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
  }

  static func isAncestor(_ ancestor: String, of path: String) -> Bool {
    ancestor == "/" ? path != "/" : path.hasPrefix(ancestor + "/")
  }
}
