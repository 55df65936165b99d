import Foundation
import RegistryTestSupport
import Testing

/// A store whose catalog was deleted, truncated or swapped must not be mistaken for an empty
/// store: creating a new catalog beside the objects would make every object look unused, and the
/// nightly `gc` would delete them all.
@Suite("a store without its catalog is refused, not emptied")
struct HostileStoreTests {
  static func objectCount(_ store: String) -> Int {
    let enumerator = FileManager.default.enumerator(atPath: store + "/objects/sha256")
    var count = 0
    while let path = enumerator?.nextObject() as? String {
      if path.split(separator: "/").count == 3 { count += 1 }
    }
    return count
  }

  static func makeStore() throws -> (store: String, objects: Int) {
    let store = try makeTemporaryDirectory("catalog-loss").appendingPathComponent("store").path
    let model = try Repository.Fixtures.model("finetune_base").path
    #expect(InProcess.run("--store", store, "push", model, "--name", "m").status == 0)
    let objects = objectCount(store)
    #expect(objects > 0)
    return (store, objects)
  }

  @Test("with catalog.sqlite deleted or truncated, gc, fsck and push refuse and every object stays")
  func missingOrEmptyCatalog() throws {
    for damage in ["delete", "truncate"] {
      let (store, objects) = try Self.makeStore()
      let catalog = store + "/catalog.sqlite"
      for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: catalog + suffix) }
      if damage == "delete" {
        try FileManager.default.removeItem(atPath: catalog)
      } else {
        try Data().write(to: URL(fileURLWithPath: catalog))
      }
      let model = try Repository.Fixtures.model("finetune_head").path
      for arguments in [["gc", "--grace", "0s"], ["fsck"], ["push", model, "--name", "x"]] {
        let result = InProcess.run(["--store", store] + arguments + ["--json"])
        #expect(result.status == 9, "\(damage) \(arguments): \(result.status) \(result.stderr)")
        #expect(result.stderr.contains("missing or empty"), "\(result.stderr)")
      }
      #expect(Self.objectCount(store) == objects, "\(damage)")
      #expect(((try? FileManager.default.attributesOfItem(atPath: catalog))?[.size] as? Int ?? 0) == 0)
    }
  }

  @Test("a blank catalog put in place of the store's is refused by gc and every object stays")
  func foreignCatalog() throws {
    let (store, objects) = try Self.makeStore()
    let blank = try makeTemporaryDirectory("blank-store").appendingPathComponent("store").path
    #expect(InProcess.run("--store", blank, "gc").status == 0)  // creates an empty store and catalog
    for suffix in ["", "-wal", "-shm"] {
      try? FileManager.default.removeItem(atPath: store + "/catalog.sqlite" + suffix)
    }
    try FileManager.default.copyItem(atPath: blank + "/catalog.sqlite", toPath: store + "/catalog.sqlite")
    let result = InProcess.run("--store", store, "gc", "--grace", "0s")
    #expect(result.status == 9, "\(result.stderr)")
    #expect(Self.objectCount(store) == objects)
  }
}
