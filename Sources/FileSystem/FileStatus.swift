import Glibc

/// What identifies a file's content cheaply: if none of these changed, the bytes read were the
/// bytes of one unchanged file (the rule git and rsync rely on).
package struct FileIdentity: Equatable, Sendable {
  package let device: UInt64
  package let inode: UInt64
  package let size: Int64
  /// Last change of the content.
  package let modified: timespec
  /// Last change of the content or the metadata (a rename or `touch` included).
  package let changed: timespec

  /// The identity of the file at `path`, following symbolic links. The corresponding C function
  /// is `stat`.
  package init(of path: String) throws(FileSystemError) {
    self = try FileSystem.status(path).identity
  }

  init(_ info: stat) {
    device = UInt64(info.st_dev)
    inode = UInt64(info.st_ino)
    size = Int64(info.st_size)
    modified = info.st_mtim
    changed = info.st_ctim
  }

  package static func == (a: FileIdentity, b: FileIdentity) -> Bool {
    a.device == b.device && a.inode == b.inode && a.size == b.size
      && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
      && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
  }
}

/// What `stat` says about a file: its kind, permissions, size and times.
package struct FileStatus: Equatable, Sendable {
  package enum Kind: Sendable {
    case regularFile, directory, symbolicLink
    /// A device, socket or FIFO.
    case other
  }

  package let kind: Kind
  /// The permission bits (`st_mode & 0o7777`).
  package let permissions: UInt16
  package let identity: FileIdentity

  init(_ info: stat) {
    switch info.st_mode & S_IFMT {
    case S_IFREG: kind = .regularFile
    case S_IFDIR: kind = .directory
    case S_IFLNK: kind = .symbolicLink
    default: kind = .other
    }
    permissions = UInt16(info.st_mode & 0o7777)
    identity = FileIdentity(info)
  }

  package var size: Int64 { identity.size }

  /// The last modification, in seconds since 1970.
  package var modificationTime: Double {
    Double(identity.modified.tv_sec) + Double(identity.modified.tv_nsec) / 1e9
  }
}
