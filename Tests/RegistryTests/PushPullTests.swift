import Catalog
import ContentStore
import Foundation
import Registry
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
