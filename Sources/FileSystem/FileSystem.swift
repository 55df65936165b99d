import CSyscalls
import Glibc

/// Every libc file call the package makes, in one place.
///
/// Each call retries `EINTR` and reports failure as a `FileSystemError` naming the path and the
/// operation, so no caller handles `errno` itself. Descriptors are plain `Int32`s, opened
/// close-on-exec so a child process never inherits them. Linux only (Glibc, `syncfs`).
package enum FileSystem {
  // MARK: - The errno funnel

  /// Runs `call` until it does not fail with `EINTR`; any other failure (a result of -1) becomes a
  /// `FileSystemError` naming `path` and `operation`.
  @discardableResult
  static func check(
    _ operation: @autoclosure () -> String, _ path: String, _ call: () -> Int32
  ) throws(FileSystemError) -> Int32 {
    while true {
      let result = call()
      if result != -1 { return result }
      let code = errno
      if code != EINTR { throw FileSystemError(operation(), path: path, .system(errno: code)) }
    }
  }

  /// The one loop behind every read and write: calls `step` with the bytes done so far until
  /// `count` bytes are done or a step moves none (end of file), retrying `EINTR`.
  ///
  /// - Returns: the bytes done, and the `errno` of a step that failed.
  static func repeatUntilDone(_ count: Int, _ step: (_ done: Int) -> Int) -> (done: Int, failure: Int32?) {
    var done = 0
    while done < count {
      let result = step(done)
      if result < 0 {
        let code = errno
        if code == EINTR { continue }
        return (done, code)
      }
      if result == 0 { break }
      done += result
    }
    return (done, nil)
  }

  // MARK: - Descriptors

  /// Opens `path` close-on-exec. The corresponding C function is `open`.
  ///
  /// - Parameter mode: the permissions of a file `O_CREAT` creates.
  package static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(FileSystemError) -> Int32 {
    try check("cannot open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
  }

  /// Opens a named file for reading, refusing anything but a regular file without blocking:
  /// `O_NONBLOCK` makes opening a FIFO that has no writer return at once (a plain open waits for
  /// a writer forever), and `fstat` on the descriptor (not the name, which could change) then
  /// refuses FIFOs, devices, sockets and directories. Every read of a named file goes through
  /// here. `O_NONBLOCK` changes nothing for reads of a regular file.
  ///
  /// - Returns: the descriptor, which the caller closes, and the file's status.
  /// - Throws: `FileSystemError` `.notRegularFile` (the descriptor is closed), or the open's failure.
  package static func openForReading(_ path: String) throws(FileSystemError) -> (descriptor: Int32, status: FileStatus)
  {
    let descriptor = try open(path, O_RDONLY | O_NONBLOCK)
    do throws(FileSystemError) {
      let status = try status(descriptor, path: path)
      guard status.kind == .regularFile else { throw FileSystemError("cannot read", path: path, .notRegularFile) }
      return (descriptor, status)
    } catch {
      close(descriptor)
      throw error
    }
  }

  /// Closes a descriptor. Not retried: on Linux the descriptor is gone even when `close` reports
  /// `EINTR`, and retrying could close one another thread just opened. The corresponding C
  /// function is `close`.
  package static func close(_ descriptor: Int32) {
    _ = Glibc.close(descriptor)
  }

  // MARK: - Reading

  /// Reads `buffer.count` bytes at `offset`, fewer only at the end of the file.
  /// The corresponding C function is `pread`.
  ///
  /// - Returns: the bytes read.
  package static func read(
    _ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String
  ) throws(FileSystemError) -> Int {
    let (done, failure) = repeatUntilDone(buffer.count) { done in
      Glibc.pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
    }
    if let failure { throw FileSystemError("read failed", path: path, .system(errno: failure)) }
    return done
  }

  /// Reads exactly `buffer.count` bytes of `path` at `offset`.
  ///
  /// - Throws: `FileSystemError` `.endedEarly` when the file is shorter, so the caller can say
  ///   what that means (a truncated shard, a file that changed while it was read).
  package static func readExactly(
    _ path: String, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64
  ) throws(FileSystemError) {
    guard buffer.count > 0 else { return }
    let descriptor = try openForReading(path).descriptor
    defer { close(descriptor) }
    try requireAll(try read(descriptor, into: buffer, at: offset, path: path), of: buffer.count, at: offset, path: path)
  }

  /// Reads up to `count` bytes of `path` at `offset`; fewer only at the end of the file.
  package static func read(_ path: String, upTo count: Int, at offset: Int64) throws(FileSystemError) -> [UInt8] {
    let descriptor = try openForReading(path).descriptor
    defer { close(descriptor) }
    return try read(descriptor, upTo: count, at: offset, path: path)
  }

  /// Reads exactly `count` bytes of `path` at `offset`.
  ///
  /// - Throws: `FileSystemError` `.endedEarly` when the file is shorter.
  package static func readExactly(_ path: String, count: Int, at offset: Int64) throws(FileSystemError) -> [UInt8] {
    let bytes = try read(path, upTo: count, at: offset)
    try requireAll(bytes.count, of: count, at: offset, path: path)
    return bytes
  }

  /// Reads a whole (small) file, as long as `fstat` says it is.
  ///
  /// - Throws: `FileSystemError` `.endedEarly` when the file shrank while it was read.
  package static func readFile(_ path: String) throws(FileSystemError) -> [UInt8] {
    let (descriptor, status) = try openForReading(path)
    defer { close(descriptor) }
    return try readExactly(descriptor, count: Int(status.size), at: 0, path: path)
  }

  /// Reads exactly `count` bytes of an open file at `offset`, for a caller that checked the
  /// file's status (from `openForReading`) before deciding how much to allocate.
  ///
  /// - Throws: `FileSystemError` `.endedEarly` when the file is shorter.
  package static func readExactly(
    _ descriptor: Int32, count: Int, at offset: Int64, path: String
  ) throws(FileSystemError) -> [UInt8] {
    let bytes = try read(descriptor, upTo: count, at: offset, path: path)
    try requireAll(bytes.count, of: count, at: offset, path: path)
    return bytes
  }

  static func read(
    _ descriptor: Int32, upTo count: Int, at offset: Int64, path: String
  ) throws(FileSystemError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    let done = try bytes.withUnsafeMutableBytes { buffer in
      Result { () throws(FileSystemError) in try read(descriptor, into: buffer, at: offset, path: path) }
    }.get()
    bytes.removeSubrange(done...)
    return bytes
  }

  /// The short-read check every exact read ends with.
  static func requireAll(_ done: Int, of count: Int, at offset: Int64, path: String) throws(FileSystemError) {
    if done < count {
      throw FileSystemError("read failed", path: path, .endedEarly(end: offset + Int64(done), missing: count - done))
    }
  }

  // MARK: - Writing

  /// Writes all of `bytes`, at `offset` when given, else at the descriptor's position.
  /// The corresponding C functions are `pwrite` and `write`.
  package static func write(
    _ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64? = nil, path: String
  ) throws(FileSystemError) {
    let (done, failure) = repeatUntilDone(bytes.count) { done in
      let start = bytes.baseAddress! + done
      guard let offset else { return Glibc.write(descriptor, start, bytes.count - done) }
      return Glibc.pwrite(descriptor, start, bytes.count - done, off_t(offset) + off_t(done))
    }
    // A write that moves nothing without an error is reported as an I/O error, not skipped.
    if let failure = failure ?? (done < bytes.count ? EIO : nil) {
      throw FileSystemError("write failed", path: path, .system(errno: failure))
    }
  }

  /// Writes a whole array; see `write(_:_:at:path:)` for a buffer.
  package static func write(
    _ descriptor: Int32, _ bytes: [UInt8], at offset: Int64? = nil, path: String
  ) throws(FileSystemError) {
    try bytes.withUnsafeBytes { buffer in
      Result { () throws(FileSystemError) in try write(descriptor, buffer, at: offset, path: path) }
    }.get()
  }

  // MARK: - Durability

  /// Flushes a file's data and metadata to the disk. The corresponding C function is `fsync`.
  package static func sync(_ descriptor: Int32, path: String) throws(FileSystemError) {
    try check("fsync failed", path) { Glibc.fsync(descriptor) }
  }

  /// Asks the kernel to start writing `descriptor`'s dirty pages in the range to disk now, without
  /// waiting, so that the disk works while the caller goes on computing and the `fsync` or
  /// `syncfs` that later makes the bytes durable has less left to wait for. A hint only: it
  /// makes nothing durable and changes no ordering, so its failure is ignored.
  package static func startWriteback(_ descriptor: Int32, offset: Int64 = 0, length: Int64 = 0) {
    _ = csyscalls_start_writeback(descriptor, offset, length)
  }

  /// Flushes the directory entry changes (renames, creations) in `directory`.
  package static func syncDirectory(_ directory: String) throws(FileSystemError) {
    let descriptor = try open(directory, O_RDONLY | O_DIRECTORY)
    defer { close(descriptor) }
    try sync(descriptor, path: directory)
  }

  /// Flushes every dirty page of the file system that holds the directory `path`: one call makes
  /// a whole batch of files durable, where one `fsync` per file would dominate the cost of many
  /// small ones. The corresponding C function is `syncfs` (through CSyscalls, since Glibc hides it).
  package static func syncFileSystem(containing path: String) throws(FileSystemError) {
    let descriptor = try open(path, O_RDONLY | O_DIRECTORY)
    defer { close(descriptor) }
    try check("syncfs failed", path) { csyscalls_syncfs(descriptor) }
  }
}
