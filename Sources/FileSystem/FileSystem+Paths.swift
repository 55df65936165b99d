import Glibc

/// Calls on paths: names, directories, permissions, status, and what the system allows.
extension FileSystem {
  // MARK: - Names

  /// Moves `source` to `destination` atomically, replacing a file there. The error names the
  /// destination. The corresponding C function is `rename`.
  package static func rename(_ source: String, to destination: String) throws(FileSystemError) {
    try check("cannot rename \(source) into place", destination) { Glibc.rename(source, destination) }
  }

  /// Gives the file at `source` a second name, `destination`, which must not exist (`EEXIST`,
  /// `alreadyExists`). The corresponding C function is `link`.
  package static func link(_ source: String, to destination: String) throws(FileSystemError) {
    try check("cannot link \(source)", destination) { Glibc.link(source, destination) }
  }

  /// Removes a name. The corresponding C function is `unlink`.
  package static func unlink(_ path: String) throws(FileSystemError) {
    try check("cannot remove", path) { Glibc.unlink(path) }
  }

  // MARK: - Directories

  /// Creates one directory, which must not exist. The corresponding C function is `mkdir`.
  package static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws(FileSystemError) {
    try check("cannot create directory", path) { Glibc.mkdir(path, mode) }
  }

  /// Creates a directory and its missing parents (`mkdir -p`); existing directories are fine, an
  /// existing file in the way is not (`ENOTDIR`).
  package static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(FileSystemError) {
    do {
      try makeDirectory(path, mode: mode)
    } catch  where error.code == EEXIST {
      guard (try? status(path))?.kind == .directory else {
        throw FileSystemError("cannot create directory", path: path, .system(errno: ENOTDIR))
      }
    } catch  where error.code == ENOENT {
      let parent = parent(of: path)
      guard !parent.isEmpty, parent != path else { throw error }
      try makeDirectories(parent, mode: mode)
      do {
        try makeDirectory(path, mode: mode)
      } catch  where error.code == EEXIST {
        // Another process created it meanwhile.
      }
    }
  }

  /// The names in a directory, without `.` and `..`, in no particular order; a name that is not
  /// valid UTF-8 comes back repaired (U+FFFD), so use `listDirectoryNames` where that matters.
  /// The corresponding C functions are `opendir` and `readdir`.
  package static func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
    try listDirectoryNames(path).map(\.repaired)
  }

  /// The names in a directory as the file system holds them: bytes, not always UTF-8.
  package static func listDirectoryNames(_ path: String) throws(FileSystemError) -> [EntryName] {
    var opened = opendir(path)
    while opened == nil && errno == EINTR { opened = opendir(path) }
    guard let stream = opened else { throw FileSystemError("cannot list", path: path, .system(errno: errno)) }
    defer { closedir(stream) }
    var names: [EntryName] = []
    while let entry = readdir(stream) {
      let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
      if bytes != [UInt8(ascii: ".")] && bytes != [UInt8(ascii: "."), UInt8(ascii: ".")] {
        names.append(EntryName(bytes: bytes))
      }
    }
    return names
  }

  /// A directory entry's name. Two names that differ only in bytes that are not UTF-8
  /// (`x\xff`, `x\xfe`) repair to the same string, so code that keys by name must look at
  /// `isValidUTF8` first.
  package struct EntryName: Sendable, Equatable {
    package let bytes: [UInt8]

    package init(bytes: [UInt8]) { self.bytes = bytes }

    /// Whether the bytes are valid UTF-8 (then `repaired` is exactly them).
    package var isValidUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }
    /// The name with invalid bytes replaced by U+FFFD.
    package var repaired: String { String(decoding: bytes, as: UTF8.self) }
    /// The name for messages: invalid bytes shown as `\xFF`, so a person sees what is there.
    package var escaped: String {
      var text = ""
      var index = 0
      while index < bytes.count {
        var end = index + 1
        while end <= bytes.count, end - index <= 4 {
          if let piece = String(validating: bytes[index..<end], as: UTF8.self) {
            text += piece
            break
          }
          end += 1
        }
        if end > bytes.count || end - index > 4 {
          text += String(format: "\\x%02X", bytes[index])
          end = index + 1
        }
        index = end
      }
      return text
    }
  }

  /// `path` without its last component ("" when it has none to drop).
  static func parent(of path: String) -> String {
    let slash = UInt8(ascii: "/")
    var bytes = Array(path.utf8)
    while bytes.count > 1 && bytes.last == slash { bytes.removeLast() }
    guard var end = bytes.lastIndex(of: slash) else { return "" }
    while end > 0 && bytes[end - 1] == slash { end -= 1 }
    return end == 0 ? "/" : String(decoding: bytes[..<end], as: UTF8.self)
  }

  // MARK: - Permissions and times

  /// Sets the permission bits of `path`. The corresponding C function is `chmod`.
  package static func setPermissions(_ path: String, _ mode: mode_t) throws(FileSystemError) {
    try check("chmod failed", path) { Glibc.chmod(path, mode) }
  }

  /// Sets the permission bits of an open file. The corresponding C function is `fchmod`.
  package static func setPermissions(_ descriptor: Int32, _ mode: mode_t, path: String) throws(FileSystemError) {
    try check("chmod failed", path) { Glibc.fchmod(descriptor, mode) }
  }

  /// Sets a file's modification time to now ("freshens" it, as git does for objects it reuses),
  /// so a garbage collector's grace period protects a file that was just decided on.
  /// The corresponding C function is `utimensat`.
  ///
  /// - Returns: whether the file exists and was touched.
  package static func touch(_ path: String) -> Bool {
    (try? check("cannot touch", path) { utimensat(AT_FDCWD, path, nil, 0) }) != nil
  }

  // MARK: - Status

  /// Whether anything, even a dangling symbolic link, has this name.
  /// The corresponding C function is `lstat`.
  package static func exists(_ path: String) -> Bool {
    var info = stat()
    return (try? check("cannot stat", path) { lstat(path, &info) }) != nil
  }

  /// The status of `path`, or of the link itself with `followingLinks: false`.
  /// The corresponding C functions are `stat` and `lstat`.
  package static func status(_ path: String, followingLinks: Bool = true) throws(FileSystemError) -> FileStatus {
    var info = stat()
    try check("cannot stat", path) { followingLinks ? stat(path, &info) : lstat(path, &info) }
    return FileStatus(info)
  }

  /// The status of an open file. The corresponding C function is `fstat`.
  package static func status(_ descriptor: Int32, path: String) throws(FileSystemError) -> FileStatus {
    var info = stat()
    try check("cannot stat", path) { fstat(descriptor, &info) }
    return FileStatus(info)
  }

  // MARK: - What the system allows

  /// What `checkAccess` asks for.
  package enum Access: Sendable {
    case read, write
  }

  /// Checks that this process may read or write `path`, so a command can refuse plainly before it
  /// starts (SQLite would only say "unable to open database file").
  /// The corresponding C function is `access` (`R_OK`, `W_OK`).
  ///
  /// - Throws: `FileSystemError` "not readable" or "not writable" with the system's reason.
  package static func checkAccess(_ path: String, _ access: Access) throws(FileSystemError) {
    let (mode, operation) = access == .read ? (R_OK, "not readable") : (W_OK, "not writable")
    try check(operation, path) { Glibc.access(path, mode) }
  }

  /// Whether `path` is on a file system mounted read-only (false when that cannot be told).
  /// SQLite must be told a database there is immutable, and a command that writes can say so
  /// rather than fail on its first write. The corresponding C function is `statvfs` (`ST_RDONLY`).
  package static func isOnReadOnlyFileSystem(_ path: String) -> Bool {
    var info = statvfs()
    guard (try? check("cannot statvfs", path) { statvfs(path, &info) }) != nil else { return false }
    return info.f_flag & UInt(ST_RDONLY) != 0
  }

  /// Whether a process with this id exists on this host: false only when the system says there
  /// is none (`ESRCH`); a process we may not signal (`EPERM`) exists. A lease held by a process
  /// that is gone protects nothing. The corresponding C function is `kill` with signal 0.
  package static func processExists(_ pid: pid_t) -> Bool {
    do {
      try check("cannot signal", "pid \(pid)") { kill(pid, 0) }
      return true
    } catch {
      return error.code != ESRCH
    }
  }
}
