import Foundation
import GRDB
import RegistryTestSupport
import Testing

@testable import RegistryCommands

/// `fsck` on a catalog whose version rows another program damaged: the damaged version is a
/// problem in the report, named, and every other version is still checked.
@Suite("fsck with damaged version rows")
struct FsckDamagedCatalogTests {
  /// A store holding mlp:1 and mlp:2, with `sql` run on its catalog afterwards.
  static func scene(damage sql: String) throws -> ContractTests.Scene {
    let scene = try ContractTests.Scene()
    #expect(scene.run("push", scene.base, "--name", "mlp").status == 0)
    #expect(scene.run("push", scene.head, "--name", "mlp").status == 0)
    let database = try DatabaseQueue(path: scene.store + "/catalog.sqlite")
    try database.write { try $0.execute(sql: sql) }
    try database.close()
    return scene
  }

  static func expectReported(
    _ scene: ContractTests.Scene, mentioning words: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let fsck = scene.run("fsck", "--json")
    #expect(fsck.status == 1, "\(fsck.stdout) \(fsck.stderr)", sourceLocation: sourceLocation)
    #expect(fsck.stderr.contains("mlp:1: unreadable: "), "\(fsck.stderr)", sourceLocation: sourceLocation)
    let report = try JSONSerialization.jsonObject(with: Data(fsck.stdout.utf8)) as? [String: Any]
    let unreadable = report?["unreadable_versions"] as? [[String: String]]
    #expect(unreadable?.map { $0["version"] } == ["mlp:1"], "\(fsck.stdout)", sourceLocation: sourceLocation)
    #expect(unreadable?.first?["problem"]?.contains(words) == true, "\(fsck.stdout)", sourceLocation: sourceLocation)
    #expect(report?["versions_checked"] as? Int == 2, "\(fsck.stdout)", sourceLocation: sourceLocation)
    let text = scene.run("fsck")
    #expect(text.status == 1, sourceLocation: sourceLocation)
    #expect(text.stdout.contains("UNREADABLE mlp:1: "), "\(text.stdout)", sourceLocation: sourceLocation)
    #expect(text.stdout.contains("PROBLEMS FOUND"), sourceLocation: sourceLocation)
  }

  @Test("a version whose manifest column is not a digest is reported by name (exit 1), the others still checked")
  func manifestColumnNotADigest() throws {
    let scene = try Self.scene(damage: "UPDATE versions SET manifest = 'not-a-digest' WHERE number = 1")
    try Self.expectReported(scene, mentioning: "not-a-digest")
  }

  @Test("a version whose manifest column names an object that is not a manifest is reported by name (exit 1)")
  func manifestColumnNotAManifest() throws {
    let scene = try Self.scene(
      damage: """
        UPDATE versions SET manifest = (SELECT digest FROM file_objects fo JOIN versions v ON v.id = fo.version_id
          WHERE v.number = 1 ORDER BY fo.size DESC LIMIT 1) WHERE number = 1
        """)
    try Self.expectReported(scene, mentioning: "manifest does not parse")
  }
}
