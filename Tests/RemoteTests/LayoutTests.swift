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
