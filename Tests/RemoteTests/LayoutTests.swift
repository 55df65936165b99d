import Foundation
import Registry
import RegistryTestSupport
import Testing

@testable import Remote

@Suite("oci-layout and oci-archive")
struct LayoutTests {
  static func options(threshold: Int64 = Pack.objectLayerThreshold) -> TransferOptions {
    var options = TransferOptions()
    options.objectLayerThreshold = threshold
    return options
  }

  @Test("every fixture round-trips through an image layout byte for byte")
  func fixturesRoundTrip() async throws {
    let names = try Repository.Fixtures.names()
    #expect(names.count >= 10)
    let source = try RemoteSupport.newStore("source")
    let target = try RemoteSupport.newStore("target")
    let layout = try makeTemporaryDirectory("layout").path
    for name in names {
      let model = name.replacingOccurrences(of: "_", with: "-")
      _ = try source.push(try Repository.Fixtures.model(name), PushOptions(model: model))
      let exported = try await Transfer.export(
        try Reference(parsing: model), from: source, to: .layout(directory: layout, tag: model), tag: nil,
        options: Self.options(threshold: 4096))
      #expect(exported.tag == model)
      let imported = try await Transfer.import(
        from: .layout(directory: layout, tag: model), into: target, name: nil, aliases: [], options: Self.options())
      #expect(imported.created, "\(name)")
      #expect(imported.reference == "\(model):1")
      #expect(try RemoteSupport.pulledFiles(target, model) == RemoteSupport.pulledFiles(source, model), "\(name)")
    }
    let tags = try await Transfer.tags(.layout(directory: layout, tag: nil), options: Self.options())
    #expect(tags.count == names.count)
  }

  @Test("facts and lineage travel; a second import adds nothing; a rerun export writes nothing new")
  func factsAndLineage() async throws {
    let source = try RemoteSupport.lineageStore()
    let target = try RemoteSupport.newStore("target")
    let layout = try makeTemporaryDirectory("layout").path
    for number in ["1", "2"] {
      _ = try await Transfer.export(
        try Reference(parsing: "mlp:\(number)"), from: source, to: .layout(directory: layout, tag: nil), tag: nil,
        options: Self.options())
    }
    let again = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: .layout(directory: layout, tag: nil), tag: nil,
      options: Self.options())
    #expect(again.uploaded == 0)
    #expect(again.skipped == again.blobs)

    _ = try await Transfer.import(
      from: .layout(directory: layout, tag: "1"), into: target, name: nil, aliases: [], options: Self.options())
    let head = try await Transfer.import(
      from: .layout(directory: layout, tag: "2"), into: target, name: nil, aliases: ["prod"], options: Self.options())
    #expect(head.created)
    #expect(head.parent == "mlp:1")
    let original = try source.resolve(try Reference(parsing: "mlp:2"))
    let copy = try target.resolve(try Reference(parsing: "mlp@prod"))
    #expect(copy.manifest == original.manifest)
    #expect(copy.message == "fine-tuned head")
    #expect(copy.createdBy == original.createdBy)
    #expect(copy.createdAt == original.createdAt)
    #expect(try target.detail(try Reference(parsing: "mlp:1")).metadata == ["team": "search"])
    #expect(
      try target.detail(try Reference(parsing: "mlp:2")).signatures
        == source.detail(try Reference(parsing: "mlp:2")).signatures)

    let repeated = try await Transfer.import(
      from: .layout(directory: layout, tag: "2"), into: target, name: nil, aliases: [], options: Self.options())
    #expect(!repeated.created)
    #expect(repeated.downloaded == 0)
    #expect(try target.versions(of: "mlp").count == 2)
  }

  @Test("a damaged blob in a layout is caught on import and nothing becomes visible")
  func damagedBlob() async throws {
    let source = try RemoteSupport.lineageStore()
    let target = try RemoteSupport.newStore("target")
    let layout = try makeTemporaryDirectory("layout").path
    let result = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: .layout(directory: layout, tag: "v"), tag: nil,
      options: Self.options(threshold: 1024))
    let manifest = try JSONDecoder().decode(
      ImageManifest.self,
      from: Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(Digest(result.digest)!.hex)")))
    let victim = try #require(manifest.layers.first { $0.mediaType == MediaType.object })
    let file = URL(fileURLWithPath: "\(layout)/blobs/sha256/\(victim.digest.hex)")
    var bytes = try Data(contentsOf: file)
    bytes[bytes.count / 2] ^= 0x01
    try bytes.write(to: file)
    await #expect {
      try await Transfer.import(
        from: .layout(directory: layout, tag: "v"), into: target, name: nil, aliases: [], options: Self.options())
    } throws: { error in
      (error as? RemoteError)?.category == .corrupted && "\(error)".contains(victim.digest.description)
    }
    #expect(try target.models().isEmpty)
  }

  @Test("an import that fails half-way shows nothing; the rerun fetches only what is missing")
  func resumedImport() async throws {
    let source = try RemoteSupport.lineageStore()
    let target = try RemoteSupport.newStore("target")
    let layout = try makeTemporaryDirectory("layout").path
    let result = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: .layout(directory: layout, tag: "v"), tag: nil,
      options: Self.options(threshold: 0))
    let manifest = try JSONDecoder().decode(
      ImageManifest.self,
      from: Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(Digest(result.digest)!.hex)")))
    #expect(manifest.layers.count >= 3)
    // The last layer goes missing, as if the copy was cut short; one fetch at a time, in order.
    let missing = try #require(manifest.layers.last)
    let file = "\(layout)/blobs/sha256/\(missing.digest.hex)"
    let aside = file + ".aside"
    try FileManager.default.moveItem(atPath: file, toPath: aside)
    var options = Self.options()
    options.jobs = 1
    await #expect {
      try await Transfer.import(
        from: .layout(directory: layout, tag: "v"), into: target, name: nil, aliases: [], options: options)
    } throws: { error in
      (error as? RemoteError)?.category == .notFound && "\(error)".contains(missing.digest.description)
    }
    #expect(try target.models().isEmpty)

    try FileManager.default.moveItem(atPath: aside, toPath: file)
    let rerun = try await Transfer.import(
      from: .layout(directory: layout, tag: "v"), into: target, name: nil, aliases: [], options: options)
    #expect(rerun.created)
    #expect(rerun.downloaded == 1, "only the layer the first run lacked")
    #expect(rerun.skipped == manifest.layers.count - 1)
    #expect(try RemoteSupport.pulledFiles(target, "mlp:1") == RemoteSupport.pulledFiles(source, "mlp:1"))
  }

  @Test("an archive round-trips through libarchive, keeps earlier tags, and is deterministic")
  func archive() async throws {
    let source = try RemoteSupport.lineageStore()
    let target = try RemoteSupport.newStore("target")
    let directory = try makeTemporaryDirectory("archive")
    let file = directory.appendingPathComponent("mlp.tar").path
    for number in ["1", "2"] {
      _ = try await Transfer.export(
        try Reference(parsing: "mlp:\(number)"), from: source, to: .archive(file: file, tag: nil), tag: nil,
        options: Self.options())
    }
    #expect(try await Transfer.tags(.archive(file: file, tag: nil), options: Self.options()) == ["1", "2"])
    let imported = try await Transfer.import(
      from: .archive(file: file, tag: "2"), into: target, name: "copy", aliases: [], options: Self.options())
    #expect(imported.reference == "copy:1")
    #expect(try RemoteSupport.pulledFiles(target, "copy") == RemoteSupport.pulledFiles(source, "mlp:2"))

    let second = directory.appendingPathComponent("again.tar").path
    for number in ["1", "2"] {
      _ = try await Transfer.export(
        try Reference(parsing: "mlp:\(number)"), from: source, to: .archive(file: second, tag: nil), tag: nil,
        options: Self.options())
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data(contentsOf: URL(fileURLWithPath: second)))
  }

  @Test("an archive entry that would leave the layout is refused")
  func escapingEntry() async throws {
    let python = try #require(RemoteSupport.executable("python3"), "python3 builds the hostile tar")
    let directory = try makeTemporaryDirectory("hostile")
    let file = directory.appendingPathComponent("evil.tar").path
    let script = """
      import io, sys, tarfile
      with tarfile.open(sys.argv[1], "w") as tar:
          for name, data in [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("../escaped", b"x")]:
              info = tarfile.TarInfo(name); info.size = len(data); tar.addfile(info, io.BytesIO(data))
      """
    let result = try RemoteSupport.run(python, ["-c", script, file])
    #expect(result.status == 0, "\(result.stderr)")
    let target = try RemoteSupport.newStore("target")
    await #expect {
      try await Transfer.import(
        from: .archive(file: file, tag: nil), into: target, name: nil, aliases: [], options: Self.options())
    } throws: { error in
      (error as? RemoteError)?.category == .corrupted && "\(error)".contains("escape")
    }
    let escaped = FileManager.default.temporaryDirectory.appendingPathComponent("escaped")
    #expect(!FileManager.default.fileExists(atPath: escaped.path))
  }
}

extension LayoutTests {
  static let card = "# MLP, fine-tuned head\n\nTrained on *clean* data. Ünïcödé survives.\n"

  /// The image manifest an export wrote into a layout.
  static func manifest(in layout: String, _ result: ExportResult) throws -> ImageManifest {
    let digest = try #require(Digest(result.digest))
    return try JSONDecoder().decode(
      ImageManifest.self, from: Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(digest.hex)")))
  }

  /// Edits the manifest tagged `tag` in a layout as a hostile producer could, adding `blobs`.
  static func forge(
    _ layout: String, tag: String, blobs: [[UInt8]] = [], _ change: (inout ImageManifest) -> Void
  ) async throws {
    let store = try LayoutStore(directory: layout, creating: false)
    let (bytes, _) = try await store.manifest(tag)
    var manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(bytes))
    change(&manifest)
    for blob in blobs { _ = try await store.upload(.of(blob, mediaType: MediaType.card), bytes: blob) }
    try await store.putManifest(CanonicalJSON.encode(manifest), mediaType: MediaType.imageManifest, tag: tag)
  }

  /// Whether an import left the store as it was: no model and no object file.
  static func untouched(_ store: Registry) throws -> Bool {
    let walk = FileManager.default.enumerator(atPath: store.root.appendingPathComponent("objects").path)
    // Object files are objects/sha256/ab/cd/<64 hex digits>.
    let objects = (walk?.allObjects as? [String] ?? []).filter { $0.split(separator: "/").last?.count == 64 }
    return try store.models().isEmpty && objects.isEmpty
  }

  @Test("a card travels as one layer through a layout and an archive; a version without one has none")
  func cardRoundTrip() async throws {
    let source = try RemoteSupport.lineageStore()
    let set = try source.setCard(try Reference(parsing: "mlp:2"), markdown: Array(Self.card.utf8))
    let directory = try makeTemporaryDirectory("cards")
    let layout = directory.appendingPathComponent("layout").path
    let endpoints: [(export: Endpoint, tag: (String) -> Endpoint)] = [
      (.layout(directory: layout, tag: nil), { .layout(directory: layout, tag: $0) }),
      (
        .archive(file: directory.appendingPathComponent("mlp.tar").path, tag: nil),
        { .archive(file: directory.appendingPathComponent("mlp.tar").path, tag: $0) }
      ),
    ]
    for (destination, tagged) in endpoints {
      var results: [String: ExportResult] = [:]
      for number in ["1", "2"] {
        results[number] = try await Transfer.export(
          try Reference(parsing: "mlp:\(number)"), from: source, to: destination, tag: nil, options: Self.options())
      }
      if case .layout = destination {
        let cards = try Self.manifest(in: layout, try #require(results["2"])).layers.filter {
          $0.mediaType == MediaType.card
        }
        #expect(cards.map(\.digest.description) == [set.digest])
        #expect(cards.first?.size == Int64(Self.card.utf8.count))
        #expect(
          try Self.manifest(in: layout, try #require(results["1"])).layers.allSatisfy { $0.mediaType != MediaType.card }
        )
      }
      let target = try RemoteSupport.newStore("target")
      let base = try await Transfer.import(
        from: tagged("1"), into: target, name: nil, aliases: [], options: Self.options())
      let head = try await Transfer.import(
        from: tagged("2"), into: target, name: nil, aliases: [], options: Self.options())
      #expect(base.created && head.created && head.parent == "mlp:1")
      #expect(try target.card(try Reference(parsing: "mlp:1")) == nil)
      let card = try #require(try target.card(try Reference(parsing: "mlp:2")))
      #expect(card.markdown == Self.card && card.digest == set.digest)
      #expect(try target.events(model: "mlp", action: "card.set", before: nil, limit: 10).count == 1)
      #expect(try RemoteSupport.pulledFiles(target, "mlp:2") == RemoteSupport.pulledFiles(source, "mlp:2"))
      // gc keeps the imported card; fsck finds it where the catalog says.
      #expect(try target.fsck(repair: false).isClean)
    }
  }

  @Test("a card layer over CARD_BYTES is refused before it is read, and nothing changes")
  func oversizedCard() async throws {
    let source = try RemoteSupport.lineageStore()
    _ = try source.setCard(try Reference(parsing: "mlp:1"), markdown: Array(repeating: 0x61, count: 2000))
    let layout = try makeTemporaryDirectory("layout").path
    _ = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: .layout(directory: layout, tag: "v"), tag: nil,
      options: Self.options())
    let target = try RemoteSupport.newStore("target")
    var small = Self.options()
    small.limits.cardBytes = 1000
    await #expect {
      try await Transfer.import(
        from: .layout(directory: layout, tag: "v"), into: target, name: nil, aliases: [], options: small)
    } throws: { error in
      (error as? RemoteError)?.category == .resourceExhausted && "\(error)".contains("CARD_BYTES")
    }
    #expect(try Self.untouched(target))

    // A descriptor claiming a terabyte is refused on its size: its blob is never opened.
    try await Self.forge(layout, tag: "v") { manifest in
      for index in manifest.layers.indices where manifest.layers[index].mediaType == MediaType.card {
        manifest.layers[index].size = 1 << 40
      }
    }
    await #expect {
      try await Transfer.import(
        from: .layout(directory: layout, tag: "v"), into: target, name: nil, aliases: [], options: Self.options())
    } throws: { error in
      (error as? RemoteError)?.category == .resourceExhausted && "\(error)".contains("CARD_BYTES")
    }
    #expect(try Self.untouched(target))
  }

  @Test("a card layer that is not UTF-8, or a second card layer, refuses the import and nothing changes")
  func hostileCards() async throws {
    let source = try RemoteSupport.lineageStore()
    _ = try source.setCard(try Reference(parsing: "mlp:1"), markdown: Array("# Card\n".utf8))
    let layout = try makeTemporaryDirectory("layout").path
    for tag in ["binary", "twice"] {
      _ = try await Transfer.export(
        try Reference(parsing: "mlp:1"), from: source, to: .layout(directory: layout, tag: tag), tag: nil,
        options: Self.options())
    }
    let binary: [UInt8] = [0x23, 0x20, 0xFF, 0xFE, 0x00, 0xC0]
    try await Self.forge(layout, tag: "binary", blobs: [binary]) { manifest in
      manifest.layers.removeAll { $0.mediaType == MediaType.card }
      manifest.layers.append(.of(binary, mediaType: MediaType.card))
    }
    let second = Array("# Another card\n".utf8)
    try await Self.forge(layout, tag: "twice", blobs: [second]) { manifest in
      manifest.layers.append(.of(second, mediaType: MediaType.card))
    }
    let target = try RemoteSupport.newStore("target")
    for (tag, expected) in [("binary", "UTF-8"), ("twice", "2 card layers")] {
      await #expect {
        try await Transfer.import(
          from: .layout(directory: layout, tag: tag), into: target, name: nil, aliases: [], options: Self.options())
      } throws: { error in
        (error as? RemoteError)?.category == .invalidArgument && "\(error)".contains(expected)
      }
      #expect(try Self.untouched(target), "\(tag)")
    }
  }
}
