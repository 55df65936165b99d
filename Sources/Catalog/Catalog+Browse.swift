import Foundation
import GRDB
import RegistryCore

// Read-only queries for the web catalog's pages, each bounded so a page stays fast on a large
// catalog (offsets and limits come from the caller, already clamped).

extension Catalog {
  /// One page of a model's history (removed versions included), newest first, and the total.
  package func historyPage(of model: String, offset: Int, limit: Int) throws(CatalogError) -> (
    versions: [(version: VersionSummary, removedAt: String?)], total: Int
  ) {
    try read { db in
      guard let modelID = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [model]) else {
        throw CatalogError(.notFound, "no model named \"\(model)\"")
      }
      let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM versions WHERE model_id = ?", arguments: [modelID])
      let rows = try Row.fetchAll(
        db, sql: "SELECT id, removed_at FROM versions WHERE model_id = ? ORDER BY number DESC LIMIT ? OFFSET ?",
        arguments: [modelID, limit, offset])
      let summaries = try summaries(db, rows.map { $0["id"] })
      return (zip(summaries, rows).map { ($0, $1["removed_at"]) }, total ?? 0)
    }
  }

  /// The metadata of many versions at once, by version id.
  package func metadata(of ids: [VersionID]) throws(CatalogError) -> [VersionID: [String: String]] {
    guard !ids.isEmpty else { return [:] }
    let list = "[" + ids.map { String($0.rawValue) }.joined(separator: ",") + "]"
    return try read { db in
      var result: [VersionID: [String: String]] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT version_id, key, value FROM metadata WHERE version_id IN (SELECT value FROM json_each(?))",
        arguments: [list])
      {
        result[VersionID(row["version_id"]), default: [:]][row["key"]] = row["value"] as String
      }
      return result
    }
  }

  /// The names of a version's tensors whose bytes another live version also holds (same digest).
  package func sharedTensorNames(of id: VersionID) throws(CatalogError) -> Set<String> {
    try read { db in
      Set(
        try String.fetchAll(
          db,
          sql: """
            SELECT t.name FROM tensors t
            WHERE t.version_id = ?1 AND t.digest IS NOT NULL AND EXISTS (
              SELECT 1 FROM tensors o JOIN versions v ON v.id = o.version_id
              WHERE o.digest = t.digest AND o.version_id != ?1 AND v.removed_at IS NULL)
            """, arguments: [id.rawValue]))
    }
  }

  /// Events newest first, optionally only one model's or one action's, before event `before`.
  package func events(model: String?, action: String?, before: Int64?, limit: Int) throws(CatalogError) -> [Event] {
    try read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT * FROM events WHERE (?1 IS NULL OR model = ?1) AND (?2 IS NULL OR action = ?2)
            AND (?3 IS NULL OR id < ?3)
          ORDER BY id DESC LIMIT ?4
          """, arguments: [model, action, before, limit]
      ).map {
        Event(
          id: $0["id"], at: $0["at"], actor: $0["actor"], action: $0["action"], model: $0["model"],
          version: $0["version"], detail: $0["detail"])
      }
    }
  }

  /// The distinct event actions, for the events page's filter.
  package func eventActions() throws(CatalogError) -> [String] {
    try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT action FROM events ORDER BY action") }
  }

  /// Totals for the store page, from the catalog's own rows (no walk of the object files), each
  /// read without visiting every object or event: the object totals are one row kept by
  /// triggers (migration v0005), the last runs come from the `events_by_action` index, and the
  /// growth series is thinned in SQL.
  ///
  /// - Parameter growthPoints: about how many points of the growth series to return: the
  ///   totals after every `max(1, pushes / growthPoints)` pushes, and after the last.
  package func storeTotals(growthPoints: Int = 200) throws(CatalogError) -> StoreTotals {
    try read { db in
      // CAST saturates a total that overflowed into a REAL (only forged rows could make one).
      let objects = try Row.fetchOne(
        db,
        sql: """
          SELECT CAST(objects AS INTEGER) AS n, CAST(size AS INTEGER) AS size, CAST(stored_size AS INTEGER) AS stored
          FROM object_totals WHERE id = 1
          """)
      let versions = try Row.fetchOne(
        db,
        sql: """
          SELECT COUNT(*) AS n, COALESCE(SUM(logical_bytes), 0) AS logical,
                 (SELECT COUNT(*) FROM models) AS models, (SELECT COUNT(*) FROM versions WHERE removed_at IS NOT NULL) AS removed
          FROM versions WHERE removed_at IS NULL
          """)
      let lastGC = try Row.fetchOne(
        db, sql: "SELECT at, detail FROM events WHERE action = 'gc' ORDER BY id DESC LIMIT 1")
      let lastFsck = try Row.fetchOne(
        db, sql: "SELECT at, detail FROM events WHERE action = 'fsck.run' ORDER BY id DESC LIMIT 1")
      // Cumulative logical and newly stored bytes, after every push or, past `growthPoints`
      // pushes, after each run of `step` of them: SQL sums each run (a window function over
      // every push cost 25 ms for 10,000) and only the runs become Swift values.
      let pushes = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MIN(id) AS first FROM versions")
      let count: Int = pushes?["n"] ?? 0
      let step = max(1, count / max(1, growthPoints))
      var logical: Int64 = 0
      var stored: Int64 = 0
      // `created_at` beside MAX(id) is the run's last push's (SQLite's bare column of a max()).
      let growth = try Row.fetchAll(
        db,
        sql: """
          SELECT MAX(id), created_at, SUM(logical_bytes) AS logical, SUM(stored_bytes) AS stored FROM versions
          GROUP BY (id - ?) / ? ORDER BY MAX(id)
          """, arguments: [pushes?["first"] ?? 0, step]
      ).map { row in
        logical = Limits.saturatingSum([logical, row["logical"]])
        stored = Limits.saturatingSum([stored, row["stored"]])
        return StoreTotals.Point(at: row["created_at"], logicalBytes: logical, storedBytes: stored)
      }
      return StoreTotals(
        models: versions?["models"] ?? 0, liveVersions: versions?["n"] ?? 0, removedVersions: versions?["removed"] ?? 0,
        objects: objects?["n"] ?? 0, objectBytes: objects?["size"] ?? 0, storedBytes: objects?["stored"] ?? 0,
        logicalBytes: versions?["logical"] ?? 0,
        lastCollection: lastGC.map { ($0["at"], $0["detail"]) }, lastCheck: lastFsck.map { ($0["at"], $0["detail"]) },
        growth: growth)
    }
  }
}

/// What the store page shows, read from the catalog in one transaction.
package struct StoreTotals: Sendable {
  package struct Point: Sendable {
    package let at: String
    package let logicalBytes: Int64
    package let storedBytes: Int64
  }

  package let models: Int
  package let liveVersions: Int
  package let removedVersions: Int
  package let objects: Int
  /// Uncompressed bytes of the distinct objects.
  package let objectBytes: Int64
  /// Bytes on disk of the distinct objects.
  package let storedBytes: Int64
  /// Sum of the live versions' file sizes: what the store would hold without sharing.
  package let logicalBytes: Int64
  /// When and what (JSON) of the last `gc` and the last `fsck.run` event, if any.
  package let lastCollection: (at: String, detail: String)?
  package let lastCheck: (at: String, detail: String)?
  /// Cumulative bytes after every push, or after each run of n (`storeTotals(growthPoints:)`).
  package let growth: [Point]
}

extension Catalog {
  /// The card object of a version, if it has one.
  package func card(of id: VersionID) throws(CatalogError) -> (digest: Digest, size: Int64, updatedAt: String)? {
    try read { db in
      guard
        let row = try Row.fetchOne(
          db, sql: "SELECT digest, size, updated_at FROM cards WHERE version_id = ?", arguments: [id.rawValue])
      else { return nil }
      return (try row.digest("digest"), row["size"], row["updated_at"])
    }
  }

  /// Records `digest` (already durable in the store) as the version's card, logging `card.set`.
  package func setCard(
    _ id: VersionID, digest: Digest, size: Int64, storedSize: Int64, encoding: String, actor: String
  ) throws(CatalogError) {
    try write { db in
      let version = try summary(db, id)
      try Self.recordCard(
        db, version: version, object: .init(digest: digest, size: size, storedSize: storedSize, encoding: encoding),
        actor: actor)
    }
  }

  /// Writes a card's object row and the version's `cards` row, logging `card.set`, inside the
  /// caller's transaction (`setCard`, or `insert` for a version that arrives with its card).
  static func recordCard(
    _ db: Database, version: VersionSummary, object: NewVersion.Card.Object, actor: String
  ) throws {
    let now = Self.now()
    try db.execute(
      sql: """
        INSERT INTO objects (digest, size, stored_size, encoding, hash_algorithm, created_at)
        VALUES (?, ?, ?, ?, 'sha256', ?) ON CONFLICT(digest) DO NOTHING
        """, arguments: [object.digest.description, object.size, object.storedSize, object.encoding, now])
    try db.execute(
      sql: """
        INSERT INTO cards (version_id, digest, size, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(version_id) DO UPDATE SET digest = excluded.digest, size = excluded.size,
          updated_at = excluded.updated_at, updated_by = excluded.updated_by
        """, arguments: [version.id.rawValue, object.digest.description, object.size, now, actor])
    try Self.log(
      db, actor: actor, action: "card.set", model: version.model, version: version.number,
      detail: ["digest": object.digest.description, "size": String(object.size)])
  }

  /// The card objects of live versions, which gc must keep and fsck must find.
  package func liveCardDigests() throws(CatalogError) -> [(reference: String, digest: Digest)] {
    try read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT m.name || ':' || v.number AS reference, c.digest FROM cards c
          JOIN versions v ON v.id = c.version_id JOIN models m ON m.id = v.model_id WHERE v.removed_at IS NULL
          """
      ).map { ($0["reference"], try $0.digest("digest")) }
    }
  }
}
