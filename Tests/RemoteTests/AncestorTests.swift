import Foundation
import Registry
import RegistryCore
import RegistryTestSupport
import Testing

@testable import Remote

/// `--with-ancestors`: lineage across stores, found by the store manifest each artifact carries.
@Suite("ancestors travel")
struct AncestorTests {
  static func options(withAncestors: Bool = true) -> TransferOptions {
    var options = LayoutTests.options()
    options.withAncestors = withAncestors
    return options
  }

  static func summary(_ registry: Registry, _ reference: String) throws -> VersionSummary {
    try registry.resolve(try Reference(parsing: reference))
  }

  @Test("export sends the missing ancestors first, once; import brings them back with the parent link")
  func layoutRoundTrip() async throws {
    let source = try RemoteSupport.lineageStore()
    let layout = try makeTemporaryDirectory("layout").path
    let exported = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: .layout(directory: layout, tag: nil), tag: nil,
      options: Self.options())
    #expect(exported.tag == "2")
    #expect(exported.ancestors.map(\.tag) == ["1"])
    #expect(exported.ancestors.first?.uploaded == exported.ancestors.first?.blobs)
    #expect(try await Transfer.tags(.layout(directory: layout, tag: nil), options: Self.options()) == ["1", "2"])
    let again = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: .layout(directory: layout, tag: nil), tag: nil,
      options: Self.options())
    #expect(again.ancestors.isEmpty && again.uploaded == 0)

    let target = try RemoteSupport.newStore("target")
    let imported = try await Transfer.import(
      from: .layout(directory: layout, tag: "2"), into: target, name: "copy", aliases: [], options: Self.options())
    #expect(imported.reference == "copy:2" && imported.parent == "copy:1" && imported.missingParent == nil)
    #expect(imported.ancestors.map(\.reference) == ["copy:1"])
    #expect(try RemoteSupport.pulledFiles(target, "copy:1") == RemoteSupport.pulledFiles(source, "mlp:1"))
    #expect(try RemoteSupport.pulledFiles(target, "copy:2") == RemoteSupport.pulledFiles(source, "mlp:2"))
    #expect(try Self.summary(target, "copy:1").message == "the base")
    // Imported objects count as the imported versions' new bytes, as a push's would.
    let (base, head) = (try Self.summary(target, "copy:1"), try Self.summary(target, "copy:2"))
    let (sourceBase, sourceHead) = (try Self.summary(source, "mlp:1"), try Self.summary(source, "mlp:2"))
    #expect(base.newBytes == sourceBase.newBytes && base.storedBytes > 0)
    #expect(head.newBytes == sourceHead.newBytes && head.newBytes < head.logicalBytes)
  }

  @Test("through a registry: a new repository, ancestors sent, found and imported", needsDockerRegistry)
  func registryRoundTrip() async throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let source = try RemoteSupport.lineageStore()
    var options = RegistryServerTests.options()
    options.withAncestors = true
    let exported = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: try Endpoint(parsing: "oci://\(server.host)/team/mlp"),
      tag: "latest", options: options)
    #expect(exported.ancestors.map(\.tag) == ["1"])
    let target = try RemoteSupport.newStore("target")
    let imported = try await Transfer.import(
      from: try Endpoint(parsing: "oci://\(server.host)/team/mlp:latest"), into: target, name: nil, aliases: [],
      options: options)
    #expect(imported.reference == "mlp:2" && imported.parent == "mlp:1")
    #expect(try RemoteSupport.pulledFiles(target, "mlp:1") == RemoteSupport.pulledFiles(source, "mlp:1"))
  }

  @Test("without the flag the version comes alone and the report names the missing parent")
  func withoutFlag() async throws {
    let source = try RemoteSupport.lineageStore()
    let layout = try makeTemporaryDirectory("layout").path
    _ = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: .layout(directory: layout, tag: nil), tag: nil,
      options: Self.options())
    let target = try RemoteSupport.newStore("target")
    let imported = try await Transfer.import(
      from: .layout(directory: layout, tag: "2"), into: target, name: nil, aliases: [],
      options: Self.options(withAncestors: false))
    #expect(imported.reference == "mlp:1" && imported.parent == nil)
    #expect(imported.missingParent == (try Self.summary(source, "mlp:1")).manifest.description)
  }

  @Test("a parent exported on its own earlier is found by its annotation, whatever its tag")
  func parentUnderAnyTag() async throws {
    let source = try RemoteSupport.lineageStore()
    let layout = try makeTemporaryDirectory("layout").path
    _ = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: .layout(directory: layout, tag: "base-v7"), tag: nil,
      options: Self.options(withAncestors: false))
    let exported = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: .layout(directory: layout, tag: "head"), tag: nil,
      options: Self.options())
    #expect(exported.ancestors.isEmpty, "the parent is there under another tag")
    let target = try RemoteSupport.newStore("target")
    let imported = try await Transfer.import(
      from: .layout(directory: layout, tag: "head"), into: target, name: nil, aliases: [], options: Self.options())
    #expect(imported.parent == "mlp:1" && imported.ancestors.count == 1)
  }

  @Test("an ancestor of another model is tagged MODEL-NUMBER and imported into its own model")
  func otherModel() async throws {
    let source = try RemoteSupport.newStore("source")
    _ = try source.push(try Repository.Fixtures.model("finetune_base"), PushOptions(model: "base"))
    var head = PushOptions(model: "head")
    head.parent = try Reference(parsing: "base:1")
    _ = try source.push(try Repository.Fixtures.model("finetune_head"), head)
    let layout = try makeTemporaryDirectory("layout").path
    let exported = try await Transfer.export(
      try Reference(parsing: "head:1"), from: source, to: .layout(directory: layout, tag: nil), tag: nil,
      options: Self.options())
    #expect(exported.ancestors.map(\.tag) == ["base-1"])
    let target = try RemoteSupport.newStore("target")
    let imported = try await Transfer.import(
      from: .layout(directory: layout, tag: "1"), into: target, name: "tuned", aliases: [], options: Self.options())
    #expect(imported.reference == "tuned:1" && imported.parent == "base:1")
  }

  @Test("a parent missing from the source, or a lying annotation, fails with nothing imported")
  func refusals() async throws {
    let source = try RemoteSupport.lineageStore()
    let layout = try makeTemporaryDirectory("layout").path
    _ = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: .layout(directory: layout, tag: nil), tag: nil,
      options: Self.options(withAncestors: false))
    let target = try RemoteSupport.newStore("target")
    await #expect {
      _ = try await Transfer.import(
        from: .layout(directory: layout, tag: "2"), into: target, name: nil, aliases: [], options: Self.options())
    } throws: { error in
      (error as? RemoteError)?.category == .notFound && "\(error)".contains("--with-ancestors")
    }
    #expect(try target.models().isEmpty)

    // Another version's artifact, annotated as the parent, under tag "1".
    let other = try RemoteSupport.newStore("other")
    _ = try other.push(try Repository.Fixtures.model("keras2_mlp"), PushOptions(model: "mlp"))
    _ = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: other, to: .layout(directory: layout, tag: "1"), tag: nil,
      options: Self.options())
    let parent = try Self.summary(source, "mlp:1").manifest
    try Self.reannotate(layout: layout, tag: "1", manifest: parent)
    await #expect {
      _ = try await Transfer.import(
        from: .layout(directory: layout, tag: "2"), into: target, name: nil, aliases: [], options: Self.options())
    } throws: { error in
      (error as? RemoteError)?.category == .corrupted && "\(error)".contains("annotated as manifest \(parent)")
    }
    #expect(try target.models().isEmpty)
  }

  /// Rewrites the manifest `tag` names in a layout so its annotation claims `manifest`.
  static func reannotate(layout: String, tag: String, manifest: Digest) throws {
    let indexURL = URL(fileURLWithPath: layout).appendingPathComponent("index.json")
    var index = try JSONSerialization.jsonObject(with: Data(contentsOf: indexURL)) as! [String: Any]
    var entries = index["manifests"] as! [[String: Any]]
    let position = try #require(
      entries.firstIndex { ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == tag })
    let old = try #require(Digest(entries[position]["digest"] as! String))
    let blobs = URL(fileURLWithPath: layout).appendingPathComponent("blobs/sha256")
    var document =
      try JSONSerialization.jsonObject(with: Data(contentsOf: blobs.appendingPathComponent(old.hex)))
      as! [String: Any]
    var annotations = document["annotations"] as! [String: String]
    annotations[Annotation.manifest] = manifest.description
    document["annotations"] = annotations
    let bytes = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
    let digest = Digest.sha256([UInt8](bytes))
    try bytes.write(to: blobs.appendingPathComponent(digest.hex))
    entries[position]["digest"] = digest.description
    entries[position]["size"] = bytes.count
    index["manifests"] = entries
    try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys]).write(to: indexURL)
  }
}
