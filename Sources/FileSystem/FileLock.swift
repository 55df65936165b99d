import Glibc
import Synchronization

/// An advisory lock on a file, held until `unlock()` or until the `FileLock` is released.
///
/// The system releases it when the process exits, even when it is killed, so a crashed holder
/// never leaves a store locked. Locks are per open file: another descriptor, in this process or
/// another, conflicts. The corresponding C function is `flock`.
package final class FileLock: Sendable {
  /// Shared locks coexist; an exclusive lock excludes every other lock.
  package enum Mode: Sendable {
    case exclusive, shared
  }

  /// The locked descriptor; -1 once unlocked.
  private let descriptor: Atomic<Int32>

  private init(descriptor: Int32) {
    self.descriptor = Atomic(descriptor)
  }

  /// Opens (creating) the file at `path` and waits until the lock is granted.
  package convenience init(_ path: String, _ mode: Mode = .exclusive) throws(FileSystemError) {
    // A waiting lock is never refused for being held.
    self.init(descriptor: try Self.lock(path, mode, waiting: true)!)
  }

  /// Takes the lock if no one holds a conflicting one.
  ///
  /// - Returns: `nil` when another descriptor holds a conflicting lock.
  package static func attempt(_ path: String, _ mode: Mode = .exclusive) throws(FileSystemError) -> FileLock? {
    try lock(path, mode, waiting: false).map { FileLock(descriptor: $0) }
  }

  /// The locked descriptor, or `nil` when `waiting` is false and the lock is held elsewhere.
  private static func lock(_ path: String, _ mode: Mode, waiting: Bool) throws(FileSystemError) -> Int32? {
    let descriptor = try FileSystem.open(path, O_RDWR | O_CREAT)
    let operation = (mode == .exclusive ? LOCK_EX : LOCK_SH) | (waiting ? 0 : LOCK_NB)
    do {
      try FileSystem.check("cannot lock", path) { flock(descriptor, operation) }
      return descriptor
    } catch {
      FileSystem.close(descriptor)
      if error.code == EWOULDBLOCK { return nil }
      throw error
    }
  }

  /// Releases the lock; later calls do nothing.
  package func unlock() {
    let locked = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
    if locked >= 0 {
      _ = flock(locked, LOCK_UN)
      FileSystem.close(locked)
    }
  }

  deinit { unlock() }
}
