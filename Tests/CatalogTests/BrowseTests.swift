import Foundation
import GRDB
import RegistryCore
import Testing

@testable import Catalog

/// The reads behind `registry query` and the web catalog: bounded query pages, the object totals
/// kept by triggers, the thinned growth series, the last maintenance runs, and the indexes they
/// rely on (checked in the query plans, not by timing).
@Suite("Catalog: queries and totals for browsing")
struct BrowseTests {
  static func temporaryCatalogPath() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("browse-\(UUID()).sqlite")
  }

  /// A digest made from a number (the catalog never hashes; it only stores names).
  static func digest(_ number: Int) -> Digest {
    var bytes = [UInt8](repeating: 0, count: 32)
    withUnsafeBytes(of: UInt64(number).bigEndian) { bytes.replaceSubrange(24..<32, with: $0) }
    return Digest(bytes: bytes)
  }

  /// A version of `model` whose objects are `objects` (digest numbers, `size` each), with ops
  /// and metadata.
  static func version(
    _ model: String, manifest: Int, objects: [Int], size: Int64 = 100, ops: [String] = [],
    metadata: [String: String] = [:]
  ) -> NewVersion {
    var version = NewVersion(
      model: model, createdBy: "test@host", manifest: digest(manifest), logicalBytes: size * Int64(objects.count))
    version.objects = objects.map {
      NewVersion.Object(digest: digest($0), size: size, storedSize: size + 16, encoding: .identity)
    }
    version.files = [
      NewVersion.File(
        path: "variables/variables.data-00000-of-00001", kind: .file, mode: 0o644, size: size * Int64(objects.count),
        sha256: digest(manifest + 1_000_000),
        objects: objects.enumerated().map { (Int64($0.offset) * size, digest($0.element), size) })
    ]
    version.ops = ops
    version.metadata = metadata
    return version
  }

  static func insert(_ catalog: Catalog, _ version: NewVersion) throws -> VersionSummary {
    switch try catalog.insert(version, releasing: nil) {
    case .created(let summary), .unchanged(let summary): return summary
    }
  }

  /// The object count and byte sums computed the slow way, to hold the kept totals against.
  static func summedObjects(_ catalog: Catalog) throws -> [String?] {
    try catalog.readOnlySQL(
      "SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(stored_size), 0) FROM objects"
    ).rows[0]
  }

  static func keptTotals(_ catalog: Catalog) throws -> [String?] {
    let totals = try catalog.storeTotals()
    return [String(totals.objects), String(totals.objectBytes), String(totals.storedBytes)]
  }

  @Test("a query page holds the matches added last, newest first, and the count of all of them")
  func newestPage() throws {
    let catalog = try Catalog(path: Self.temporaryCatalogPath())
    var inserted: [VersionSummary] = []
    for index in 0..<12 {
      let model = index % 2 == 0 ? "a" : "b"
      inserted.append(
        try Self.insert(
          catalog,
          Self.version(
            model, manifest: index, objects: [index], ops: index % 3 == 0 ? ["Einsum", "MatMul"] : ["MatMul"],
            metadata: ["team": index < 6 ? "x" : "y"])))
    }
    var einsum = VersionQuery()
    einsum.ops = ["Einsum"]
    let all = try catalog.query(einsum)
    #expect(all.map(\.reference) == ["a:1", "a:4", "b:2", "b:5"])

    let page = try catalog.query(einsum, newest: 3)
    #expect(page.total == 4)
    // Indexes 9, 6, 3: the last three inserted that use Einsum, newest first.
    #expect(page.versions.map(\.id) == [inserted[9].id, inserted[6].id, inserted[3].id])
    #expect(try catalog.query(einsum, newest: 100).versions.count == 4)
    #expect(try catalog.query(einsum, newest: 0).versions.isEmpty)

    // Models narrow an OR query too: Einsum or team y, only in model a.
    var either = VersionQuery()
    either.ops = ["Einsum"]
    either.metadata = ["team=y"]
    either.matchAll = false
    let unnarrowed = try catalog.query(either, newest: 100)
    #expect(Set(unnarrowed.versions.map(\.model)) == ["a", "b"])
    let narrowed = try catalog.query(either, newest: 100, models: ["a"])
    #expect(narrowed.versions.allSatisfy { $0.model == "a" })
    #expect(narrowed.total == unnarrowed.versions.filter { $0.model == "a" }.count)
    #expect(try catalog.query(either, newest: 100, models: []).total == 0)

    // A removed version is no match, unless the query includes removed ones.
    try catalog.removeVersion(inserted[9].id, actor: "test@host")
    #expect(try catalog.query(einsum, newest: 3).total == 3)
    einsum.includeRemoved = true
    #expect(try catalog.query(einsum, newest: 1).versions.map(\.id) == [inserted[9].id])
  }

  @Test("the object totals follow every insert, repeated insert, card and collection")
  func objectTotals() throws {
    let catalog = try Catalog(path: Self.temporaryCatalogPath())
    #expect(try Self.keptTotals(catalog) == ["0", "0", "0"])
    let first = try Self.insert(catalog, Self.version("m", manifest: 1, objects: [1, 2, 3]))
    // Objects 2 and 3 again (ON CONFLICT DO NOTHING must not count them twice) and a new one.
    _ = try Self.insert(catalog, Self.version("m", manifest: 2, objects: [2, 3, 4], size: 100))
    #expect(try Self.keptTotals(catalog) == ["4", "400", "464"])
    #expect(try Self.keptTotals(catalog) == Self.summedObjects(catalog))

    try catalog.setCard(first.id, digest: Self.digest(50), size: 7, storedSize: 30, encoding: "identity", actor: "t")
    try catalog.setCard(first.id, digest: Self.digest(4), size: 100, storedSize: 116, encoding: "identity", actor: "t")
    #expect(try Self.keptTotals(catalog) == ["5", "407", "494"])
    #expect(try Self.keptTotals(catalog) == Self.summedObjects(catalog))

    try catalog.recordCollection(
      deletedObjects: [Self.digest(1).description, Self.digest(50).description, Self.digest(99).description],
      actor: "t", detail: [:])
    #expect(try Self.keptTotals(catalog) == ["3", "300", "348"])
    #expect(try Self.keptTotals(catalog) == Self.summedObjects(catalog))
  }

  @Test("migration v0005 counts the objects a catalog of an older build already holds")
  func totalsOfAnOlderCatalog() throws {
    let path = Self.temporaryCatalogPath()
    _ = try Catalog.migrate(path, upTo: "v0004_cards")
    let queue = try DatabaseQueue(path: path.path)
    try queue.write { db in
      for number in 1...3 {
        try db.execute(
          sql: """
            INSERT INTO objects (digest, size, stored_size, encoding, hash_algorithm, created_at)
            VALUES (?, ?, ?, 'zlib', 'sha256', '2026-01-01T00:00:00.000Z')
            """, arguments: [Self.digest(number).description, number * 1000, number * 10])
      }
    }
    try queue.close()
    let catalog = try Catalog(path: path)
    #expect(try Self.keptTotals(catalog) == ["3", "6000", "60"])
    _ = try Self.insert(catalog, Self.version("m", manifest: 9, objects: [3, 4]))
    #expect(try Self.keptTotals(catalog) == Self.summedObjects(catalog))
  }

  @Test("the growth series is thinned in SQL: the totals after each run of n pushes and after the last")
  func thinnedGrowth() throws {
    let catalog = try Catalog(path: Self.temporaryCatalogPath())
    let pushed = try (0..<10).map { try Self.insert(catalog, Self.version("m", manifest: $0, objects: [$0])) }
    #expect(try catalog.storeTotals(growthPoints: 200).growth.map(\.logicalBytes) == (1...10).map { Int64($0) * 100 })
    // Ten pushes for three points: after pushes 3, 6 and 9, and after the last.
    let thinned = try catalog.storeTotals(growthPoints: 3).growth
    #expect(thinned.map(\.logicalBytes) == [300, 600, 900, 1000])
    #expect(thinned.map(\.storedBytes) == [348, 696, 1044, 1160])
    #expect(thinned.map(\.at) == [2, 5, 8, 9].map { pushed[$0].createdAt }, "each run's last push")
  }

  @Test("the last fsck is the last fsck.run event, not a repair's fsck.rebuild after it")
  func lastCheck() throws {
    let catalog = try Catalog(path: Self.temporaryCatalogPath())
    let version = try Self.insert(catalog, Self.version("m", manifest: 1, objects: [1]))
    #expect(try catalog.storeTotals().lastCheck == nil)
    try catalog.recordCheck(actor: "t", detail: ["result": "clean", "objects_checked": "2"])
    try catalog.rebuildFileRows(version.id, files: [], actor: "t")
    let detail = try #require(try catalog.storeTotals().lastCheck?.detail)
    #expect(detail.contains("\"result\":\"clean\"") && detail.contains("\"objects_checked\":\"2\""))
    #expect(try catalog.events(model: nil, action: "fsck.run", before: nil, limit: 10).count == 1)
  }

  /// The plan SQLite would run `sql` with, as one string of its detail lines.
  static func plan(_ catalog: Catalog, _ sql: String) throws -> String {
    try catalog.readOnlySQL("EXPLAIN QUERY PLAN " + sql).rows.map { $0.last.flatMap { $0 } ?? "" }.joined(
      separator: "\n")
  }

  @Test("version summaries, the last gc and fsck, and op queries read through their indexes")
  func indexes() throws {
    let catalog = try Catalog(path: Self.temporaryCatalogPath())
    let aliases = try Self.plan(catalog, "SELECT name FROM aliases WHERE version_id = 1 ORDER BY name")
    #expect(aliases.contains("aliases_by_version"), "\(aliases)")
    let lastRun = try Self.plan(catalog, "SELECT at, detail FROM events WHERE action = 'gc' ORDER BY id DESC LIMIT 1")
    #expect(lastRun.contains("events_by_action") && !lastRun.contains("TEMP B-TREE"), "\(lastRun)")
    var query = VersionQuery()
    query.ops = ["Einsum"]
    let condition = Catalog.condition(query)
    let sql = "SELECT v.id FROM versions v WHERE \(condition.sql) ORDER BY v.id DESC LIMIT 200"
    let ops = try Self.plan(catalog, sql.replacingOccurrences(of: "?", with: "'Einsum'"))
    #expect(ops.contains("ops_by_op"), "\(ops)")
  }
}
