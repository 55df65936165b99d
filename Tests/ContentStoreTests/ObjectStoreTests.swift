import ContentStore
import Foundation
import RegistryCore
import RegistryTestSupport
import Testing

func temporaryDirectory(_ label: String) throws -> URL { try makeTemporaryDirectory(label) }

func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
  var state = seed
  return (0..<count).map { _ in
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return UInt8(truncatingIfNeeded: state >> 33)
  }
}

@Suite("Object store")
struct ObjectStoreTests {
  func stage(_ store: ObjectStore, _ bytes: [UInt8]) throws -> IngestBatch.Staged {
    let batch = try store.makeBatch()
    let staged = try bytes.withUnsafeBytes { try batch.stage($0) }
    try batch.commit()
    return staged
  }

  @Test("a committed object reads back, is read-only, and a second stage of it is not new")
  func roundTrip() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let bytes = randomBytes(100_000, seed: 1)
    let staged = try stage(store, bytes)
    #expect(staged.isNew)
    #expect(staged.digest == Digest.of(bytes))
    #expect(try store.read(staged.digest) == bytes)
    let attributes = try FileManager.default.attributesOfItem(atPath: store.path(for: staged.digest))
    #expect((attributes[.posixPermissions] as? Int) == 0o444)
    #expect(try stage(store, bytes).isNew == false)
    #expect(try FileManager.default.contentsOfDirectory(atPath: store.ingestRoot.path).isEmpty)
  }

  @Test("compressible objects are stored zlib-encoded and smaller, random ones raw")
  func encoding() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let text = Array(String(repeating: "node { name: \"dense/MatMul\" op: \"MatMul\" }\n", count: 2000).utf8)
    let compressed = try stage(store, text)
    #expect(compressed.encoding == .zlib)
    #expect(compressed.storedSize < Int64(text.count) / 4)
    #expect(try store.read(compressed.digest) == text)
    let noise = try stage(store, randomBytes(300_000, seed: 2))
    #expect(noise.encoding == .identity)
    #expect(try store.storedInfo(noise.digest).encoding == .identity)
  }

  @Test("float weights whose bytes spread evenly skip zlib's trial; skewed tensors still get it")
  func compressionPreCheck() throws {
    var state: UInt64 = 7
    func uniform() -> Float {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }
    let weights = (0..<16384).map { _ in uniform() }
    let levels = (0..<16384).map { _ in [0, 0.25, 0.5, 1][Int((uniform() + 1) * 2) & 3] as Float }
    weights.withUnsafeBytes { #expect(IngestBatch.looksIncompressible($0)) }
    levels.withUnsafeBytes { #expect(!IngestBatch.looksIncompressible($0)) }
    randomBytes(65536, seed: 4).withUnsafeBytes { #expect(IngestBatch.looksIncompressible($0)) }
    Array(repeating: UInt8(9), count: 4096).withUnsafeBytes { #expect(!IngestBatch.looksIncompressible($0)) }

    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let skewed = try stage(store, levels.withUnsafeBytes { Array($0) })
    #expect(skewed.encoding == .zlib)
    #expect(try stage(store, weights.withUnsafeBytes { Array($0) }).encoding == .identity)
  }

  @Test("an aborted batch publishes nothing")
  func abort() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let batch = try store.makeBatch()
    let staged = try randomBytes(1000, seed: 3).withUnsafeBytes { try batch.stage($0) }
    batch.abort()
    #expect(!store.contains(staged.digest))
    #expect(try FileManager.default.contentsOfDirectory(atPath: store.ingestRoot.path).isEmpty)
  }

  @Test("a damaged, truncated or missing object is reported by name, never returned")
  func damage() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    for encoding in ["raw", "zlib"] {
      let bytes = encoding == "raw" ? randomBytes(5000, seed: 4) : [UInt8](repeating: 7, count: 5000)
      let digest = try stage(store, bytes).digest
      let path = store.path(for: digest)
      var onDisk = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
      onDisk[onDisk.count - 1] ^= 0x01
      try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
      try Data(onDisk).write(to: URL(fileURLWithPath: path))
      do {
        _ = try store.read(digest)
        Issue.record("a flipped byte was not detected (\(encoding))")
      } catch {
        #expect(error.category == .corrupted)
        #expect(error.subject == digest.description)
      }
      try Data(onDisk.prefix(10)).write(to: URL(fileURLWithPath: path))
      #expect(throws: StoreError.self) { _ = try store.read(digest) }
      try FileManager.default.removeItem(atPath: path)
      do {
        _ = try store.read(digest)
        Issue.record("a missing object was not reported")
      } catch {
        #expect(error.category == .notFound)
      }
    }
  }

  @Test("objects fan out two directory levels deep")
  func layout() throws {
    let root = try temporaryDirectory("store")
    let store = try ObjectStore(layout: StoreLayout(root: root))
    let digest = try stage(store, [1, 2, 3]).digest
    let hex = digest.hex
    let prefix1 = String(hex.prefix(2))
    let prefix2 = String(hex.dropFirst(2).prefix(2))
    #expect(store.path(for: digest) == root.path + "/objects/sha256/\(prefix1)/\(prefix2)/\(hex)")
    #expect(FileManager.default.fileExists(atPath: store.path(for: digest)))
  }
}
