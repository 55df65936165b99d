import FileSystem
import Foundation

/// Lists a SavedModel directory tree with `lstat`, refusing anything but regular files and
/// directories: a symlink could point outside the model, and a device or FIFO has no bytes to
/// store.
enum DirectoryWalker {
  static func walk(_ root: URL) throws(FormatError) -> [SavedModelDirectory.FileEntry] {
    let status: FileStatus
    do {
      status = try FileSystem.status(root.path, followingLinks: false)
    } catch {
      throw FormatError(error.relabelled("cannot open the SavedModel directory"))
    }
    guard status.kind == .directory else {
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
    let entryNames: [FileSystem.EntryName]
    do {
      entryNames = try FileSystem.listDirectoryNames(directory.path)
    } catch {
      throw FormatError(error.relabelled("cannot list the directory"))
    }
    for entryName in entryNames {
      // SavedModel file names are UTF-8; a name that is not would be stored repaired, and two
      // such names could become one (push failed on a UNIQUE constraint, verify read one twice).
      guard entryName.isValidUTF8 else {
        throw FormatError(
          .invalidArgument, file: directory.path + "/" + entryName.escaped,
          "the file name is not valid UTF-8; a SavedModel's file names are UTF-8 (rename it)")
      }
      let name = entryName.repaired
      let url = directory.appendingPathComponent(name)
      let path = relative.isEmpty ? name : relative + "/" + name
      let status: FileStatus
      do {
        status = try FileSystem.status(url.path, followingLinks: false)
      } catch {
        throw FormatError(error)
      }
      switch status.kind {
      case .regularFile:
        guard (try? FileSystem.checkAccess(url.path, .read)) != nil else {
          throw FormatError(.unavailable, file: url.path, "not readable")
        }
        entries.append(.init(path: path, kind: .file, size: status.size, mode: status.permissions))
      case .directory:
        entries.append(.init(path: path, kind: .directory, size: 0, mode: status.permissions))
        try walk(url, relative: path, into: &entries)
      case .symbolicLink:
        throw FormatError(
          .invalidArgument, file: url.path,
          "is a symbolic link; a SavedModel may hold only regular files and directories")
      case .other:
        throw FormatError(
          .invalidArgument, file: url.path,
          "is a device, socket or FIFO; a SavedModel may hold only regular files and directories")
      }
    }
  }
}
