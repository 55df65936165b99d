import Catalog
import ContentStore
import Foundation
import Registry
import RegistryCore
import SavedModelFormat
import Testing

@Suite("push and pull")
struct PushPullTests {
  @Test("every fixture pushes, pulls back byte-identical, and verifies", arguments: try TestSupport.fixtureNames())
  func roundTrip(name: String) throws {
    let registry = try TestSupport.newRegistry()
    let source = try TestSupport.copy(name)
    let pushed = try registry.push(source, PushOptions(model: name))
    #expect(pushed.created && pushed.version == 1)
    #expect(pushed.newObjects == pushed.objects)

    let target = try TestSupport.temporaryDirectory("pull").appendingPathComponent("model")
    let pulled = try registry.pull(Reference(parsing: name), to: target, replacing: false)
    #expect(pulled.reference == "\(name):1")
    #expect(try TestSupport.tree(target) == TestSupport.tree(source))
    #expect(SavedModelVerifier.verify(target).passed)
  }

  @Test(
    "a file of several pieces, an odd size, an empty file, twin tensors: the manifest holds their SHA-256s",
    arguments: ["keras2_mlp", "keras3_cnn_bn", "sharded_slices"])
  func manyPieceFileDigests(fixture: String) throws {
    let registry = try TestSupport.newRegistry()
    let source = try TestSupport.copy(fixture)
    let assets = source.appendingPathComponent("assets")
    try FileManager.default.createDirectory(at: assets, withIntermediateDirectories: true)
    var generator = SystemRandomNumberGenerator()
    let big = (0..<((9 << 20) + 5)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    try Data(big).write(to: assets.appendingPathComponent("big.bin"))
    try Data().write(to: assets.appendingPathComponent("empty.txt"))
    let pushed = try registry.push(source, PushOptions(model: "m"))
    let manifestDigest = try #require(Digest(pushed.manifest))
    let manifest = try Manifest(decoding: registry.objects.read(manifestDigest), subject: pushed.manifest)
    let files = manifest.entries.filter { $0.kind == .file }
    #expect(files.count == pushed.files)
    for entry in files {
      let bytes = [UInt8](try Data(contentsOf: source.appendingPathComponent(entry.path)))
      #expect(entry.sha256 == Digest.of(bytes), "\(entry.path)")
      var offset = 0
      for object in entry.objects ?? [] {
        let end = offset + Int(object.size)
        #expect(object.digest == Digest.of(Array(bytes[offset..<end])), "\(entry.path) at \(offset)")
        offset = end
      }
      #expect(offset == bytes.count, "\(entry.path)")
    }
    if fixture == "keras3_cnn_bn" {
      // Keras 3 saves each variable twice; both copies must name one object.
      let shard = try #require(files.first { $0.path.hasPrefix("variables/variables.data") })
      let digests = (shard.objects ?? []).map(\.digest)
      #expect(Set(digests).count < digests.count)
    }
    let bigEntry = try #require(files.first { $0.path == "assets/big.bin" })
    #expect(bigEntry.objects?.map(\.size) == [4 << 20, 4 << 20, (1 << 20) + 5])

    let target = try TestSupport.temporaryDirectory("pull").appendingPathComponent("model")
    _ = try registry.pull(Reference(parsing: "m"), to: target, replacing: false)
    #expect(try TestSupport.tree(target) == TestSupport.tree(source))
  }

  @Test("a fine-tune shares every unchanged tensor with its base and stores only the head")
  func fineTuneSharing() throws {
    let registry = try TestSupport.newRegistry()
    let base = try registry.push(TestSupport.model("finetune_base"), PushOptions(model: "mlp"))
    var options = PushOptions(model: "mlp")
    options.parent = try Reference(parsing: "mlp:1")
    let head = try registry.push(TestSupport.model("finetune_head"), options)
    #expect(head.version == 2)

    let tensors = { (number: Int) throws -> [String: VersionDetailTensor] in
      try VersionDetailTensor.load(registry, "mlp:\(number)")
    }
    let before = try tensors(1)
    let after = try tensors(2)
    let changed = after.filter { before[$0.key]?.digest != $0.value.digest }.map(\.key).sorted()
    #expect(
      changed == [
        "layer_with_weights-2/bias/.ATTRIBUTES/VARIABLE_VALUE",
        "layer_with_weights-2/kernel/.ATTRIBUTES/VARIABLE_VALUE",
      ])
    // New bytes: the two head tensors plus the files that always differ between saves.
    let headBytes = changed.compactMap { after[$0]?.size }.reduce(0, +)
    let alwaysNew = ["saved_model.pb", "fingerprint.pb", "variables/variables.index", "keras_metadata.pb"]
    let detail = try registry.detail(Reference(parsing: "mlp:2"))
    let smallFiles = detail.files.filter { alwaysNew.contains($0.path) }.compactMap(\.size).reduce(0, +)
    #expect(head.newBytes <= headBytes + smallFiles + 4096)  // + the manifest
    #expect(head.newBytes < base.newBytes)
    #expect(detail.version.parent == "mlp:1")
    let unchangedTensorBytes = after.filter { !changed.contains($0.key) }.map(\.value.size).reduce(0, +)
    #expect(detail.sharing.sharedBytes >= unchangedTensorBytes)
  }

  @Test("pushing an identical directory again makes no version and stores nothing")
  func identicalPush() throws {
    let registry = try TestSupport.newRegistry()
    let first = try registry.push(TestSupport.model("keras2_mlp"), PushOptions(model: "m"))
    let objectCount = TestSupport.objectFiles(registry).count
    var options = PushOptions(model: "m")
    options.aliases = ["prod"]
    let again = try registry.push(TestSupport.model("keras2_mlp"), options)
    #expect(!again.created)
    #expect(again.reference == "m:1")
    #expect(again.newBytes == 0 && again.newObjects == 0)
    #expect(again.manifest == first.manifest)
    #expect(TestSupport.objectFiles(registry).count == objectCount)
    #expect(try registry.resolve(Reference(parsing: "m@prod")).number == 1)

    // Under another model name it is a new version, still with no new bytes.
    let other = try registry.push(TestSupport.model("keras2_mlp"), PushOptions(model: "copy"))
    #expect(other.created && other.newBytes == 0)
  }

  @Test("versions number 1, 2, 3 per model and references resolve")
  func references() throws {
    let registry = try TestSupport.newRegistry()
    _ = try registry.push(TestSupport.model("finetune_base"), PushOptions(model: "a"))
    _ = try registry.push(TestSupport.model("finetune_head"), PushOptions(model: "a"))
    _ = try registry.push(TestSupport.model("lstm"), PushOptions(model: "b"))
    #expect(try registry.resolve(Reference(parsing: "a")).number == 2)
    #expect(try registry.resolve(Reference(parsing: "a:1")).number == 1)
    #expect(try registry.versions(of: "a").map(\.number) == [1, 2])
    #expect(try registry.models().map(\.name) == ["a", "b"])
    #expect(throws: RegistryError.self) { _ = try registry.resolve(Reference(parsing: "a:3")) }
    #expect(throws: RegistryError.self) { _ = try registry.resolve(Reference(parsing: "nope")) }
    #expect(throws: RegistryError.self) { _ = try Reference(parsing: "../etc") }
    #expect(throws: RegistryError.self) { _ = try Reference(parsing: "a:zero") }
  }
}

/// A tensor row as `show` would list it, read through the catalog.
struct VersionDetailTensor {
  let size: Int64
  let digest: String?

  static func load(_ registry: Registry, _ reference: String) throws -> [String: VersionDetailTensor] {
    let version = try registry.resolve(Reference(parsing: reference))
    return try registry.catalog.tensors(of: version.id).reduce(into: [:]) { result, tensor in
      result[tensor.name] = VersionDetailTensor(size: tensor.size, digest: tensor.digest?.description)
    }
  }
}
