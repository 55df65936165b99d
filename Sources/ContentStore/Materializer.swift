import Dispatch
import FileSystem
import Foundation
import RegistryCore

/// Writes a version's files out of the store as a directory, atomically and verified.
///
/// Everything is written into a fresh temporary directory beside the target; each object is
/// checked against its digest as it is read and each file against its SHA-256 and size as it is
/// written; files and directories are fsynced; only then is the temporary directory renamed to
/// the target. A reader never sees a half-written version, and a failure leaves the target as
/// it was.
package struct Materializer: Sendable {
  package struct Result: Sendable {
    package let files: Int
    package let bytes: Int64
  }

  package let store: ObjectStore

  package init(store: ObjectStore) {
    self.store = store
  }

  /// - Parameters:
  ///   - manifest: the version's manifest (validated again here).
  ///   - target: the directory to create.
  ///   - replacing: replace an existing target (`pull --force`); otherwise an existing target is
  ///     refused.
  /// - Throws: `StoreError` naming the object, file or target that failed.
  package func materialize(_ manifest: Manifest, to target: URL, replacing: Bool) throws(StoreError) -> Result {
    try manifest.validate()
    let targetPath = target.standardizedFileURL.path
    let parent = (targetPath as NSString).deletingLastPathComponent
    let name = (targetPath as NSString).lastPathComponent
    guard !name.isEmpty, name != "/", name != ".", name != ".." else {
      throw StoreError(.invalidArgument, targetPath, "not a usable target directory name")
    }
    // lstat, not stat: a dangling symlink at the target exists too.
    let targetExists = (try? FileSystem.status(targetPath, followingLinks: false)) != nil
    if targetExists && !replacing {
      throw StoreError(.alreadyExists, targetPath, "already exists; pass --force to replace it")
    }
    if targetExists { try checkReplaceable(targetPath, parent: parent, name: name) }
    removeLeftovers(in: parent, name: name)
    let stamp = "\(getpid())-" + UUID().uuidString.lowercased()
    let temp = parent + "/." + name + ".pull-" + stamp
    do {
      try FileSystem.makeDirectories(parent)
      try FileSystem.makeDirectory(temp, mode: 0o700)
    } catch {
      throw StoreError(error)
    }

    do throws(StoreError) {
      let result = try write(manifest, into: temp)
      let old = targetExists ? parent + "/." + name + ".old-" + stamp : nil
      do {
        try publish(temp, to: targetPath, movingAsideTo: old, in: parent)
      } catch {
        throw StoreError(error)
      }
      markPulled(targetPath, parent: parent, name: name)
      return result
    } catch {
      makeWritable(temp)
      try? FileManager.default.removeItem(atPath: temp)
      throw error
    }
  }

  /// Renames the finished temporary directory to the target, first moving an existing target to
  /// `old` (and back if the rename fails), then makes the renames in `parent` durable.
  private func publish(
    _ temp: String, to targetPath: String, movingAsideTo old: String?, in parent: String
  ) throws(FileSystemError) {
    if let old {
      try FileSystem.rename(targetPath, to: old)
      do {
        try FileSystem.rename(temp, to: targetPath)
      } catch {
        try? FileSystem.rename(old, to: targetPath)
        throw error
      }
      try? FileManager.default.removeItem(atPath: old)
    } else {
      try FileSystem.rename(temp, to: targetPath)
    }
    try FileSystem.syncDirectory(parent)
  }

  /// Creates the tree, then fills the files on every core: thread 0 goes through the files in
  /// order, verifying each object it takes and the file's SHA-256 in one pass over the object's
  /// bytes (`DigestPair`) and writing it; the other threads take objects from the end, verify and
  /// write them, and thread 0 reads those back into the file's digest. Every file is checked
  /// against its SHA-256 and size, and every distinct object against its digest once: an object
  /// a file holds twice (Keras 3 saves each variable twice) is hashed the second time only as
  /// part of its file, whose SHA-256 covers every byte written.
  private func write(_ manifest: Manifest, into root: String) throws(StoreError) -> Result {
    var directories: [(path: String, mode: UInt16)] = [(root, 0o755)]
    var files: [(entry: Manifest.Entry, path: String)] = []
    do {
      for entry in manifest.entries {
        let path = root + "/" + entry.path
        switch entry.kind {
        case .directory:
          try FileSystem.makeDirectories(path, mode: 0o700)
          directories.append((path, entry.mode))
        case .file:
          try FileSystem.makeDirectories((path as NSString).deletingLastPathComponent, mode: 0o700)
          FileSystem.close(try FileSystem.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600))
          files.append((entry, path))
        }
      }
    } catch {
      throw StoreError(error)
    }
    try fill(files)
    do {
      for file in files {
        let descriptor = try FileSystem.open(file.path, O_RDONLY)
        defer { FileSystem.close(descriptor) }
        try FileSystem.sync(descriptor, path: file.path)
        try FileSystem.setPermissions(descriptor, Self.safeMode(file.entry.mode), path: file.path)
      }
      // Modes last, deepest first, so a read-only directory does not stop its own contents.
      for directory in directories.reversed() {
        try FileSystem.setPermissions(directory.path, Self.safeMode(directory.mode))
        try FileSystem.syncDirectory(directory.path)
      }
    } catch {
      throw StoreError(error)
    }
    return Result(files: files.count, bytes: files.reduce(0) { $0 + ($1.entry.size ?? 0) })
  }

  private struct Piece: Sendable {
    let file: Int
    let offset: Int64
    let object: Manifest.Piece
  }

  private func fill(_ files: [(entry: Manifest.Entry, path: String)]) throws(StoreError) {
    var pieces: [Piece] = []
    var firstPiece: [Int] = []
    for (index, file) in files.enumerated() {
      firstPiece.append(pieces.count)
      var offset: Int64 = 0
      for object in file.entry.objects ?? [] {
        pieces.append(Piece(file: index, offset: offset, object: object))
        offset += object.size
      }
    }
    firstPiece.append(pieces.count)
    let written = (0..<pieces.count).map { _ in DispatchSemaphore(value: 0) }
    // Objects some thread has taken on verifying, and the pieces whose object was verified as
    // they were written (the others are read back into their file's digest).
    let verifying = Locked(Set<Digest>())
    let verifiedPieces = Locked([Bool](repeating: false, count: pieces.count))
    // Pieces [0, front) are thread 0's, [back, count) the other threads'.
    let claims = Locked((front: 0, back: pieces.count))
    let firstError = Locked<StoreError?>(nil)
    let store = self.store
    let paths = files.map(\.path)
    let entries = files.map(\.entry)
    let allPieces = pieces
    let bounds = firstPiece

    @Sendable func failed() -> Bool { firstError.withLock { $0 != nil } }
    @Sendable func fail(_ error: StoreError) { firstError.withLock { if $0 == nil { $0 = error } } }

    /// Whether the caller is the first to verify `digest`, and so must.
    @Sendable func firstToVerify(_ digest: Digest) -> Bool {
      verifying.withLock { $0.insert(digest).inserted }
    }

    /// Reads a piece's object, verified with its digest computed by `digesting`, or unverified
    /// (`nil`) when another piece verifies the same object and the file's digest covers this one.
    @Sendable func content(
      of piece: Piece, digesting: ((UnsafeRawBufferPointer) -> Digest)?
    ) throws(StoreError) -> [UInt8] {
      let content: [UInt8]
      if let digesting {
        content = try store.read(piece.object.digest, digesting: digesting)
      } else {
        content = try store.readUnverified(piece.object.digest)
      }
      guard Int64(content.count) == piece.object.size else {
        throw StoreError(
          .corrupted, piece.object.digest.description,
          "holds \(content.count) bytes but the manifest of \(entries[piece.file].path) expects \(piece.object.size)")
      }
      return content
    }

    @Sendable func write(_ content: [UInt8], of piece: Piece) throws(StoreError) {
      do {
        let descriptor = try FileSystem.open(paths[piece.file], O_WRONLY)
        defer { FileSystem.close(descriptor) }
        try FileSystem.write(descriptor, content, at: piece.offset, path: paths[piece.file])
        // The disk starts now, beside the hashing; the fsync before the rename still waits for it.
        FileSystem.startWriteback(descriptor, offset: piece.offset, length: Int64(content.count))
      } catch {
        throw StoreError(error)
      }
    }

    @Sendable func writePiecesFromTheEnd() {
      while true {
        let claimed = claims.withLock { claims -> Int? in
          guard claims.back > claims.front else { return nil }
          claims.back -= 1
          return claims.back
        }
        guard let index = claimed else { return }
        defer { written[index].signal() }
        if failed() { continue }
        do throws(StoreError) {
          let piece = allPieces[index]
          let verify = firstToVerify(piece.object.digest)
          try write(try content(of: piece, digesting: verify ? { Digest.of($0) } : nil), of: piece)
          if verify { verifiedPieces.withLock { $0[index] = true } }
        } catch {
          fail(error)
        }
      }
    }

    /// Writes file `index`'s pieces that no other thread took, hashing each object and the file
    /// in one pass; the pieces other threads wrote are read back into the file's digest once
    /// written. A file of one object another thread wrote has that object's (verified) digest.
    @Sendable func writeAndCheck(_ index: Int, _ buffer: UnsafeMutableRawBufferPointer) throws(StoreError) {
      let entry = entries[index]
      var digests = DigestPair()
      var size: Int64 = 0
      let single = bounds[index + 1] - bounds[index] == 1
      var fileDigest: Digest?
      do {
        let descriptor = try FileSystem.open(paths[index], O_RDONLY)
        defer { FileSystem.close(descriptor) }
        for pieceIndex in bounds[index]..<bounds[index + 1] {
          let piece = allPieces[pieceIndex]
          // Pieces come in order, file by file, so the next one is always at `front`.
          let claimed = claims.withLock { claims in
            guard claims.front == pieceIndex, pieceIndex < claims.back else { return false }
            claims.front += 1
            return true
          }
          if claimed && !firstToVerify(piece.object.digest) {
            let bytes = try content(of: piece, digesting: nil)
            bytes.withUnsafeBytes { digests.updateFile($0) }
            try write(bytes, of: piece)
            size += piece.object.size
            continue
          }
          if claimed {
            let bytes = try content(of: piece) { bytes in
              if single {
                digests.updateFile(bytes)
                return digests.fileDigest()
              }
              digests.update(bytes)
              return digests.finishPiece()
            }
            try write(bytes, of: piece)
            size += piece.object.size
            continue
          }
          // Claimed by a thread that is running, so this wait ends.
          written[pieceIndex].wait()
          written[pieceIndex].signal()
          if failed() { return }
          if single && verifiedPieces.withLock({ $0[pieceIndex] }) {
            // The writer checked the object against this digest, and its size.
            fileDigest = piece.object.digest
            size = piece.object.size
            continue
          }
          var offset = piece.offset
          let end = piece.offset + piece.object.size
          while offset < end {
            let length = Int(min(Int64(buffer.count), end - offset))
            let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
            let count = try FileSystem.read(descriptor, into: chunk, at: offset, path: paths[index])
            digests.updateFile(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
            size += Int64(count)
            offset += Int64(length)
            if count < length { break }
          }
        }
      } catch let error as StoreError {
        throw error
      } catch let error as FileSystemError {
        throw StoreError(error)
      } catch {
        throw StoreError(.unavailable, entry.path, "\(error)")
      }
      let actual = fileDigest ?? digests.fileDigest()
      guard size == entry.size, actual == entry.sha256 else {
        throw StoreError(
          .corrupted, entry.path,
          "rebuilt file hashes to \(actual) (\(size) bytes) but the manifest says \(entry.sha256?.description ?? "?")")
      }
    }

    @Sendable func writeAndCheckFiles() {
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
      defer { buffer.deallocate() }
      for index in entries.indices {
        do throws(StoreError) {
          try writeAndCheck(index, buffer)
        } catch {
          fail(error)
        }
        if failed() {
          // Let the writers finish their claims; nothing more is checked.
          return
        }
      }
    }

    let threads = max(2, ProcessInfo.processInfo.activeProcessorCount)
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      if thread == 0 { writeAndCheckFiles() } else { writePiecesFromTheEnd() }
    }
    if let error = firstError.withLock({ $0 }) { throw error }
  }

  /// The permission bits a pulled file or directory gets: the stored ones without setuid, setgid
  /// and sticky, so pulling an untrusted model as root never creates a setuid file.
  static func safeMode(_ mode: UInt16) -> mode_t { mode_t(mode & 0o777) }

  func makeWritable(_ root: String) {
    let enumerator = FileManager.default.enumerator(atPath: root)
    try? FileSystem.setPermissions(root, 0o700)
    while let relative = enumerator?.nextObject() as? String {
      try? FileSystem.setPermissions(root + "/" + relative, 0o700)
    }
  }
}
