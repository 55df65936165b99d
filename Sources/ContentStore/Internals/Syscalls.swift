import CSyscalls
import Foundation
import RegistryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Every file-system call the store makes goes through here: each retries `EINTR` and turns
/// `errno` into a `StoreError` naming the path, so "No space left on device" or "Read-only file
/// system" reach the user with the file they concern.
enum Syscalls {
  static func error(_ path: String, _ what: String, _ code: Int32 = errno) -> StoreError {
    let kind: ErrorCategory = code == ENOENT ? .notFound : (code == EEXIST ? .alreadyExists : .unavailable)
    return StoreError(kind, path, "\(what): \(String(cString: strerror(code)))")
  }

  static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) throws(StoreError) -> Int32 {
    while true {
      let descriptor = Glibc.open(path, flags | O_CLOEXEC, mode)
      if descriptor >= 0 { return descriptor }
      if errno != EINTR { throw error(path, "cannot open") }
    }
  }

  static func close(_ descriptor: Int32) {
    _ = Glibc.close(descriptor)
  }

  static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(StoreError) {
    var done = 0
    while done < bytes.count {
      let result = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
      if result < 0 {
        if errno == EINTR { continue }
        throw error(path, "write failed")
      }
      done += result
    }
  }

  /// Writes a whole array at `offset`.
  static func pwriteAll(_ descriptor: Int32, _ bytes: [UInt8], offset: Int64, path: String) throws(StoreError) {
    let failure: StoreError? = bytes.withUnsafeBytes { buffer in
      var done = 0
      while done < buffer.count {
        let result = Glibc.pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
        if result < 0 {
          if errno == EINTR { continue }
          return error(path, "write failed")
        }
        done += result
      }
      return nil
    }
    if let failure { throw failure }
  }

  /// Writes a whole array.
  static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(StoreError) {
    let result: StoreError? = bytes.withUnsafeBytes { buffer in
      do throws(StoreError) { try writeAll(descriptor, buffer, path: path) } catch { return error }
      return nil
    }
    if let result { throw result }
  }

  /// Reads `count` bytes at `offset`, fewer only at end of file.
  static func read(_ descriptor: Int32, count: Int, offset: Int64, path: String) throws(StoreError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    let result: Result<Int, StoreError> = bytes.withUnsafeMutableBytes { buffer in
      do throws(StoreError) {
        return .success(try pread(descriptor, into: buffer, offset: offset, path: path))
      } catch {
        return .failure(error)
      }
    }
    let done = try result.get()
    if done < count { bytes.removeSubrange(done...) }
    return bytes
  }

  /// Reads up to `count` bytes at `offset`; returns fewer only at end of file.
  static func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, offset: Int64, path: String) throws(StoreError) -> Int {
    var done = 0
    while done < buffer.count {
      let result = Glibc.pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
      if result < 0 {
        if errno == EINTR { continue }
        throw error(path, "read failed")
      }
      if result == 0 { break }
      done += result
    }
    return done
  }

  static func fsync(_ descriptor: Int32, path: String) throws(StoreError) {
    while Glibc.fsync(descriptor) != 0 {
      if errno != EINTR { throw error(path, "fsync failed") }
    }
  }

  /// Flushes the directory entry changes (renames, creations) in `directory`.
  static func fsyncDirectory(_ directory: String) throws(StoreError) {
    let descriptor = try open(directory, O_RDONLY | O_DIRECTORY)
    defer { close(descriptor) }
    try fsync(descriptor, path: directory)
  }

  /// Flushes every dirty page of the file system that holds `path` (Linux `syncfs`); one call
  /// makes a whole batch of object files durable, where one `fsync` per object would dominate
  /// the cost of pushing many small tensors.
  static func syncFileSystem(containing path: String) throws(StoreError) {
    let descriptor = try open(path, O_RDONLY | O_DIRECTORY)
    defer { close(descriptor) }
    while csyscalls_syncfs(descriptor) != 0 {
      if errno != EINTR { throw error(path, "syncfs failed") }
    }
  }

  static func rename(_ from: String, _ to: String) throws(StoreError) {
    if Glibc.rename(from, to) != 0 { throw error(to, "cannot rename \(from) into place") }
  }

  static func unlink(_ path: String) {
    _ = Glibc.unlink(path)
  }

  static func chmod(_ path: String, _ mode: mode_t) throws(StoreError) {
    if Glibc.chmod(path, mode) != 0 { throw error(path, "chmod failed") }
  }

  /// Creates a directory and its parents; existing ones are fine.
  static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(StoreError) {
    if Glibc.mkdir(path, mode) == 0 { return }
    switch errno {
    case EEXIST:
      var info = stat()
      if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return }
      throw StoreError(.unavailable, path, "exists and is not a directory")
    case ENOENT:
      let parent = (path as NSString).deletingLastPathComponent
      guard !parent.isEmpty, parent != path else { throw error(path, "cannot create directory") }
      try makeDirectories(parent, mode: mode)
      if Glibc.mkdir(path, mode) != 0 && errno != EEXIST { throw error(path, "cannot create directory") }
    default:
      throw error(path, "cannot create directory")
    }
  }

  /// Sets a file's modification time to now ("freshens" it, as git does for objects it reuses),
  /// so the garbage collector's grace period protects an object a push just decided to reuse.
  static func touch(_ path: String) -> Bool {
    utimensat(AT_FDCWD, path, nil, 0) == 0
  }

  static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }

  static func fileSize(_ path: String) throws(StoreError) -> Int64 {
    var info = stat()
    guard stat(path, &info) == 0 else { throw error(path, "cannot stat") }
    return Int64(info.st_size)
  }
}
