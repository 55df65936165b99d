import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lists a SavedModel directory tree with `lstat`, refusing anything but regular files and
/// directories: a symlink could point outside the model, and a device or FIFO has no bytes to
/// store.
enum DirectoryWalker {
  static func walk(_ root: URL) throws(FormatError) -> [SavedModelDirectory.FileEntry] {
    var info = stat()
    guard lstat(root.path, &info) == 0 else {
      throw posixError(root, "cannot open the SavedModel directory", errno: errno)
    }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
      throw FormatError(.invalidArgument, file: root.path, "not a directory")
    }
    var entries: [SavedModelDirectory.FileEntry] = []
    try walk(root, relative: "", into: &entries)
    entries.sort { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
    return entries
  }

  private static func walk(
    _ directory: URL, relative: String, into entries: inout [SavedModelDirectory.FileEntry]
  ) throws(FormatError) {
    guard let stream = opendir(directory.path) else {
      throw posixError(directory, "cannot list the directory", errno: errno)
    }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    for name in names {
      let url = directory.appendingPathComponent(name)
      let path = relative.isEmpty ? name : relative + "/" + name
      var info = stat()
      guard lstat(url.path, &info) == 0 else { throw posixError(url, "cannot stat", errno: errno) }
      let mode = UInt16(info.st_mode & 0o7777)
      switch info.st_mode & S_IFMT {
      case S_IFREG:
        guard access(url.path, R_OK) == 0 else {
          throw FormatError(.unavailable, file: url.path, "not readable")
        }
        entries.append(.init(path: path, kind: .file, size: Int64(info.st_size), mode: mode))
      case S_IFDIR:
        entries.append(.init(path: path, kind: .directory, size: 0, mode: mode))
        try walk(url, relative: path, into: &entries)
      case S_IFLNK:
        throw FormatError(
          .invalidArgument, file: url.path,
          "is a symbolic link; a SavedModel may hold only regular files and directories")
      default:
        throw FormatError(
          .invalidArgument, file: url.path,
          "is a device, socket or FIFO; a SavedModel may hold only regular files and directories")
      }
    }
  }
}
