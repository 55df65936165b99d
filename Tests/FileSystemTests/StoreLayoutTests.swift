import Foundation
import RegistryCore
import Testing

@Suite("StoreLayout")
struct StoreLayoutTests {
  @Test("a layout names every path of a store below its root")
  func paths() {
    let layout = StoreLayout(root: URL(fileURLWithPath: "/srv/store"))
    #expect(layout.root.path == "/srv/store")
    #expect(layout.objects.path == "/srv/store/objects")
    #expect(layout.sha256Objects.path == "/srv/store/objects/sha256")
    #expect(layout.ingest.path == "/srv/store/ingest")
    #expect(layout.trash.path == "/srv/store/trash")
    #expect(layout.quarantine.path == "/srv/store/quarantine")
    #expect(layout.catalogDatabase.path == "/srv/store/catalog.sqlite")
    #expect(layout.catalogLock.path == "/srv/store/catalog.lock")
    #expect(layout.gcLock.path == "/srv/store/gc.lock")
  }

  @Test("an object's file fans out two levels by the first bytes of its digest")
  func objectPath() throws {
    let layout = StoreLayout(root: URL(fileURLWithPath: "/srv/store"))
    let hex = "ab" + "cd" + String(repeating: "0", count: 59) + "1"
    let digest = try #require(Digest(hex: hex))
    #expect(layout.objectPath(for: digest) == "/srv/store/objects/sha256/ab/cd/\(hex)")
  }
}
