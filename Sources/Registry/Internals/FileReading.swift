import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Reads exactly `buffer.count` bytes of `url` at `offset`, or fails naming the file (a file that
/// ends early changed after it was listed).
func readExactly(_ url: URL, offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
  guard buffer.count > 0, let base = buffer.baseAddress else { return }
  let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
  guard descriptor >= 0 else {
    throw RegistryError(.unavailable, "\(url.path): cannot open: \(String(cString: strerror(errno)))")
  }
  defer { close(descriptor) }
  var done = 0
  while done < buffer.count {
    let result = pread(descriptor, base + done, buffer.count - done, off_t(offset) + off_t(done))
    if result < 0 {
      if errno == EINTR { continue }
      throw RegistryError(.unavailable, "\(url.path): read failed: \(String(cString: strerror(errno)))")
    }
    if result == 0 {
      throw RegistryError(.corrupted, "\(url.path): the file changed while it was being pushed (it ended early)")
    }
    done += result
  }
}

/// What identifies a file's content cheaply: if none of these changed, the bytes read were the
/// bytes of one unchanged file (the rule git and rsync rely on).
struct FileIdentity: Equatable {
  let device: UInt64
  let inode: UInt64
  let size: Int64
  let modified: timespec
  let changed: timespec

  init(of url: URL) throws {
    var info = stat()
    guard stat(url.path, &info) == 0 else {
      throw RegistryError(.unavailable, "\(url.path): cannot stat: \(String(cString: strerror(errno)))")
    }
    device = UInt64(info.st_dev)
    inode = UInt64(info.st_ino)
    size = Int64(info.st_size)
    modified = info.st_mtim
    changed = info.st_ctim
  }

  static func == (a: FileIdentity, b: FileIdentity) -> Bool {
    a.device == b.device && a.inode == b.inode && a.size == b.size
      && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
      && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
  }
}
