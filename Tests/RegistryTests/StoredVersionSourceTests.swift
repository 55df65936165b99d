import ContentStore
import Foundation
import Registry
import RegistryTestSupport
import SavedModelFormat
import Testing

/// A stored version read in place must give exactly the bytes of the directory that was pushed,
/// and refuse damaged objects.
@Suite("reading a stored version without pulling it")
struct StoredVersionSourceTests {
  @Test(
    "every range of every file reads as the pushed bytes, across object boundaries",
    arguments: ["mobilenet_v2", "sharded_vars", "tf1_builder"])
  func ranges(name: String) throws {
    let registry = try TestSupport.newRegistry()
    let directory = try TestSupport.copy(name)
    _ = try registry.push(directory, PushOptions(model: name))
    let source = try registry.source(of: Reference(parsing: name))
    let manifest = try registry.manifest(of: try registry.resolve(Reference(parsing: name)))
    #expect(manifest.entries.contains { ($0.objects?.count ?? 0) > 1 }, "some file spans several objects")
    let listing = try source.listing()
    #expect(listing == (try DirectorySource(directory).listing()))
    var generator = TestSeed.generator(for: "random ranges of stored files")
    for entry in listing where entry.kind == .file {
      let expected = [UInt8](try Data(contentsOf: directory.appendingPathComponent(entry.path)))
      #expect(try source.read(entry.path) == expected, "\(entry.path)")
      for _ in 0..<20 where !expected.isEmpty {
        let start = Int.random(in: 0..<expected.count, using: &generator)
        let count = Int.random(in: 0...(expected.count - start), using: &generator)
        #expect(
          try source.read(entry.path, offset: Int64(start), count: count) == Array(expected[start..<start + count]))
      }
      #expect(throws: FormatError.self) { try source.read(entry.path, offset: Int64(expected.count), count: 1) }
      // A range whose end does not fit in 64 bits is refused, not an overflow trap.
      #expect(throws: FormatError.self) { try source.read(entry.path, offset: .max, count: 1) }
    }
    #expect(throws: FormatError.self) { try source.read("no/such/file") }
    // The variables open and every tensor passes its CRC, as from the directory.
    let bundle = try #require(try SavedModelDirectory(source: source).bundle())
    for entry in bundle.entries where !entry.isSliced { _ = try bundle.bytes(of: entry) }
  }

  @Test("a damaged object is named when it is read, and the store is left as it was")
  func damagedObject() throws {
    let registry = try TestSupport.newRegistry()
    _ = try registry.push(try TestSupport.copy("keras2_mlp"), PushOptions(model: "mlp"))
    let source = try registry.source(of: Reference(parsing: "mlp"))
    let manifest = try registry.manifest(of: try registry.resolve(Reference(parsing: "mlp")))
    let shard = try #require(manifest.entries.first { $0.path.hasPrefix("variables/variables.data") })
    let digest = try #require(shard.objects?.first?.digest)
    let file = registry.objects.path(for: digest)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
    bytes[bytes.count - 1] ^= 0xFF
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    do {
      _ = try source.read(shard.path)
      Issue.record("a damaged object was read without complaint")
    } catch {
      #expect(error.description.contains(String(describing: digest)), "\(error)")
      #expect(error.description.contains(shard.path), "\(error)")
    }
    #expect(FileManager.default.fileExists(atPath: file))
  }
}
