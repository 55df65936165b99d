import Foundation
import Registry
import RegistryCore
import RegistryTestSupport
import Testing

@testable import Remote

/// Cross-repository mounts against the real docker-registry: a fine-tune exported to a new
/// repository links the objects its parent already has in another one instead of sending them.
@Suite("cross-repository mounts", .serialized, needsRegistryAndPython)
struct MountTests {
  /// The object layers of `child`'s artifact that `parent` has too: what a mount can save.
  static func sharedObjectLayers(_ registry: Registry, _ child: String, _ parent: String, threshold: Int64) throws
    -> Int
  {
    let childArtifact = try Artifact.build(
      try registry.exportedVersion(try Reference(parsing: child)), from: registry, threshold: threshold)
    let parentObjects = Set(try registry.exportedVersion(try Reference(parsing: parent)).objects.map(\.digest))
    return childArtifact.manifest.layers.filter {
      $0.mediaType == MediaType.object && parentObjects.contains($0.digest)
    }
    .count
  }

  /// Exports a version of `source` to `repository` of `server`, tagged with its number.
  @discardableResult
  static func export(
    _ reference: String, from source: Registry, to server: DockerRegistry, _ repository: String,
    _ options: TransferOptions
  ) async throws -> ExportResult {
    try await Transfer.export(
      try Reference(parsing: reference), from: source, to: try Endpoint(parsing: "oci://\(server.host)/\(repository)"),
      tag: nil, options: options)
  }

  @Test("a fine-tune sent to a new repository mounts its parent's objects; the export is in the event log")
  func mountsFromEarlierExport() async throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let source = try RemoteSupport.lineageStore()
    let options = RegistryServerTests.options()
    try await Self.export("mlp:1", from: source, to: server, "team/base", options)
    let shared = try Self.sharedObjectLayers(source, "mlp:2", "mlp:1", threshold: options.objectLayerThreshold)
    try #require(shared > 0)

    let exported = try await Self.export("mlp:2", from: source, to: server, "team/tuned", options)
    #expect(exported.mounted == shared)
    #expect(exported.uploaded + exported.mounted == exported.blobs)
    #expect(exported.eventLogProblem == nil)

    let events = try source.events(model: "mlp", action: "export", before: nil, limit: 10)
    #expect(events.count == 2)
    #expect(events.first?.detail.contains("oci://\(server.host)/team/tuned:2") == true)

    // The mounted artifact is whole: it imports byte-exact.
    let target = try RemoteSupport.newStore("target")
    _ = try await Transfer.import(
      from: try Endpoint(parsing: "oci://\(server.host)/team/tuned:2"), into: target, name: nil, aliases: [],
      options: options)
    #expect(try RemoteSupport.pulledFiles(target, "mlp:1") == RemoteSupport.pulledFiles(source, "mlp:2"))
  }

  @Test("a blob deleted from the source repository is uploaded instead, and the export completes")
  func mountRefusedFallsBack() async throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let source = try RemoteSupport.lineageStore()
    let options = RegistryServerTests.options()
    try await Self.export("mlp:1", from: source, to: server, "team/base", options)
    // Unlink every blob from team/base (as a registry GC or a deleted repository would).
    let links = server.storage.appendingPathComponent("repositories/team/base/_layers")
    try FileManager.default.removeItem(at: links)

    let exported = try await Self.export("mlp:2", from: source, to: server, "team/tuned", options)
    #expect(exported.mounted == 0)
    #expect(exported.uploaded == exported.blobs)
    let target = try RemoteSupport.newStore("target")
    _ = try await Transfer.import(
      from: try Endpoint(parsing: "oci://\(server.host)/team/tuned:2"), into: target, name: nil, aliases: [],
      options: options)
    #expect(try RemoteSupport.pulledFiles(target, "mlp:1") == RemoteSupport.pulledFiles(source, "mlp:2"))
  }

  @Test("with bearer tokens the mount asks for pull on the source repository too, and mounts")
  func mountsWithToken() async throws {
    let scene = try await TokenScene()
    defer { scene.stop() }
    try await scene.export("mlp:1", to: "team/base")
    let exported = try await scene.export("mlp:2", to: "team/tuned")
    #expect(exported.mounted == (try Self.sharedObjectLayers(scene.source, "mlp:2", "mlp:1", threshold: 1024)))
    #expect(
      scene.tokens.issued["repository:team/tuned:pull,push repository:team/base:pull"] == 1, "\(scene.tokens.issued)")
  }
}
