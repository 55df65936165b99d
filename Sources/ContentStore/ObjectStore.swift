import FileSystem
import Foundation
import RegistryCore

/// The content-addressed object store: immutable blobs named by the SHA-256 of their
/// uncompressed bytes, under `objects/sha256/<2 hex>/<2 hex>/<64 hex>`.
///
/// Two levels of 256-way fan-out keep every directory small with millions of objects. Each
/// object file starts with a 16-byte header recording the format version, the encoding (raw or
/// zlib), the hash algorithm and the uncompressed length, so a stored object says by itself how to
/// read it and what its name means. Objects are read-only once written; every read re-hashes the
/// content and fails loudly on a mismatch.
package struct ObjectStore: Sendable {
  /// How an object's bytes are stored.
  package typealias Encoding = ObjectEncoding

  /// The header every object file starts with.
  struct Header {
    static let magic: [UInt8] = Array("RGOB".utf8)
    static let length = 16
    static let formatVersion: UInt8 = 1
    static let sha256: UInt8 = 1

    let encoding: Encoding
    let uncompressedLength: UInt64

    var bytes: [UInt8] {
      var out = Self.magic + [Self.formatVersion, encoding.rawValue, Self.sha256, 0]
      withUnsafeBytes(of: uncompressedLength.littleEndian) { out += $0 }
      return out
    }

    init(encoding: Encoding, uncompressedLength: UInt64) {
      self.encoding = encoding
      self.uncompressedLength = uncompressedLength
    }

    init?(_ bytes: ArraySlice<UInt8>) {
      guard bytes.count >= Self.length else { return nil }
      let start = bytes.startIndex
      guard Array(bytes[start..<(start + 4)]) == Self.magic, bytes[start + 4] == Self.formatVersion,
        let encoding = Encoding(rawValue: bytes[start + 5]), bytes[start + 6] == Self.sha256
      else { return nil }
      var length: UInt64 = 0
      for index in 0..<8 { length |= UInt64(bytes[start + 8 + index]) << (8 * UInt64(index)) }
      self.encoding = encoding
      self.uncompressedLength = length
    }
  }

  /// The store's paths.
  package let layout: StoreLayout
  /// The store's `objects/` directory.
  package var root: URL { layout.objects }
  /// Where batches stage their files before they are published (`ingest/`).
  package var ingestRoot: URL { layout.ingest }

  /// - Parameters:
  ///   - layout: the store's paths; `objects/` and `ingest/` are created.
  ///   - readOnly: create nothing (for reading a store on read-only media).
  package init(layout: StoreLayout, readOnly: Bool = false) throws(StoreError) {
    self.layout = layout
    if !readOnly {
      do {
        try FileSystem.makeDirectories(layout.sha256Objects.path)
        try FileSystem.makeDirectories(layout.ingest.path)
      } catch {
        throw StoreError(error)
      }
    }
  }

  /// The file that holds (or would hold) an object.
  package func path(for digest: Digest) -> String {
    layout.objectPath(for: digest)
  }

  package func contains(_ digest: Digest) -> Bool {
    FileSystem.exists(path(for: digest)) || restoreFromTrash(digest)
  }

  /// Reads an object, decodes it and checks that its content still hashes to its name.
  ///
  /// Sizes come from the file and its header, which anyone who can write to the store can forge,
  /// so they are checked before anything is allocated: a zlib stream cannot inflate past
  /// `Zlib.maximumRatio` times its length, and no object may hold more than
  /// `Limits.current.tensorBytes`.
  ///
  /// - Throws: `StoreError` naming the object: `.notFound` when absent; `.corrupted` (and its
  ///   file) when it is not a regular file, or the header, the zlib stream, the length or the
  ///   hash is wrong; `.resourceExhausted` when its size is past the limit.
  package func read(_ digest: Digest) throws(StoreError) -> [UInt8] {
    try read(digest) { Digest.of($0) }
  }

  /// Reads an object like `read(_:)`, with its content's digest computed by `digesting`, so a
  /// caller can hash the content together with something else in one pass (`DigestPair`); the
  /// object is still refused unless that digest is its name.
  package func read(
    _ digest: Digest, digesting: (UnsafeRawBufferPointer) -> Digest
  ) throws(StoreError) -> [UInt8] {
    let file = path(for: digest)
    func corrupt(_ problem: String) -> StoreError {
      StoreError(.corrupted, digest.description, "\(problem) (file \(file))")
    }
    let (descriptor, storedSize) = try openObject(file, subject: digest.description)
    defer { FileSystem.close(descriptor) }
    func readBytes(_ count: Int64, at offset: Int64) throws(StoreError) -> [UInt8] {
      do {
        return try FileSystem.readExactly(descriptor, count: Int(count), at: offset, path: file)
      } catch  where error.endedEarly {
        throw StoreError(.corrupted, digest.description, "file shrank while being read (\(file))")
      } catch {
        throw StoreError(error)
      }
    }

    guard storedSize >= Int64(Header.length), let header = Header(try readBytes(Int64(Header.length), at: 0)[...])
    else { throw corrupt("not an object file (bad header)") }
    let payloadSize = storedSize - Int64(Header.length)
    let claimed = header.uncompressedLength
    switch header.encoding {
    case .identity:
      guard UInt64(payloadSize) == claimed else {
        throw corrupt("holds \(payloadSize) bytes but its header says \(claimed)")
      }
    case .zlib:
      let (plausible, overflow) = UInt64(payloadSize).multipliedReportingOverflow(by: Zlib.maximumRatio)
      guard overflow || claimed <= plausible else {
        throw corrupt(
          "its header says \(claimed) bytes, more than a \(payloadSize)-byte zlib stream can inflate to")
      }
    }
    let limit = Limits.current.tensorBytes
    for (what, size) in [("decoding it", claimed), ("reading it", UInt64(payloadSize))] {
      guard size <= UInt64(limit) else {
        let error = LimitExceeded(
          "\(what) (file \(file))", limit: "TENSOR_BYTES", requested: Int64(exactly: size), allowed: limit)
        throw StoreError(error, subject: digest.description)
      }
    }

    let payload = try readBytes(payloadSize, at: Int64(Header.length))
    let content: [UInt8]
    switch header.encoding {
    case .identity:
      content = payload
    case .zlib:
      guard
        let inflated = payload.withUnsafeBytes({ Zlib.decompress($0, expectedLength: Int(claimed)) })
      else { throw corrupt("its zlib stream is damaged") }
      content = inflated
    }
    let actual = content.withUnsafeBytes { digesting($0) }
    guard actual == digest else { throw corrupt("content hashes to \(actual)") }
    return content
  }

  /// Reads an object like `read(_:)` but does not hash it: for a caller whose own check covers
  /// the bytes (a pull's file SHA-256) and that has verified the same object once already.
  /// Lengths and the zlib stream are still checked.
  package func readUnverified(_ digest: Digest) throws(StoreError) -> [UInt8] {
    try read(digest) { _ in digest }
  }

  /// The encoding and on-disk size of a stored object, from its header alone.
  package func storedInfo(_ digest: Digest) throws(StoreError) -> (encoding: Encoding, storedSize: Int64, size: Int64) {
    let file = path(for: digest)
    let (descriptor, storedSize) = try openObject(file, subject: digest.description)
    defer { FileSystem.close(descriptor) }
    var header: [UInt8] = []
    do {
      if storedSize >= Int64(Header.length) {
        header = try FileSystem.readExactly(descriptor, count: Header.length, at: 0, path: file)
      }
    } catch {
      throw StoreError(error)
    }
    guard let parsed = Header(header[...]), let size = Int64(exactly: parsed.uncompressedLength) else {
      throw StoreError(.corrupted, digest.description, "not an object file (bad header) (file \(file))")
    }
    return (parsed.encoding, storedSize, size)
  }

  /// Starts a batch of objects that become visible together.
  package func makeBatch() throws(StoreError) -> IngestBatch {
    try IngestBatch(store: self)
  }

  /// Opens an object file for reading and returns its descriptor and size; anything but a
  /// regular file (a FIFO would block every read) is corrupted, naming the object.
  func openObject(_ path: String, subject: String) throws(StoreError) -> (descriptor: Int32, size: Int64) {
    do {
      let (descriptor, status) = try FileSystem.openForReading(path)
      return (descriptor, status.size)
    } catch  where error.category == .notFound {
      // A collector killed mid-deletion may have parked it in trash/.
      if let digest = Digest(subject), restoreFromTrash(digest), FileSystem.exists(path) {
        return try openObject(path, subject: subject)
      }
      throw StoreError(.notFound, subject, "object is missing from the store (file \(path))")
    } catch  where error.notRegularFile {
      throw StoreError(.corrupted, subject, "not a regular file (file \(path))")
    } catch {
      throw StoreError(error)
    }
  }
}
