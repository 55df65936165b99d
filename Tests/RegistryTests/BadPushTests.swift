import Foundation
import Registry
import RegistryCore
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A directory that cannot be stored faithfully is refused, and the store is left as it was.
@Suite("bad pushes change nothing")
struct BadPushTests {
  func expectRefused(
    _ registry: Registry, _ directory: URL, kind: ErrorCategory, mentioning words: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let objectsBefore = TestSupport.objectFiles(registry)
    do {
      _ = try registry.push(directory, PushOptions(model: "m"))
      Issue.record("push of a bad directory succeeded", sourceLocation: sourceLocation)
    } catch {
      #expect(error.category == kind, "\(error)", sourceLocation: sourceLocation)
      #expect(error.message.contains(words), "\(error)", sourceLocation: sourceLocation)
    }
    #expect(TestSupport.objectFiles(registry) == objectsBefore, sourceLocation: sourceLocation)
    #expect((try? registry.models().map(\.name)) ?? [] == [], sourceLocation: sourceLocation)
    let ingest = (try? FileManager.default.contentsOfDirectory(atPath: registry.objects.ingestRoot.path)) ?? ["?"]
    #expect(ingest.isEmpty, "ingest left: \(ingest)", sourceLocation: sourceLocation)
  }

  @Test("file names that are not UTF-8, which would collide once repaired, are refused by name")
  func nonUTF8Names() throws {
    let registry = try TestSupport.newRegistry()
    let directory = try TestSupport.copy("keras2_mlp")
    for last: UInt8 in [0xFF, 0xFE] {
      let path = Array(directory.path.utf8) + Array("/x".utf8) + [last, 0]
      let descriptor = path.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) }
      }
      #expect(descriptor >= 0)
      close(descriptor)
    }
    expectRefused(registry, directory, kind: .invalidArgument, mentioning: "not valid UTF-8")
    do {
      _ = try registry.push(directory, PushOptions(model: "m"))
    } catch {
      #expect(error.message.contains("/x\\xFE") || error.message.contains("/x\\xFF"), "\(error.message)")
    }
  }

  @Test("a symlink inside the directory")
  func symlink() throws {
    let registry = try TestSupport.newRegistry()
    let directory = try TestSupport.copy("keras2_mlp")
    try FileManager.default.createSymbolicLink(
      atPath: directory.appendingPathComponent("variables/extra").path, withDestinationPath: "/etc/hostname")
    expectRefused(registry, directory, kind: .invalidArgument, mentioning: "symbolic link")
  }

  @Test("a FIFO inside the directory")
  func fifo() throws {
    let registry = try TestSupport.newRegistry()
    let directory = try TestSupport.copy("keras2_mlp")
    #expect(mkfifo(directory.appendingPathComponent("variables/pipe").path, 0o644) == 0)
    expectRefused(registry, directory, kind: .invalidArgument, mentioning: "FIFO")
  }

  @Test("a tensor whose bytes fail their CRC32C")
  func corruptTensor() throws {
    let registry = try TestSupport.newRegistry()
    let directory = try TestSupport.copy("module_two_signatures")
    let shard = directory.appendingPathComponent("variables/variables.data-00000-of-00001")
    var bytes = [UInt8](try Data(contentsOf: shard))
    bytes[5] ^= 0x40
    try Data(bytes).write(to: shard)
    expectRefused(registry, directory, kind: .corrupted, mentioning: "CRC32C mismatch")
  }

  @Test("an index whose fingerprint disagrees")
  func fingerprintMismatch() throws {
    let registry = try TestSupport.newRegistry()
    let directory = try TestSupport.copy("module_two_signatures")
    try FileManager.default.removeItem(at: directory.appendingPathComponent("variables/variables.index"))
    try FileManager.default.copyItem(
      at: TestSupport.model("sharded_vars").appendingPathComponent("variables/variables.index"),
      to: directory.appendingPathComponent("variables/variables.index"))
    expectRefused(registry, directory, kind: .notFound, mentioning: "variables.data-00000-of-00004")
  }

  @Test("a directory that is not a SavedModel")
  func notASavedModel() throws {
    let registry = try TestSupport.newRegistry()
    expectRefused(
      registry, try TestSupport.temporaryDirectory("empty"), kind: .invalidArgument, mentioning: "not a SavedModel")
  }

  @Test("a directory without a graph is refused before its files are read (a 1 TiB sparse file would take hours)")
  func notASavedModelIsNotRead() throws {
    let registry = try TestSupport.newRegistry()
    let directory = try TestSupport.temporaryDirectory("downloads")
    let big = directory.appendingPathComponent("weights.bin").path
    #expect(FileManager.default.createFile(atPath: big, contents: nil))
    #expect(truncate(big, 1 << 40) == 0)
    expectRefused(registry, directory, kind: .invalidArgument, mentioning: "not a SavedModel")
  }

  @Test("a graph that does not parse is what a push reports, even beside a readable index")
  func corruptGraphBesideIndex() throws {
    let registry = try TestSupport.newRegistry()
    let directory = try TestSupport.copy("keras2_mlp")
    try Data(repeating: 0xFF, count: 4096).write(to: directory.appendingPathComponent("saved_model.pb"))
    expectRefused(registry, directory, kind: .corrupted, mentioning: "saved_model.pb")
  }
}
