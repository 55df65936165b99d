import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes a version's files out of the store as a directory, atomically and verified.
///
/// Everything is written into a fresh temporary directory beside the target; each object is
/// checked against its digest as it is read and each file against its SHA-256 and size as it is
/// written; files and directories are fsynced; only then is the temporary directory renamed to
/// the target. A reader never sees a half-written version, and a failure leaves the target as
/// it was.
public struct Materializer: Sendable {
  public struct Result: Sendable {
    public let files: Int
    public let bytes: Int64
  }

  public let store: ObjectStore

  public init(store: ObjectStore) {
    self.store = store
  }

  /// - Parameters:
  ///   - manifest: the version's manifest (validated again here).
  ///   - target: the directory to create.
  ///   - replacing: replace an existing target (`pull --force`); otherwise an existing target is
  ///     refused.
  /// - Throws: `StoreError` naming the object, file or target that failed.
  public func materialize(_ manifest: Manifest, to target: URL, replacing: Bool) throws(StoreError) -> Result {
    try manifest.validate()
    let targetPath = target.standardizedFileURL.path
    let parent = (targetPath as NSString).deletingLastPathComponent
    let name = (targetPath as NSString).lastPathComponent
    guard !name.isEmpty, name != "/", name != ".", name != ".." else {
      throw StoreError(.invalidArgument, targetPath, "not a usable target directory name")
    }
    let targetExists = Syscalls.exists(targetPath)
    if targetExists && !replacing {
      throw StoreError(.alreadyExists, targetPath, "already exists; pass --force to replace it")
    }
    try Syscalls.makeDirectories(parent)
    let temp = parent + "/." + name + ".pull-" + UUID().uuidString.lowercased()
    guard mkdir(temp, 0o700) == 0 else { throw Syscalls.error(temp, "cannot create directory") }

    do throws(StoreError) {
      let result = try write(manifest, into: temp)
      if targetExists {
        let old = parent + "/." + name + ".old-" + UUID().uuidString.lowercased()
        try Syscalls.rename(targetPath, old)
        do throws(StoreError) {
          try Syscalls.rename(temp, targetPath)
        } catch {
          try? Syscalls.rename(old, targetPath)
          throw error
        }
        try? FileManager.default.removeItem(atPath: old)
      } else {
        try Syscalls.rename(temp, targetPath)
      }
      try Syscalls.fsyncDirectory(parent)
      return result
    } catch {
      makeWritable(temp)
      try? FileManager.default.removeItem(atPath: temp)
      throw error
    }
  }

  private func write(_ manifest: Manifest, into root: String) throws(StoreError) -> Result {
    var files = 0
    var bytes: Int64 = 0
    var directories: [(path: String, mode: UInt16)] = [(root, 0o755)]
    for entry in manifest.entries {
      let path = root + "/" + entry.path
      switch entry.kind {
      case .directory:
        try Syscalls.makeDirectories(path, mode: 0o700)
        directories.append((path, entry.mode))
      case .file:
        try Syscalls.makeDirectories((path as NSString).deletingLastPathComponent, mode: 0o700)
        try writeFile(entry, at: path)
        files += 1
        bytes += entry.size ?? 0
      }
    }
    // Modes last, deepest first, so a read-only directory does not stop its own contents.
    for directory in directories.reversed() {
      try Syscalls.chmod(directory.path, mode_t(directory.mode))
      try Syscalls.fsyncDirectory(directory.path)
    }
    return Result(files: files, bytes: bytes)
  }

  private func writeFile(_ entry: Manifest.Entry, at path: String) throws(StoreError) {
    let descriptor = try Syscalls.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    defer { Syscalls.close(descriptor) }
    var digest = StreamingDigest()
    var written: Int64 = 0
    for piece in entry.objects ?? [] {
      let content = try store.read(piece.digest)
      guard Int64(content.count) == piece.size else {
        throw StoreError(
          .corrupted, piece.digest.description,
          "holds \(content.count) bytes but the manifest of \(entry.path) expects \(piece.size)")
      }
      digest.update(content)
      try Syscalls.writeAll(descriptor, content, path: path)
      written += piece.size
    }
    let actual = digest.finalize()
    guard written == entry.size, actual == entry.sha256 else {
      throw StoreError(
        .corrupted, entry.path,
        "rebuilt file hashes to \(actual) (\(written) bytes) but the manifest says \(entry.sha256?.description ?? "?")")
    }
    try Syscalls.fsync(descriptor, path: path)
    guard fchmod(descriptor, mode_t(entry.mode)) == 0 else { throw Syscalls.error(path, "chmod failed") }
  }

  private func makeWritable(_ root: String) {
    let enumerator = FileManager.default.enumerator(atPath: root)
    _ = chmod(root, 0o700)
    while let relative = enumerator?.nextObject() as? String {
      _ = chmod(root + "/" + relative, 0o700)
    }
  }
}
