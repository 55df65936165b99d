import Glibc
import RegistryCore

/// A failed file-system call: the path it concerned, what was being done, and why it failed.
///
/// Every call in `FileSystem` throws this one type, so each module turns file-system failures into
/// its own error in one place, and "No space left on device" or "Read-only file system" reach the
/// user with the file they concern.
package struct FileSystemError: CategorizedError, Equatable {
  /// Why the call failed.
  package enum Failure: Equatable, Sendable {
    /// The system refused with this `errno`.
    case system(errno: Int32)
    /// An exact read reached the end of the file at byte `end`, `missing` bytes short: the file
    /// is shorter than its index, listing or size said, or it shrank while being read.
    case endedEarly(end: Int64, missing: Int)
    /// A read of a named file found a FIFO, device, socket or directory there: its reads could
    /// block forever, never end, or fail, so it is refused before any read.
    case notRegularFile
  }

  /// The file or directory concerned.
  package let path: String
  /// What was being done, in a few words ("cannot open", "read failed", …).
  package let operation: String
  package let failure: Failure

  package init(_ operation: String, path: String, _ failure: Failure) {
    self.operation = operation
    self.path = path
    self.failure = failure
  }

  /// `ENOENT` is `notFound` and `EEXIST` `alreadyExists`; every other refusal (permissions, a
  /// full disk, a read-only file system, an I/O error) is `unavailable`, as docs/cli.md documents.
  /// A file that ends early is `corrupted`; a file that is not a regular file, `invalidArgument`
  /// (a caller that expects its own files there, like the object store, says `corrupted`).
  package var category: ErrorCategory {
    switch failure {
    case .system(errno: ENOENT): .notFound
    case .system(errno: EEXIST): .alreadyExists
    case .system: .unavailable
    case .endedEarly: .corrupted
    case .notRegularFile: .invalidArgument
    }
  }

  /// The `errno` of a refused call; `nil` for a file that ended early.
  package var code: Int32? {
    if case .system(let code) = failure { code } else { nil }
  }

  /// Whether an exact read found the file shorter than asked.
  package var endedEarly: Bool {
    if case .endedEarly = failure { true } else { false }
  }

  /// Whether a read found something other than a regular file at the path.
  package var notRegularFile: Bool { failure == .notRegularFile }

  /// The system's words for the failure (`strerror`), or where the file ended.
  package var reason: String {
    switch failure {
    case .system(let code): String(cString: strerror(code))
    case .endedEarly(let end, let missing): "the file ends at \(end) bytes, \(missing) bytes short"
    case .notRegularFile: "not a regular file (a FIFO, device, socket or directory)"
    }
  }

  /// The operation and the reason: "cannot open: No such file or directory".
  package var problem: String { "\(operation): \(reason)" }
  package var message: String { "\(path): \(problem)" }
  package var file: String? { path }

  /// The same failure told as `operation` (and about `path`), for a caller that can say better
  /// what it was doing ("cannot open the collector lock" rather than "cannot open").
  package func relabelled(_ operation: String, path: String? = nil) -> FileSystemError {
    FileSystemError(operation, path: path ?? self.path, failure)
  }
}
