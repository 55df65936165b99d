import Foundation
import Registry
import RegistryTestSupport
import Testing

@testable import Remote

/// Export and import against a real registry server: Debian's docker-registry (Distribution 2.8.2).
@Suite("against docker-registry", .serialized, needsDockerRegistry)
struct RegistryServerTests {
  static func options(threshold: Int64 = 1024, chunkSize: Int = 8 << 20, environment: [String: String] = [:])
    -> TransferOptions
  {
    var options = TransferOptions()
    options.objectLayerThreshold = threshold
    options.chunkSize = chunkSize
    // No credentials from the user running the tests.
    options.environment = environment.merging(["DOCKER_CONFIG": "/nonexistent-registry-test"]) { $1 }
    return options
  }

  @Test("round trip over plain HTTP, byte-exact, chunked uploads, and tags")
  func roundTrip() async throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let source = try RemoteSupport.lineageStore()
    let target = try RemoteSupport.newStore("target")
    // Chunks of 1000 bytes, so every object above the threshold goes up in several PATCHes.
    let exported = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: try Endpoint(parsing: "oci://\(server.host)/team/mlp"),
      tag: "base", options: Self.options(chunkSize: 1000))
    #expect(exported.uploaded == exported.blobs)
    #expect(exported.tag == "base")
    // Every blob the manifest names, and the manifest, are in the registry's storage.
    #expect(server.blobs().count == exported.blobs + 1)

    let imported = try await Transfer.import(
      from: try Endpoint(parsing: "oci://\(server.host)/team/mlp:base"), into: target, name: nil, aliases: [],
      options: Self.options())
    #expect(imported.created)
    #expect(try RemoteSupport.pulledFiles(target, "mlp:1") == RemoteSupport.pulledFiles(source, "mlp:1"))
    // By digest too.
    let byDigest = try await Transfer.import(
      from: try Endpoint(parsing: "oci://\(server.host)/team/mlp@\(exported.digest)"), into: target, name: nil,
      aliases: [], options: Self.options())
    #expect(!byDigest.created)

    _ = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: try Endpoint(parsing: "oci://\(server.host)/team/mlp:v1"),
      tag: nil, options: Self.options())
    let tags = try await Transfer.tags(try Endpoint(parsing: "oci://\(server.host)/team/mlp"), options: Self.options())
    #expect(tags == ["base", "v1"])
  }

  @Test("a fine-tune exported after its parent uploads only its new objects; a rerun uploads nothing")
  func fineTuneUploadsOnlyNewObjects() async throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let source = try RemoteSupport.lineageStore()
    let destination = try Endpoint(parsing: "oci://\(server.host)/mlp")
    // Threshold 0: every object its own layer, so object-level dedup is what is measured.
    let options = Self.options(threshold: 0)
    _ = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: destination, tag: "1", options: options)
    let before = server.blobs()
    let head = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: destination, tag: "2", options: options)
    let after = server.blobs()

    let baseObjects = Set(try source.exportedVersion(try Reference(parsing: "mlp:1")).objects.map(\.digest))
    let headObjects = try source.exportedVersion(try Reference(parsing: "mlp:2")).objects
    let newObjects = headObjects.filter { !baseObjects.contains($0.digest) }
    #expect(!newObjects.isEmpty && newObjects.count < headObjects.count)
    // New in storage: the new objects, the config and the manifest; nothing else.
    #expect(after.count - before.count == newObjects.count + 2)
    #expect(head.uploaded == newObjects.count + 1)
    #expect(head.skipped == headObjects.count - newObjects.count)
    let headDigest = try #require(Digest(head.digest))
    let manifestFile = try #require(after[headDigest.hex])
    let manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(contentsOf: manifestFile))
    #expect(head.uploadedBytes == newObjects.reduce(0) { $0 + $1.size } + manifest.config.size)
    for object in newObjects { #expect(after[object.digest.hex] != nil && before[object.digest.hex] == nil) }

    let rerun = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: destination, tag: "2", options: options)
    #expect(rerun.uploaded == 0)
    #expect(server.blobs().count == after.count)
  }

  @Test("a corrupted blob in the registry's storage is caught on import and nothing becomes visible")
  func corruptedBlob() async throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let source = try RemoteSupport.lineageStore()
    let target = try RemoteSupport.newStore("target")
    let destination = try Endpoint(parsing: "oci://\(server.host)/mlp:1")
    _ = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: destination, tag: nil, options: Self.options(threshold: 0))
    let victim = try #require(source.exportedVersion(try Reference(parsing: "mlp:1")).objects.max { $0.size < $1.size })
    let file = try #require(server.blobs()[victim.digest.hex])
    var bytes = try Data(contentsOf: file)
    bytes[0] ^= 0xFF
    try bytes.write(to: file)
    await #expect {
      try await Transfer.import(from: destination, into: target, name: nil, aliases: [], options: Self.options())
    } throws: { error in
      (error as? RemoteError)?.category == .corrupted && "\(error)".contains(victim.digest.description)
    }
    #expect(try target.models().isEmpty)
    let ingest = target.root.appendingPathComponent("ingest")
    #expect((try? FileManager.default.contentsOfDirectory(atPath: ingest.path))?.isEmpty ?? true)
  }

  @Test("TLS with our own CA and htpasswd basic auth; a wrong password is unauthenticated (exit 13)")
  func tlsAndBasicAuth() async throws {
    let server = try DockerRegistry(tls: true, auth: .init(username: "alice", password: "s3cret"))
    defer { server.stop() }
    let source = try RemoteSupport.lineageStore()
    let target = try RemoteSupport.newStore("target")
    let config = try makeTemporaryDirectory("docker-config")
    let environment = ["DOCKER_CONFIG": config.path]
    let endpoint = try Endpoint(parsing: "oci://\(server.host)/secure/mlp:1")
    var options = Self.options(environment: environment)
    options.environment["DOCKER_CONFIG"] = config.path
    options.caFile = server.caFile

    // No credentials yet: unauthenticated, and the message says how to log in.
    await #expect {
      try await Transfer.export(try Reference(parsing: "mlp:1"), from: source, to: endpoint, tag: nil, options: options)
    } throws: { error in
      (error as? RemoteError)?.category == .unauthenticated && "\(error)".contains("registry login")
    }
    // A wrong password fails login and stores nothing.
    await #expect {
      try await RemoteAccess.check(
        Credential(username: "alice", password: "wrong"), host: server.host, options: options)
    } throws: { error in
      (error as? RemoteError)?.category.exitStatus == 13 && !"\(error)".contains("wrong\"")
    }
    try await RemoteAccess.check(Credential(username: "alice", password: "s3cret"), host: server.host, options: options)
    try CredentialStore.store(
      Credential(username: "alice", password: "s3cret"), for: server.host, environment: options.environment)

    let exported = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: endpoint, tag: nil, options: options)
    #expect(exported.uploaded == exported.blobs)
    _ = try await Transfer.import(from: endpoint, into: target, name: nil, aliases: [], options: options)
    #expect(try RemoteSupport.pulledFiles(target, "mlp:1") == RemoteSupport.pulledFiles(source, "mlp:1"))

    // Without our CA the certificate is not trusted: a clear TLS error, no fallback to plain HTTP.
    var untrusted = options
    untrusted.caFile = nil
    await #expect {
      try await Transfer.tags(try Endpoint(parsing: "oci://\(server.host)/secure/mlp"), options: untrusted)
    } throws: { error in
      (error as? RemoteError)?.category == .unavailable && "\(error)".contains("TLS")
    }
  }
}

extension RegistryServerTests {
  @Test("a card travels to docker-registry and back as its own layer; a version without one has none")
  func cardRoundTrip() async throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let source = try RemoteSupport.lineageStore()
    let markdown = "# Head\n\n| metric | value |\n|---|---|\n| accuracy | 0.93 |\n"
    let card = try source.setCard(try Reference(parsing: "mlp:2"), markdown: Array(markdown.utf8))
    let repository = "oci://\(server.host)/cards/mlp"
    for number in ["1", "2"] {
      _ = try await Transfer.export(
        try Reference(parsing: "mlp:\(number)"), from: source, to: try Endpoint(parsing: repository), tag: number,
        options: Self.options())
    }
    // The card is a blob of the registry's own, under its digest.
    let cardDigest = try #require(Digest(card.digest))
    #expect(server.blobs()[cardDigest.hex] != nil)

    let target = try RemoteSupport.newStore("target")
    for number in ["1", "2"] {
      let imported = try await Transfer.import(
        from: try Endpoint(parsing: "\(repository):\(number)"), into: target, name: nil, aliases: [],
        options: Self.options())
      #expect(imported.created)
    }
    #expect(try target.card(try Reference(parsing: "mlp:1")) == nil)
    #expect(try target.card(try Reference(parsing: "mlp:2"))?.markdown == markdown)
    #expect(try RemoteSupport.pulledFiles(target, "mlp:2") == RemoteSupport.pulledFiles(source, "mlp:2"))

    // An importer allowing smaller cards refuses this one and stores nothing.
    let strict = try RemoteSupport.newStore("strict")
    var options = Self.options()
    options.limits.cardBytes = 16
    await #expect {
      try await Transfer.import(
        from: try Endpoint(parsing: "\(repository):2"), into: strict, name: nil, aliases: [], options: options)
    } throws: { error in
      (error as? RemoteError)?.category == .resourceExhausted && "\(error)".contains("CARD_BYTES")
    }
    #expect(try LayoutTests.untouched(strict))
  }
}
