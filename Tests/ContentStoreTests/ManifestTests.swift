import ContentStore
import Foundation
import RegistryCore
import Testing

@Suite("Manifests and the materializer")
struct ManifestTests {
  func sample(_ store: ObjectStore) throws -> (Manifest, [String: [UInt8]]) {
    let first = randomBytes(3000, seed: 9)
    let second = Array("hello\n".utf8)
    let batch = try store.makeBatch()
    let a = try first[..<1000].withUnsafeBytes { try batch.stage($0) }
    let b = try first[1000...].withUnsafeBytes { try batch.stage($0) }
    let c = try second.withUnsafeBytes { try batch.stage($0) }
    try batch.commit()
    let manifest = Manifest(entries: [
      .file(
        "variables/variables.data-00000-of-00001", mode: 0o644, size: 3000, sha256: Digest.of(first),
        objects: [.init(digest: a.digest, size: 1000), .init(digest: b.digest, size: 2000)]),
      .directory("variables", mode: 0o755),
      .directory("assets", mode: 0o700),
      .file(
        "saved_model.pb", mode: 0o600, size: 6, sha256: Digest.of(second), objects: [.init(digest: c.digest, size: 6)]),
    ])
    return (manifest, ["variables/variables.data-00000-of-00001": first, "saved_model.pb": second])
  }

  @Test("the canonical encoding is stable, sorted and decodes to the same manifest")
  func canonical() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let (manifest, _) = try sample(store)
    let bytes = manifest.canonicalBytes()
    #expect(try Manifest(decoding: bytes, subject: "m") == manifest)
    #expect(Manifest(entries: manifest.entries.reversed()).canonicalBytes() == bytes)
    #expect(
      manifest.entries.map(\.path) == [
        "assets", "saved_model.pb", "variables", "variables/variables.data-00000-of-00001",
      ])
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.hasPrefix("{\"entries\":[{\"kind\":\"directory\",\"mode\":448,\"path\":\"assets\"}"))
    #expect(!text.contains(" "))
  }

  @Test(
    "paths that could escape or confuse the target are rejected",
    arguments: ["../evil", "/etc/passwd", "a/../../b", "a//b", ".", "a/./b", "", "a/", "x\u{0}y"])
  func unsafePaths(path: String) {
    #expect(throws: StoreError.self) { try Manifest.validatePath(path) }
  }

  @Test("a tampered manifest with an escaping path is refused before anything is written")
  func tamperedManifest() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let digest = Digest.of([UInt8]())
    let evil = Manifest(entries: [.file("../outside", mode: 0o644, size: 0, sha256: digest, objects: [])])
    let bytes = evil.canonicalBytes()
    #expect(throws: StoreError.self) { _ = try Manifest(decoding: bytes, subject: "evil") }
    let target = try temporaryDirectory("pull").appendingPathComponent("model")
    #expect(throws: StoreError.self) {
      _ = try Materializer(store: store).materialize(evil, to: target, replacing: false)
    }
    #expect(!FileManager.default.fileExists(atPath: target.path))
    #expect(
      !FileManager.default.fileExists(atPath: target.deletingLastPathComponent().appendingPathComponent("outside").path)
    )
  }

  @Test("materializing writes every file, directory and mode, and refuses an existing target")
  func materialize() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let (manifest, contents) = try sample(store)
    let target = try temporaryDirectory("pull").appendingPathComponent("model")
    let result = try Materializer(store: store).materialize(manifest, to: target, replacing: false)
    #expect(result.files == 2 && result.bytes == 3006)
    for (path, bytes) in contents {
      #expect([UInt8](try Data(contentsOf: target.appendingPathComponent(path))) == bytes)
    }
    let modes = try manifest.entries.map { entry in
      (try FileManager.default.attributesOfItem(atPath: target.appendingPathComponent(entry.path).path)[
        .posixPermissions] as? Int)
    }
    #expect(modes == manifest.entries.map { Int($0.mode) })
    #expect(throws: StoreError.self) {
      _ = try Materializer(store: store).materialize(manifest, to: target, replacing: false)
    }
    _ = try Materializer(store: store).materialize(manifest, to: target, replacing: true)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path)
    // The target and the marker that lets a later --force replace it; no temporary directory.
    #expect(leftovers.sorted() == [".model.pulled", "model"])
  }

  @Test("files of many objects, a repeated object, one object and none come back exact")
  func materializeManyPieces() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let shard = randomBytes(200_003, seed: 21)
    let cuts = [0, 1, 64, 4_097, 65_536, 100_000, 150_001, 200_003]
    let repeated = Array(shard[4_097..<65_536])
    let duplicated = Array(shard[..<150_001]) + repeated + Array(shard[150_001...])
    let single = randomBytes(777, seed: 22)
    let batch = try store.makeBatch()
    func objects(_ bytes: [UInt8], _ cuts: [Int]) throws -> [Manifest.Piece] {
      try zip(cuts, cuts.dropFirst()).map { start, end in
        let staged = try bytes[start..<end].withUnsafeBytes { try batch.stage($0) }
        return Manifest.Piece(digest: staged.digest, size: Int64(end - start))
      }
    }
    let manifest = Manifest(entries: [
      .file("a", mode: 0o644, size: 200_003, sha256: Digest.of(shard), objects: try objects(shard, cuts)),
      .file(
        "b", mode: 0o644, size: Int64(duplicated.count), sha256: Digest.of(duplicated),
        objects: try objects(duplicated, [0, 150_001, 150_001 + repeated.count, duplicated.count])),
      .file("c", mode: 0o644, size: 777, sha256: Digest.of(single), objects: try objects(single, [0, 777])),
      .file("d", mode: 0o644, size: 0, sha256: Digest.of([UInt8]()), objects: []),
    ])
    try batch.commit()
    let target = try temporaryDirectory("pull").appendingPathComponent("model")
    let result = try Materializer(store: store).materialize(manifest, to: target, replacing: false)
    #expect(result.files == 4)
    for (path, bytes) in ["a": shard, "b": duplicated, "c": single, "d": []] {
      #expect([UInt8](try Data(contentsOf: target.appendingPathComponent(path))) == bytes, "\(path)")
    }
  }

  @Test("a file whose sound objects do not hash to its recorded SHA-256 is refused, naming it", arguments: [1, 3])
  func wrongFileDigest(objectCount: Int) throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let bytes = randomBytes(9_001, seed: 23)
    let batch = try store.makeBatch()
    let cuts = objectCount == 1 ? [0, 9_001] : [0, 10, 5_000, 9_001]
    let objects = try zip(cuts, cuts.dropFirst()).map { start, end in
      let staged = try bytes[start..<end].withUnsafeBytes { try batch.stage($0) }
      return Manifest.Piece(digest: staged.digest, size: Int64(end - start))
    }
    try batch.commit()
    let wrong = Digest.of(Array(bytes.dropLast()))
    let manifest = Manifest(entries: [.file("f", mode: 0o644, size: 9_001, sha256: wrong, objects: objects)])
    let parent = try temporaryDirectory("pull")
    do {
      _ = try Materializer(store: store).materialize(manifest, to: parent.appendingPathComponent("m"), replacing: false)
      Issue.record("a file that does not match its digest was written out")
    } catch {
      #expect(error.category == .corrupted)
      #expect(error.subject == "f")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty)
  }

  @Test("a corrupt object stops the pull, leaves no target and no temporary directory")
  func corruptObject() throws {
    let store = try ObjectStore(layout: StoreLayout(root: try temporaryDirectory("store")))
    let (manifest, _) = try sample(store)
    let victim = try #require(manifest.entries.first { $0.path.hasPrefix("variables/") }?.objects?.last?.digest)
    let path = store.path(for: victim)
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[bytes.count / 2] ^= 0xFF
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let parent = try temporaryDirectory("pull")
    let target = parent.appendingPathComponent("model")
    do {
      _ = try Materializer(store: store).materialize(manifest, to: target, replacing: false)
      Issue.record("a corrupt object was written out")
    } catch {
      #expect(error.category == .corrupted)
      #expect(error.subject == victim.description)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty)
  }

  @Test("a manifest whose piece sizes sum past Int64 is corrupted, not an overflow trap")
  func overflowingPieces() throws {
    let digest = Digest.of([UInt8]())
    let manifest = Manifest(entries: [
      .file(
        "a", mode: 0o644, size: 1, sha256: digest,
        objects: [.init(digest: digest, size: .max), .init(digest: digest, size: 2)])
    ])
    do {
      try manifest.validate()
      Issue.record("an overflowing manifest validated")
    } catch {
      #expect(error.category == .corrupted, "\(error)")
      #expect(error.subject == "a")
    }
    #expect(throws: StoreError.self) { _ = try Manifest(decoding: manifest.canonicalBytes(), subject: "m") }
  }

  @Test("a manifest whose file sizes together pass Int64 is corrupted, not an overflow trap")
  func overflowingFiles() throws {
    let digest = Digest.of([UInt8]())
    let manifest = Manifest(entries: [
      .file("a", mode: 0o644, size: .max, sha256: digest, objects: [.init(digest: digest, size: .max)]),
      .file("b", mode: 0o644, size: 1, sha256: digest, objects: [.init(digest: digest, size: 1)]),
    ])
    do {
      try manifest.validate()
      Issue.record("an overflowing manifest validated")
    } catch {
      #expect(error.category == .corrupted, "\(error)")
    }
  }
}
