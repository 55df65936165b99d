import Foundation
import RegistryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Small POSIX wrappers that turn every failure into a `FormatError` naming the file.

func posixError(_ url: URL, _ what: String, errno code: Int32) -> FormatError {
  let reason = String(cString: strerror(code))
  let kind: ErrorCategory = code == ENOENT ? .notFound : .unavailable
  return FormatError(kind, file: url.path, "\(what): \(reason)")
}

/// The size of a regular file; refuses directories, devices and the like.
func fileSize(_ url: URL) throws(FormatError) -> Int64 {
  var info = stat()
  guard stat(url.path, &info) == 0 else { throw posixError(url, "cannot read", errno: errno) }
  guard (info.st_mode & S_IFMT) == S_IFREG else {
    throw FormatError(.invalidArgument, file: url.path, "not a regular file")
  }
  return Int64(info.st_size)
}

/// Reads a whole (small) file.
func readWholeFile(_ url: URL) throws(FormatError) -> [UInt8] {
  let size = try fileSize(url)
  return try readRange(url, offset: 0, count: Int(size))
}

/// Reads exactly `count` bytes at `offset`, failing if the file is shorter.
func readRange(_ url: URL, offset: Int64, count: Int) throws(FormatError) -> [UInt8] {
  let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
  guard descriptor >= 0 else { throw posixError(url, "cannot open", errno: errno) }
  defer { close(descriptor) }
  var buffer = [UInt8](repeating: 0, count: count)
  var done = 0
  while done < count {
    let result = buffer.withUnsafeMutableBytes { raw in
      pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
    }
    if result < 0 {
      if errno == EINTR { continue }
      throw posixError(url, "read failed", errno: errno)
    }
    if result == 0 {
      throw FormatError(
        .corrupted, file: url.path,
        "file ends at \(offset + Int64(done)) bytes, \(count - done) bytes short of what the index expects")
    }
    done += result
  }
  return buffer
}
