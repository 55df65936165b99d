import FileSystem
import Foundation
import RegistryCore

/// A set of objects written together and published together.
///
/// `stage` hashes the bytes, skips objects the store already has (refreshing their modification
/// time so a concurrent garbage collection's grace period keeps them) and writes new ones under
/// `ingest/<batch>/`. `commit` then makes them durable and visible in this order: flush every
/// staged file (one `syncfs`), rename each into `objects/`, flush again. An object is therefore
/// never visible before its bytes are durable, and a batch killed at any moment leaves only an
/// `ingest/` directory for the collector.
///
/// `stage` may be called from several threads at once.
package final class IngestBatch: Sendable {
  /// What staging one object did.
  package struct Staged: Sendable {
    package let digest: Digest
    /// Uncompressed size.
    package let size: Int64
    /// Whether this batch writes it (false: the store or this batch already had it).
    package let isNew: Bool
    /// Size on disk including the header; 0 when not new.
    package let storedSize: Int64
    package let encoding: ObjectStore.Encoding

    package init(digest: Digest, size: Int64, isNew: Bool, storedSize: Int64, encoding: ObjectStore.Encoding) {
      self.digest = digest
      self.size = size
      self.isNew = isNew
      self.storedSize = storedSize
      self.encoding = encoding
    }
  }

  private struct State {
    /// Digest -> its temp file under `ingest/<batch>/`.
    var staged: [Digest: String] = [:]
  }

  package let store: ObjectStore
  private let directory: String
  private let state = Locked(State())

  init(store: ObjectStore) throws(StoreError) {
    self.store = store
    directory = store.layout.ingest.appendingPathComponent(UUID().uuidString.lowercased()).path
    do {
      try FileSystem.makeDirectories(directory)
    } catch {
      throw StoreError(error)
    }
  }

  /// Hashes and, when new, compresses and writes one object's bytes.
  ///
  /// - Parameter expected: when given, the bytes must hash to it.
  package func stage(_ bytes: UnsafeRawBufferPointer, expected: Digest? = nil) throws(StoreError) -> Staged {
    let digest = Digest.of(bytes)
    if let expected, expected != digest {
      throw StoreError(.corrupted, expected.description, "content hashes to \(digest)")
    }
    return try stage(bytes, digest: digest)
  }

  /// Stages bytes whose digest the caller has already computed.
  package func stage(_ bytes: UnsafeRawBufferPointer, digest: Digest) throws(StoreError) -> Staged {
    let size = Int64(bytes.count)
    let temp = directory + "/" + digest.hex
    let notNew = Staged(digest: digest, size: size, isNew: false, storedSize: 0, encoding: .identity)
    if FileSystem.touch(store.path(for: digest)) { return notNew }
    // Claim the digest first, so two threads staging the same bytes never write one temp file.
    let claimed = state.withLock { state in
      if state.staged[digest] != nil { return false }
      state.staged[digest] = temp
      return true
    }
    if !claimed { return notNew }

    let (encoding, payload) = Self.encode(bytes)
    let header = ObjectStore.Header(encoding: encoding, uncompressedLength: UInt64(bytes.count))
    do throws(FileSystemError) {
      let descriptor = try FileSystem.open(temp, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o444)
      defer { FileSystem.close(descriptor) }
      try FileSystem.write(descriptor, header.bytes, path: temp)
      if let payload {
        try FileSystem.write(descriptor, payload, path: temp)
      } else {
        try FileSystem.write(descriptor, bytes, path: temp)
      }
      // The disk starts now, beside the hashing; the commit's syncfs still makes it durable.
      FileSystem.startWriteback(descriptor)
    } catch {
      try? FileSystem.unlink(temp)
      _ = state.withLock { $0.staged.removeValue(forKey: digest) }
      throw StoreError(error)
    }
    let storedSize = Int64(ObjectStore.Header.length + (payload?.count ?? bytes.count))
    return Staged(digest: digest, size: size, isNew: true, storedSize: storedSize, encoding: encoding)
  }

  /// Makes every staged object durable, then visible.
  package func commit() throws(StoreError) {
    let staged = state.withLock { $0.staged }
    defer { removeDirectory() }
    if staged.isEmpty { return }
    do {
      try FileSystem.syncFileSystem(containing: directory)
      for (digest, temp) in staged.sorted(by: { $0.key < $1.key }) {
        let final = store.path(for: digest)
        try FileSystem.makeDirectories((final as NSString).deletingLastPathComponent)
        try FileSystem.rename(temp, to: final)
      }
      try FileSystem.syncFileSystem(containing: store.layout.objects.path)
    } catch {
      throw StoreError(error)
    }
  }

  /// Drops every staged object that was not committed.
  package func abort() {
    removeDirectory()
  }

  private func removeDirectory() {
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// zlib where it saves at least an eighth; raw otherwise. The first 16 KiB are tried at the
  /// fastest level first, so float weights, which do not compress, cost one quick trial; an
  /// object that passes is compressed whole at the default level (small ones keep the trial).
  /// A sample whose bytes are too evenly spread for that (`looksIncompressible`) skips even the
  /// trial, which costs about half a millisecond per 16 KiB of float weights.
  static func encode(_ bytes: UnsafeRawBufferPointer) -> (ObjectStore.Encoding, [UInt8]?) {
    guard bytes.count >= 128 else { return (.identity, nil) }
    let sampleLength = min(bytes.count, 16 * 1024)
    let sample = UnsafeRawBufferPointer(rebasing: bytes[0..<sampleLength])
    if looksIncompressible(sample) { return (.identity, nil) }
    guard let trial = Zlib.compress(sample, level: 1), trial.count < sampleLength - sampleLength / 8 else {
      return (.identity, nil)
    }
    if sampleLength == bytes.count { return (.zlib, trial) }
    guard let compressed = Zlib.compress(bytes), compressed.count < bytes.count - bytes.count / 8 else {
      return (.identity, nil)
    }
    return (.zlib, compressed)
  }

  /// Whether the sample's bytes, counted one by one, carry at least 7.2 bits each.
  ///
  /// Deflate codes what its matches leave as literals, and no code for single bytes beats their
  /// entropy, so such a sample could only reach the 1/8 saving if matches saved another 2.5% or
  /// more. Float weights do not repeat that much: ResNet50's tensors measure 7.05 to 7.33 bits
  /// per byte, and zlib gets within about 1% of those bounds.
  package static func looksIncompressible(_ sample: UnsafeRawBufferPointer) -> Bool {
    guard !sample.isEmpty else { return false }
    // Four tables, so runs of one byte value do not wait on their own increments.
    var counts = [Int](repeating: 0, count: 4 * 256)
    counts.withUnsafeMutableBufferPointer { counts in
      var index = 0
      while index + 4 <= sample.count {
        counts[Int(sample[index])] += 1
        counts[256 + Int(sample[index + 1])] += 1
        counts[512 + Int(sample[index + 2])] += 1
        counts[768 + Int(sample[index + 3])] += 1
        index += 4
      }
      while index < sample.count {
        counts[Int(sample[index])] += 1
        index += 1
      }
    }
    let total = Double(sample.count)
    var bits = 0.0
    for value in 0..<256 {
      let count = counts[value] + counts[256 + value] + counts[512 + value] + counts[768 + value]
      if count > 0 { bits += Double(count) * log2(total / Double(count)) }
    }
    return bits >= 7.2 * total
  }
}
