import ContentStore
import Foundation
import Glibc
import RegistryCore
import Testing

/// A store someone tampered with: every read ends in a `StoreError` naming the object, never a
/// trap, an allocation sized by a header, or a read that blocks forever.
@Suite("Hostile store content is refused cleanly")
struct HostileStoreTests {
  func stage(_ store: ObjectStore, _ bytes: [UInt8]) throws -> Digest {
    let batch = try store.makeBatch()
    let staged = try bytes.withUnsafeBytes { try batch.stage($0) }
    try batch.commit()
    return staged.digest
  }

  /// Rewrites an object file's header field `uncompressedLength` (bytes 8..<16, little-endian).
  func claimLength(_ length: UInt64, in path: String) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    for index in 0..<8 { bytes[8 + index] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(index))) }
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  @Test("a zlib object whose header claims 2^39 bytes is corrupted, naming it, before anything is allocated")
  func hugeZlibClaim() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let digest = try stage(store, [UInt8](repeating: 7, count: 5000))
    #expect(try store.storedInfo(digest).encoding == .zlib)
    try claimLength(1 << 39, in: store.path(for: digest))
    do {
      _ = try store.read(digest)
      Issue.record("a 2^39-byte claim was not refused")
    } catch {
      #expect(error.category == .corrupted, "\(error)")
      #expect(error.subject == digest.description)
      #expect(error.problem.contains("549755813888"), "\(error)")
    }
  }

  @Test("a zlib stream at deflate's best ratio still reads back: the plausibility bound is not too tight")
  func bestRatio() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let zeros = [UInt8](repeating: 0, count: 16 << 20)
    let digest = try stage(store, zeros)
    let info = try store.storedInfo(digest)
    #expect(info.encoding == .zlib)
    #expect(info.storedSize < Int64(zeros.count) / 1000)
    #expect(try store.read(digest) == zeros)
  }

  @Test("an object whose header claims more than TENSOR_BYTES is resource_exhausted, naming it")
  func overLimitClaim() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let digest = try stage(store, randomBytes(1000, seed: 5))
    #expect(try store.storedInfo(digest).encoding == .identity)
    // A sparse identity object just past the limit: its header agrees with its size.
    let path = store.path(for: digest)
    let length = UInt64(Limits.current.tensorBytes) + 1
    try claimLength(length, in: path)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.truncate(atOffset: length + 16)
    try handle.close()
    do {
      _ = try store.read(digest)
      Issue.record("an object past TENSOR_BYTES was read")
    } catch {
      #expect(error.category == .resourceExhausted, "\(error)")
      #expect(error.subject == digest.description)
      #expect(error.problem.contains("TENSOR_BYTES"), "\(error)")
    }
  }

  @Test("a FIFO or a directory in place of an object file is corrupted, naming it, and never blocks")
  func notARegularFile() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    for kind in ["fifo", "directory"] {
      let digest = try stage(store, randomBytes(100, seed: kind == "fifo" ? 6 : 7))
      let path = store.path(for: digest)
      try FileManager.default.removeItem(atPath: path)
      if kind == "fifo" {
        #expect(mkfifo(path, 0o644) == 0)
      } else {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
      }
      do {
        _ = try store.read(digest)
        Issue.record("a \(kind) was read as an object")
      } catch {
        #expect(error.category == .corrupted, "\(kind): \(error)")
        #expect(error.subject == digest.description, "\(kind): \(error)")
        #expect(error.problem.contains("not a regular file"), "\(kind): \(error)")
      }
      do {
        _ = try store.storedInfo(digest)
        Issue.record("a \(kind) gave stored info")
      } catch {
        #expect(error.category == .corrupted, "\(kind): \(error)")
      }
    }
  }
}
