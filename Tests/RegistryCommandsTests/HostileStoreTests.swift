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
    // A write command on a new store creates its catalog; this one then fails and logs nothing.
    #expect(InProcess.run("--store", blank, "rm", "nothing:1").status == 3)
    for suffix in ["", "-wal", "-shm"] {
      try? FileManager.default.removeItem(atPath: store + "/catalog.sqlite" + suffix)
    }
    try FileManager.default.copyItem(atPath: blank + "/catalog.sqlite", toPath: store + "/catalog.sqlite")
    let result = InProcess.run("--store", store, "gc", "--grace", "0s")
    #expect(result.status == 9, "\(result.stderr)")
    #expect(Self.objectCount(store) == objects)
  }
}

/// `sql` runs the caller's SQL: it must stop on time, refuse huge values and say when it cut a
/// result, instead of running forever, aborting, or cutting silently.
@Suite("sql within its limits")
struct SQLLimitTests {
  static func run(_ environment: [String: String], _ arguments: String...) throws -> CommandLineTests.Result {
    try CommandLineTests.start(arguments, environment: environment).finish()
  }

  @Test("a recursive query that never ends stops at the time limit (exit 11)")
  func timeLimit() throws {
    let (store, _) = try HostileStoreTests.makeStore()
    let forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    let result = try Self.run(["REGISTRY_LIMIT_SQL_SECONDS": "1"], "--store", store, "sql", forever, "--json")
    #expect(result.status == 11, "\(result.stderr)")
    #expect(result.stdout.contains("deadline_exceeded"))
  }

  @Test("randomblob(1e9) is refused by the length limit (exit 10), not allocated")
  func lengthLimit() throws {
    let (store, _) = try HostileStoreTests.makeStore()
    let result = try Self.run([:], "--store", store, "sql", "SELECT length(randomblob(1000000000))", "--json")
    #expect(result.status == 10, "\(result.stderr)")
    #expect(result.stdout.contains("resource_exhausted"))
  }

  @Test("a result past the row limit is cut and says so")
  func rowLimit() throws {
    let (store, _) = try HostileStoreTests.makeStore()
    let many = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 50) SELECT x FROM c"
    let cut = try Self.run(["REGISTRY_LIMIT_SQL_ROWS": "20"], "--store", store, "sql", many, "--json")
    #expect(cut.status == 0, "\(cut.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(cut.stdout.utf8)) as? [String: Any]
    #expect((object?["rows"] as? [[Any]])?.count == 20)
    #expect((object?["truncated"] as? String)?.contains("20 rows") == true)
    let text = try Self.run(["REGISTRY_LIMIT_SQL_ROWS": "20"], "--store", store, "sql", many)
    #expect(text.stderr.contains("cut at 20 rows"))
    let whole = try Self.run([:], "--store", store, "sql", many, "--json")
    let complete = try JSONSerialization.jsonObject(with: Data(whole.stdout.utf8)) as? [String: Any]
    #expect((complete?["rows"] as? [[Any]])?.count == 50 && complete?["truncated"] == nil)
  }
}

/// A catalog migrated by a newer build may hold tables this build does not keep consistent.
@Suite("a catalog from a newer registry")
struct NewerCatalogTests {
  @Test("push and gc refuse a catalog with a migration this build does not know; reads say why")
  func newerMigration() throws {
    let (store, objects) = try HostileStoreTests.makeStore()
    let sqlite = Process()
    sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    sqlite.arguments = [store + "/catalog.sqlite", "INSERT INTO grdb_migrations (identifier) VALUES ('v9999_future')"]
    try sqlite.run()
    sqlite.waitUntilExit()
    #expect(sqlite.terminationStatus == 0)
    let model = try Repository.Fixtures.model("finetune_head").path
    for arguments in [["push", model, "--name", "m"], ["gc", "--grace", "0s"], ["list"]] {
      let result = InProcess.run(["--store", store] + arguments)
      #expect(result.status == 9, "\(arguments): \(result.status) \(result.stderr)")
      #expect(result.stderr.contains("newer registry") && result.stderr.contains("v9999_future"), "\(result.stderr)")
    }
    #expect(HostileStoreTests.objectCount(store) == objects)
    let versions = InProcess.run("--store", store, "sql", "SELECT count(*) FROM versions")
    #expect(versions.status == 9)
  }
}
