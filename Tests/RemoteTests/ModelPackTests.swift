import Foundation
import Registry
import RegistryTestSupport
import Testing

@testable import Remote

/// `--format modelpack`: the CNCF ModelPack layout, one raw layer per file, checked against the
/// pulled files byte for byte, through a layout, docker-registry and skopeo, and imported back.
@Suite("ModelPack export and import")
struct ModelPackTests {
  static func options() -> TransferOptions {
    var options = RegistryServerTests.options()
    options.format = .modelpack
    return options
  }

  /// A layout's blob by digest.
  static func blob(_ layout: String, _ digest: Digest) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(digest.hex)"))
  }

  /// The files (not directories) of a pulled version.
  static func pulledFiles(_ registry: Registry, _ reference: String) throws -> [String: Data] {
    try RemoteSupport.pulledFiles(registry, reference).filter { $0.value != Data("<dir>".utf8) }
  }

  /// Checks a ModelPack manifest against the version's pulled files: one layer per file, its
  /// bytes the file's, the media types, annotations and config the spec asks for.
  static func checkLayout(
    _ manifest: ImageManifest, blob: (Digest) throws -> Data, files: [String: Data], version: VersionSummary
  ) throws {
    #expect(manifest.mediaType == MediaType.imageManifest)
    #expect(manifest.artifactType == "application/vnd.cncf.model.manifest.v1+json")
    #expect(manifest.config.mediaType == "application/vnd.cncf.model.config.v1+json")
    let fileLayers = manifest.layers.filter { $0.annotations?[ModelPack.cardAnnotation] == nil }
    #expect(fileLayers.count == files.count)
    var seen: [String: Data] = [:]
    for layer in fileLayers {
      let path = try #require(layer.annotations?["org.cncf.model.filepath"])
      let expected =
        path == "saved_model.pb" || path.hasPrefix("variables/")
        ? "application/vnd.cncf.model.weight.v1.raw" : "application/vnd.cncf.model.weight.config.v1.raw"
      #expect(layer.mediaType == expected, "\(path)")
      let bytes = try blob(layer.digest)
      #expect(Int64(bytes.count) == layer.size)
      seen[path] = bytes
      let metadata = try JSONDecoder().decode(
        FileMetadata.self, from: Data(try #require(layer.annotations?["org.cncf.model.file.metadata+json"]).utf8))
      #expect(metadata.name == (path as NSString).lastPathComponent)
      #expect(metadata.size == layer.size)
      #expect(metadata.typeflag == 0 && metadata.uid == 0 && metadata.gid == 0)
      #expect(metadata.mtime == version.createdAt)
    }
    #expect(seen == files, "each layer holds its file's bytes exactly")
    // Layers in path order, as the manifest lists files.
    let paths = fileLayers.compactMap { $0.annotations?["org.cncf.model.filepath"] }
    #expect(paths == paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })

    let configBytes = try blob(manifest.config.digest)
    let config = try JSONSerialization.jsonObject(with: configBytes) as? [String: Any]
    #expect(Set((config ?? [:]).keys) == ["descriptor", "config", "modelfs"], "the schema allows no other keys")
    let decoded = try JSONDecoder().decode(ModelPackConfig.self, from: configBytes)
    #expect(decoded.modelfs.type == "layers")
    #expect(decoded.modelfs.diffIds == manifest.layers.map(\.digest.description))
    #expect(decoded.descriptor.name == version.model)
    #expect(decoded.descriptor.version == String(version.number))
    #expect(decoded.descriptor.createdAt == version.createdAt)
    #expect(decoded.config.format == "tensorflow-savedmodel")
  }

  @Test("every fixture exports as one raw layer per file, byte-exact, and imports back to the same manifest")
  func fixturesThroughLayout() async throws {
    let names = try Repository.Fixtures.names()
    #expect(names.count >= 10)
    let source = try RemoteSupport.newStore("source")
    let target = try RemoteSupport.newStore("target")
    let layout = try makeTemporaryDirectory("modelpack").path
    for name in names {
      let model = name.replacingOccurrences(of: "_", with: "-")
      _ = try source.push(try Repository.Fixtures.model(name), PushOptions(model: model))
      let version = try source.resolve(try Reference(parsing: model))
      let exported = try await Transfer.export(
        try Reference(parsing: model), from: source, to: .layout(directory: layout, tag: model), tag: nil,
        options: Self.options())
      let manifestBytes = try Self.blob(layout, try #require(Digest(exported.digest)))
      let manifest = try JSONDecoder().decode(ImageManifest.self, from: manifestBytes)
      try Self.checkLayout(
        manifest, blob: { try Self.blob(layout, $0) }, files: try Self.pulledFiles(source, model), version: version)

      let imported = try await Transfer.import(
        from: .layout(directory: layout, tag: model), into: target, name: nil, aliases: [], options: Self.options())
      #expect(imported.created, "\(name)")
      #expect(imported.reference == "\(model):1")
      #expect(imported.downloaded == manifest.layers.count)
      // Files, modes and directories come back exactly: the store manifest is the same.
      #expect(imported.manifest == version.manifest.description, "\(name)")
      #expect(try RemoteSupport.pulledFiles(target, model) == RemoteSupport.pulledFiles(source, model), "\(name)")
    }
  }

  @Test("the same version gives the same manifest; a second import adds nothing; lineage and message travel")
  func determinismAndLineage() async throws {
    let source = try RemoteSupport.lineageStore()
    let first = try makeTemporaryDirectory("modelpack-a").path
    let second = try makeTemporaryDirectory("modelpack-b").path
    var digests: [String] = []
    for layout in [first, second] {
      for number in ["1", "2"] {
        let result = try await Transfer.export(
          try Reference(parsing: "mlp:\(number)"), from: source, to: .layout(directory: layout, tag: nil), tag: nil,
          options: Self.options())
        digests.append(result.digest)
      }
    }
    #expect(digests[0] == digests[2] && digests[1] == digests[3])
    #expect(digests[0] != digests[1])
    let again = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: .layout(directory: first, tag: nil), tag: nil,
      options: Self.options())
    #expect(again.digest == digests[1])
    #expect(again.uploaded == 0 && again.skipped == again.blobs)
    // Not our default format's digest: a different artifact.
    let plain = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: .layout(directory: first, tag: "plain"), tag: nil,
      options: RegistryServerTests.options())
    #expect(plain.digest != digests[1])

    let target = try RemoteSupport.newStore("target")
    _ = try await Transfer.import(
      from: .layout(directory: first, tag: "1"), into: target, name: nil, aliases: [], options: Self.options())
    let head = try await Transfer.import(
      from: .layout(directory: first, tag: "2"), into: target, name: nil, aliases: ["prod"], options: Self.options())
    #expect(head.created)
    #expect(head.parent == "mlp:1")
    let copy = try target.resolve(try Reference(parsing: "mlp@prod"))
    #expect(copy.manifest == (try source.resolve(try Reference(parsing: "mlp:2"))).manifest)
    #expect(copy.message == "fine-tuned head")
    let repeated = try await Transfer.import(
      from: .layout(directory: first, tag: "2"), into: target, name: nil, aliases: [], options: Self.options())
    #expect(!repeated.created)
    #expect(repeated.downloaded == 0)
    #expect(try target.versions(of: "mlp").count == 2)
  }

  @Test("a model card travels as a doc layer and is restored on import")
  func card() async throws {
    let source = try RemoteSupport.lineageStore()
    let markdown = Array("# MLP\n\nA card.\n".utf8)
    let card = try source.setCard(try Reference(parsing: "mlp:2"), markdown: markdown)
    let layout = try makeTemporaryDirectory("modelpack-card").path
    let exported = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: .layout(directory: layout, tag: "v"), tag: nil,
      options: Self.options())
    let manifest = try JSONDecoder().decode(
      ImageManifest.self, from: try Self.blob(layout, try #require(Digest(exported.digest))))
    let last = try #require(manifest.layers.last)
    #expect(last.mediaType == "application/vnd.cncf.model.doc.v1.raw")
    #expect(last.annotations?["org.cncf.model.filepath"] == "MODEL_CARD.md")
    #expect(last.digest.description == card.digest)
    #expect(Array(try Self.blob(layout, last.digest)) == markdown)

    let target = try RemoteSupport.newStore("target")
    let imported = try await Transfer.import(
      from: .layout(directory: layout, tag: "v"), into: target, name: "copy", aliases: [], options: Self.options())
    #expect(imported.reference == "copy:1")
    #expect(try target.card(try Reference(parsing: "copy:1"))?.digest == card.digest)
    // The card is not one of the version's files.
    #expect(try Self.pulledFiles(target, "copy:1") == Self.pulledFiles(source, "mlp:2"))
  }

  /// Rewrites a layout's `v` manifest with `change` applied, and returns the layout.
  static func forged(_ change: (inout ImageManifest) -> Void) async throws -> String {
    let source = try RemoteSupport.lineageStore()
    let layout = try makeTemporaryDirectory("modelpack-forged").path
    let exported = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: .layout(directory: layout, tag: "v"), tag: nil,
      options: Self.options())
    var manifest = try JSONDecoder().decode(
      ImageManifest.self, from: try Self.blob(layout, try #require(Digest(exported.digest))))
    change(&manifest)
    let store = try LayoutStore(directory: layout, creating: true)
    try await store.putManifest(CanonicalJSON.encode(manifest), mediaType: MediaType.imageManifest, tag: "v")
    return layout
  }

  @Test("tar layers, unsafe paths and missing paths are refused with the store untouched")
  func refusals() async throws {
    let cases: [(String, ErrorCategory, (inout ImageManifest) -> Void)] = [
      ("tar", .unsupported, { $0.layers[0].mediaType = "application/vnd.cncf.model.weight.v1.tar" }),
      ("escape", .invalidArgument, { $0.layers[0].annotations?["org.cncf.model.filepath"] = "../../etc/x" }),
      ("absolute", .invalidArgument, { $0.layers[0].annotations?["org.cncf.model.filepath"] = "/tmp/x" }),
      ("no path", .invalidArgument, { $0.layers[0].annotations = nil }),
      (
        "same path twice", .invalidArgument,
        {
          let path = $0.layers[0].annotations?["org.cncf.model.filepath"]
          $0.layers[1].annotations?["org.cncf.model.filepath"] = path
        }
      ),
    ]
    for (label, category, change) in cases {
      let layout = try await Self.forged(change)
      let target = try RemoteSupport.newStore("target")
      await #expect {
        try await Transfer.import(
          from: .layout(directory: layout, tag: "v"), into: target, name: nil, aliases: [], options: Self.options())
      } throws: { error in
        (error as? RemoteError)?.category == category
      }
      #expect(try target.models().isEmpty, "\(label)")
    }
    // The unsupported message says what can be imported.
    let layout = try await Self.forged { $0.layers[0].mediaType = "application/vnd.cncf.model.weight.v1.tar" }
    await #expect {
      try await Transfer.import(
        from: .layout(directory: layout, tag: "v"), into: try RemoteSupport.newStore("t"), name: nil, aliases: [],
        options: Self.options())
    } throws: { error in
      "\(error)".contains("--format modelpack")
    }
  }

  @Test(
    "through docker-registry: skopeo reads the media types and copies it to a layout byte for byte; a fine-tune re-sends its changed files whole"
  )
  func registryAndSkopeo() async throws {
    try #require(DockerRegistry.installed || RemoteSupport.inCI)
    guard DockerRegistry.installed else { return }
    let server = try DockerRegistry()
    defer { server.stop() }
    let source = try RemoteSupport.lineageStore()
    let destination = try Endpoint(parsing: "oci://\(server.host)/mp/mlp")
    let base = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: destination, tag: "1", options: Self.options())
    #expect(base.uploaded == base.blobs)
    let before = server.blobs()
    let head = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: destination, tag: "2", options: Self.options())
    let after = server.blobs()
    // The fine-tune sends the files that changed, whole, its config and manifest; nothing else.
    let baseFiles = try Self.pulledFiles(source, "mlp:1")
    let headFiles = try Self.pulledFiles(source, "mlp:2")
    let baseDigests = Set(baseFiles.values.map { Digest.sha256(Array($0)) })
    let changed = Set(headFiles.values.map { Digest.sha256(Array($0)) }).subtracting(baseDigests)
    #expect(!changed.isEmpty && changed.count < headFiles.count)
    #expect(head.uploaded == changed.count + 1)
    #expect(after.count - before.count == changed.count + 2)
    let headDigest = try #require(Digest(head.digest))
    let headManifest = try JSONDecoder().decode(
      ImageManifest.self, from: Data(contentsOf: try #require(after[headDigest.hex])))
    let changedBytes = headFiles.values.filter { changed.contains(Digest.sha256(Array($0))) }.reduce(0) {
      $0 + Int64($1.count)
    }
    #expect(head.uploadedBytes == changedBytes + headManifest.config.size)

    let target = try RemoteSupport.newStore("target")
    let imported = try await Transfer.import(
      from: try Endpoint(parsing: "oci://\(server.host)/mp/mlp:2"), into: target, name: nil, aliases: [],
      options: Self.options())
    #expect(imported.created)
    #expect(try RemoteSupport.pulledFiles(target, "mlp") == RemoteSupport.pulledFiles(source, "mlp:2"))

    guard let skopeo = RemoteSupport.executable("skopeo") else {
      try #require(!RemoteSupport.inCI, "skopeo is not installed (Scripts/install-deps.sh)")
      return
    }
    let raw = try RemoteSupport.run(
      skopeo, ["inspect", "--raw", "--tls-verify=false", "docker://\(server.host)/mp/mlp:2"])
    try #require(raw.status == 0, "skopeo inspect: \(raw.stderr)")
    #expect(Digest.sha256(Array(raw.stdout)).description == head.digest, "skopeo must not rewrite our manifest")
    let text = String(decoding: raw.stdout, as: UTF8.self)
    for type in [
      "application/vnd.cncf.model.manifest.v1+json", "application/vnd.cncf.model.config.v1+json",
      "application/vnd.cncf.model.weight.v1.raw", "org.cncf.model.filepath",
    ] {
      #expect(text.contains("\"\(type)\""), "\(type)")
    }

    let copied = try makeTemporaryDirectory("modelpack-skopeo").path
    let down = try RemoteSupport.run(
      skopeo, ["copy", "--src-tls-verify=false", "docker://\(server.host)/mp/mlp:2", "oci:\(copied):2"])
    try #require(down.status == 0, "skopeo copy from the registry: \(down.stderr)")
    let manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(raw.stdout))
    try Self.checkLayout(
      manifest, blob: { try Self.blob(copied, $0) }, files: headFiles,
      version: try source.resolve(try Reference(parsing: "mlp:2")))
    let fromCopy = try RemoteSupport.newStore("from-copy")
    let again = try await Transfer.import(
      from: .layout(directory: copied, tag: "2"), into: fromCopy, name: nil, aliases: [], options: Self.options())
    #expect(again.manifest == imported.manifest)
  }
}
