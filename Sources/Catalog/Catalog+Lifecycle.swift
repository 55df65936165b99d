import Foundation
import GRDB
import RegistryCore

/// A push in flight, as the garbage collector sees it.
package struct Lease: Sendable, Codable, Equatable {
  package let id: String
  package let purpose: String
  package let holder: String
  package let createdAt: Date
  package let expiresAt: Date
}

/// What the collector's mark phase found, read in one transaction.
package struct MarkResult: Sendable {
  /// Digests of every object a live version references (file pieces and manifests).
  package let referenced: Set<Digest>
  package let leases: [Lease]
}

extension Catalog {
  // MARK: - Removal

  /// Marks a version removed: it disappears from `list` and cannot be pulled; its objects become
  /// collectable once no other live version references them.
  ///
  /// - Throws: `CatalogError.failedPrecondition` naming the aliases that still point at it.
  package func removeVersion(_ id: VersionID, actor: String, reason: String = "rm") throws(CatalogError) {
    try write { db in
      let version = try summary(db, id)
      let aliases = try String.fetchAll(
        db, sql: "SELECT name FROM aliases WHERE version_id = ? ORDER BY name", arguments: [id.rawValue])
      guard aliases.isEmpty else {
        throw CatalogError(
          .failedPrecondition,
          "\(version.reference) is the target of \(aliases.map { "\(version.model)@\($0)" }.joined(separator: ", ")); move or remove those aliases first"
        )
      }
      try db.execute(
        sql: "UPDATE versions SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
        arguments: [Self.now(), id.rawValue])
      try Self.log(db, actor: actor, action: reason, model: version.model, version: version.number, detail: [:])
    }
  }

  /// Live versions that a retention policy would remove: those that are neither among the
  /// `keepLast` newest of their model, nor younger than `keepNewerThan`, nor an alias target.
  /// A policy with neither limit removes nothing.
  package func retentionCandidates(keepLast: Int?, keepNewerThan: Date?) throws(CatalogError) -> [VersionSummary] {
    guard keepLast != nil || keepNewerThan != nil else { return [] }
    let cutoff = keepNewerThan.map(Self.format)
    return try read { db in
      let ids = try Int64.fetchAll(
        db,
        sql: """
          SELECT id FROM (
            SELECT v.id, v.created_at,
                   ROW_NUMBER() OVER (PARTITION BY v.model_id ORDER BY v.number DESC) AS rank
            FROM versions v WHERE v.removed_at IS NULL) ranked
          WHERE (? IS NULL OR rank > ?)
            AND (? IS NULL OR created_at < ?)
            AND id NOT IN (SELECT version_id FROM aliases)
          ORDER BY id
          """, arguments: [keepLast, keepLast, cutoff, cutoff])
      return try summaries(db, ids)
    }
  }

  // MARK: - Marking

  /// Everything live versions reference, and the leases, in one read transaction.
  ///
  /// - Parameter excluding: versions to treat as removed (a dry run's retention candidates).
  package func mark(excluding: Set<VersionID> = []) throws(CatalogError) -> MarkResult {
    let excluded = "[" + excluding.map { String($0.rawValue) }.joined(separator: ",") + "]"
    return try read { db in
      let live = "SELECT id FROM versions WHERE removed_at IS NULL AND id NOT IN (SELECT value FROM json_each(?))"
      // A value that is not a digest stops the mark: a collector that skipped it would delete the
      // object it was meant to name.
      var referenced = Set<Digest>()
      for row in try Row.fetchAll(
        db, sql: "SELECT DISTINCT digest FROM file_objects WHERE version_id IN (\(live))", arguments: [excluded])
      {
        referenced.insert(try row.digest("digest"))
      }
      for row in try Row.fetchAll(db, sql: "SELECT manifest FROM versions WHERE id IN (\(live))", arguments: [excluded])
      {
        referenced.insert(try row.digest("manifest"))
      }
      // Model cards are objects too (v0004).
      for row in try Row.fetchAll(
        db, sql: "SELECT digest FROM cards WHERE version_id IN (\(live))", arguments: [excluded])
      {
        referenced.insert(try row.digest("digest"))
      }
      let leases = try Row.fetchAll(db, sql: "SELECT * FROM leases").map { row in
        Lease(
          id: row["id"], purpose: row["purpose"], holder: row["holder"],
          createdAt: Self.parse(row["created_at"]) ?? .distantPast,
          expiresAt: Self.parse(row["expires_at"]) ?? .distantPast)
      }
      return MarkResult(referenced: referenced, leases: leases)
    }
  }

  /// Removes leases (expired, or held by processes that are gone).
  package func deleteLeases(_ ids: [String]) throws(CatalogError) {
    guard !ids.isEmpty else { return }
    try write { db in
      for id in ids { try db.execute(sql: "DELETE FROM leases WHERE id = ?", arguments: [id]) }
    }
  }

  /// Marks versions removed by a retention policy, logging each; versions that became alias
  /// targets since they were chosen are kept.
  ///
  /// - Returns: the versions actually removed.
  package func retire(_ versions: [VersionID], actor: String) throws(CatalogError) -> [VersionID] {
    try write { db in
      let now = Self.now()
      var retired: [VersionID] = []
      for id in versions {
        let version = try summary(db, id)
        let aliased =
          try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM aliases WHERE version_id = ?)", arguments: [id.rawValue]) ?? false
        if aliased { continue }
        try db.execute(
          sql: "UPDATE versions SET removed_at = ? WHERE id = ? AND removed_at IS NULL", arguments: [now, id.rawValue])
        guard db.changesCount > 0 else { continue }
        try Self.log(
          db, actor: actor, action: "gc.remove", model: version.model, version: version.number,
          detail: ["reason": "retention policy"])
        retired.append(id)
      }
      return retired
    }
  }

  /// Forgets deleted objects and logs the collection.
  package func recordCollection(deletedObjects: [String], actor: String, detail: [String: String]) throws(CatalogError)
  {
    try write { db in
      for digest in deletedObjects {
        try db.execute(sql: "DELETE FROM objects WHERE digest = ?", arguments: [digest])
      }
      try Self.log(db, actor: actor, action: "gc", model: nil, version: nil, detail: detail)
    }
  }

  /// Logs one `fsck` run (`fsck.run`) with what it checked and found, as `recordCollection`
  /// logs a `gc`: the store page shows the last of each.
  package func recordCheck(actor: String, detail: [String: String]) throws(CatalogError) {
    try write { db in try Self.log(db, actor: actor, action: "fsck.run", model: nil, version: nil, detail: detail) }
  }

  /// Logs one version sent elsewhere (`export`): where, under which tag, as which artifact. Later
  /// exports to the same registry read these to mount blobs instead of sending them again.
  package func recordExport(
    actor: String, model: String, version: Int, detail: [String: String]
  ) throws(CatalogError) {
    try write { db in try Self.log(db, actor: actor, action: "export", model: model, version: version, detail: detail) }
  }

  // MARK: - Settings

  package func settings(prefix: String) throws(CatalogError) -> [String: String] {
    try read { db in
      let rows = try Row.fetchAll(
        db, sql: "SELECT key, value FROM settings WHERE key LIKE ? || '%'", arguments: [prefix])
      return Dictionary(uniqueKeysWithValues: rows.map { ($0["key"] as String, $0["value"] as String) })
    }
  }

  /// Replaces every setting under `prefix` with `values`.
  package func replaceSettings(prefix: String, with values: [String: String], actor: String) throws(CatalogError) {
    try write { db in
      try db.execute(sql: "DELETE FROM settings WHERE key LIKE ? || '%'", arguments: [prefix])
      for (key, value) in values {
        try db.execute(sql: "INSERT INTO settings (key, value) VALUES (?, ?)", arguments: [key, value])
      }
      try Self.log(db, actor: actor, action: "settings", model: nil, version: nil, detail: values)
    }
  }

  // MARK: - fsck support

  /// The catalog's file-object rows of a version, by path, in order.
  package func fileObjects(of id: VersionID) throws(CatalogError) -> [String: [(digest: Digest, size: Int64)]] {
    try read { db in
      var result: [String: [(digest: Digest, size: Int64)]] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT path, digest, size FROM file_objects WHERE version_id = ? ORDER BY path, seq",
        arguments: [id.rawValue])
      {
        result[row["path"], default: []].append((try row.digest("digest"), row["size"]))
      }
      return result
    }
  }

  /// Replaces a version's `files` and `file_objects` rows with what its manifest says.
  package func rebuildFileRows(_ id: VersionID, files: [NewVersion.File], actor: String) throws(CatalogError) {
    try write { db in
      let version = try summary(db, id)
      try db.execute(sql: "DELETE FROM file_objects WHERE version_id = ?", arguments: [id.rawValue])
      try db.execute(sql: "DELETE FROM files WHERE version_id = ?", arguments: [id.rawValue])
      for file in files {
        try db.execute(
          sql: "INSERT INTO files (version_id, path, kind, mode, size, sha256) VALUES (?, ?, ?, ?, ?, ?)",
          arguments: [id.rawValue, file.path, file.kind.rawValue, file.mode, file.size, file.sha256?.description])
        for (seq, object) in file.objects.enumerated() {
          try db.execute(
            sql: "INSERT INTO file_objects (version_id, path, seq, offset, digest, size) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [id.rawValue, file.path, seq, object.offset, object.digest.description, object.size])
        }
      }
      try Self.log(db, actor: actor, action: "fsck.rebuild", model: version.model, version: version.number, detail: [:])
    }
  }

  /// Every live version, oldest first.
  /// Whether the catalog has recorded anything at all: a version (rows are never deleted, only
  /// marked removed), a lease of a push (live, dead or finished) or an event (every push, alias
  /// move and collection logs one). A blank database put in place of a store's catalog has none.
  package func hasHistory() throws(CatalogError) -> Bool {
    try read { db in
      try Bool.fetchOne(
        db,
        sql: """
          SELECT EXISTS (SELECT 1 FROM versions) OR EXISTS (SELECT 1 FROM leases) OR EXISTS (SELECT 1 FROM events)
          """) ?? false
    }
  }

  package func liveVersions() throws(CatalogError) -> [VersionSummary] {
    try read { db in
      try summaries(db, try Int64.fetchAll(db, sql: "SELECT id FROM versions WHERE removed_at IS NULL ORDER BY id"))
    }
  }

  /// Every live version, oldest first, each row read on its own: a row that does not read (a
  /// `manifest` column that is not a digest) comes back as its reference and the error, so
  /// `fsck` reports it by name and checks the rest instead of stopping at the first bad row.
  package func liveVersionsEach() throws(CatalogError) -> [(
    reference: String, summary: Result<VersionSummary, CatalogError>
  )] {
    let file = path.path
    return try read { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT v.id, m.name AS model, v.number FROM versions v JOIN models m ON m.id = v.model_id
          WHERE v.removed_at IS NULL ORDER BY v.id
          """)
      return rows.map { row in
        let model: String = row["model"]
        let number: Int64 = row["number"]
        let id = VersionID(row["id"])
        let summary = Result { () throws(CatalogError) -> VersionSummary in
          do { return try self.summary(db, id) } catch { throw CatalogError.wrap(error, file: file) }
        }
        return ("\(model):\(number)", summary)
      }
    }
  }

  package static func format(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
  }

  static func parse(_ text: String) -> Date? {
    try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
  }
}
