import Foundation
import Registry
import RegistryTestSupport
import Testing

@testable import Remote

/// Interop with an independent client: skopeo (containers/image) reads our manifests and moves
/// our artifacts between a registry and an image layout, and we import what it wrote.
@Suite(
  "interop with skopeo", .serialized, needsDockerRegistry,
  .enabled(if: RemoteSupport.executable("skopeo") != nil || RemoteSupport.inCI, "needs skopeo"))
struct SkopeoTests {
  @Test("skopeo inspect --raw reads our manifest; skopeo copy both ways; we import its copy byte-exactly")
  func skopeoCopies() async throws {
    let skopeo = try #require(RemoteSupport.executable("skopeo"), "skopeo is not installed (Scripts/install-deps.sh)")
    let server = try DockerRegistry()
    defer { server.stop() }
    let source = try RemoteSupport.lineageStore()
    // A card layer too: skopeo must carry a layer type it has never heard of.
    let card = try source.setCard(try Reference(parsing: "mlp:2"), markdown: Array("# Card\n".utf8))
    let target = try RemoteSupport.newStore("target")
    let options = RegistryServerTests.options()
    let layout = try makeTemporaryDirectory("skopeo-src").path
    let exported = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: .layout(directory: layout, tag: "v2"), tag: nil,
      options: options)

    // Layout -> registry with skopeo.
    let up = try RemoteSupport.run(
      skopeo, ["copy", "--dest-tls-verify=false", "oci:\(layout):v2", "docker://\(server.host)/interop/mlp:v2"])
    try #require(up.status == 0, "skopeo copy to the registry: \(up.stderr)")
    let raw = try RemoteSupport.run(
      skopeo, ["inspect", "--raw", "--tls-verify=false", "docker://\(server.host)/interop/mlp:v2"])
    try #require(raw.status == 0, "skopeo inspect: \(raw.stderr)")
    #expect(Digest.sha256(Array(raw.stdout)).description == exported.digest, "skopeo must not rewrite our manifest")

    // Registry -> a new layout with skopeo, then we import that layout.
    let copied = try makeTemporaryDirectory("skopeo-dst").path
    let down = try RemoteSupport.run(
      skopeo, ["copy", "--src-tls-verify=false", "docker://\(server.host)/interop/mlp:v2", "oci:\(copied):v2"])
    try #require(down.status == 0, "skopeo copy from the registry: \(down.stderr)")
    let imported = try await Transfer.import(
      from: .layout(directory: copied, tag: "v2"), into: target, name: nil, aliases: [], options: options)
    #expect(imported.created)
    #expect(try RemoteSupport.pulledFiles(target, "mlp") == RemoteSupport.pulledFiles(source, "mlp:2"))
    #expect(try target.card(try Reference(parsing: "mlp"))?.digest == card.digest)

    // And we read what skopeo pushed straight from the registry too.
    let again = try RemoteSupport.newStore("again")
    _ = try await Transfer.import(
      from: try Endpoint(parsing: "oci://\(server.host)/interop/mlp:v2"), into: again, name: nil, aliases: [],
      options: options)
    #expect(try RemoteSupport.pulledFiles(again, "mlp") == RemoteSupport.pulledFiles(source, "mlp:2"))
  }
}
