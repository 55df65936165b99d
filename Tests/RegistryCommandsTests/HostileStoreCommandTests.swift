import Foundation
import Glibc
import RegistryTestSupport
import Testing

/// A store someone tampered with, seen from the command line: `pull` and `fsck` name the damaged
/// object and exit with the documented status, never crash, exhaust memory or hang.
@Suite("hostile store content through pull and fsck")
struct HostileStoreCommandTests {
  /// Every object file of the scene's store, with its bytes.
  static func objectFiles(_ scene: ContractTests.Scene) throws -> [(path: String, bytes: [UInt8])] {
    let objects = URL(fileURLWithPath: scene.store).appendingPathComponent("objects")
    let names = try #require(FileManager.default.enumerator(atPath: objects.path)?.allObjects as? [String])
    return names.map { objects.appendingPathComponent($0).path }
      .filter { (try? FileManager.default.attributesOfItem(atPath: $0)[.type] as? FileAttributeType) == .typeRegular }
      .sorted()
      .map { ($0, [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: $0))) ?? Data())) }
  }

  /// Pulls and checks, expecting both to fail and name the object whose file is `path`.
  static func expectNamed(
    _ scene: ContractTests.Scene, _ path: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let digest = "sha256:" + URL(fileURLWithPath: path).lastPathComponent
    let pull = scene.run("pull", "mlp", "--to", scene.path("out-\(UUID().uuidString)"), "--json")
    #expect(pull.status == 4, "\(pull.stdout) \(pull.stderr)", sourceLocation: sourceLocation)
    #expect(pull.stdout.contains("\"corrupted\""), "\(pull.stdout)", sourceLocation: sourceLocation)
    #expect(pull.stdout.contains(digest), "\(pull.stdout)", sourceLocation: sourceLocation)
    let fsck = scene.run("fsck", "--json")
    #expect(fsck.status == 1, "\(fsck.stdout) \(fsck.stderr)", sourceLocation: sourceLocation)
    #expect(fsck.stderr.contains("\(digest): corrupt"), "\(fsck.stderr)", sourceLocation: sourceLocation)
  }

  @Test("a zlib object whose header claims 2^39 bytes fails pull (4) and fsck (1) by name, allocating nothing")
  func hugeZlibClaim() throws {
    let scene = try ContractTests.Scene()
    #expect(scene.run("push", scene.base, "--name", "mlp").status == 0)
    let victim = try #require(try Self.objectFiles(scene).first { $0.bytes.count > 16 && $0.bytes[5] == 1 })
    var bytes = victim.bytes
    for index in 0..<8 { bytes[8 + index] = UInt8(truncatingIfNeeded: UInt64(1 << 39) >> (8 * UInt64(index))) }
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: victim.path)
    try Data(bytes).write(to: URL(fileURLWithPath: victim.path))
    Self.expectNamed(scene, victim.path)
  }

  @Test("a FIFO in place of an object fails pull (4) and fsck (1) by name instead of blocking forever")
  func fifo() throws {
    let scene = try ContractTests.Scene()
    #expect(scene.run("push", scene.base, "--name", "mlp").status == 0)
    let victim = try #require(try Self.objectFiles(scene).max { $0.bytes.count < $1.bytes.count })
    try FileManager.default.removeItem(atPath: victim.path)
    #expect(mkfifo(victim.path, 0o444) == 0)
    Self.expectNamed(scene, victim.path)
  }
}
