import Foundation
import GRDB
import RegistryCore

extension Catalog {
  // MARK: - Writing

  /// Records a pushed version and every row derived from it in one transaction, so the version
  /// becomes visible all at once, after its objects and manifest are already durable.
  ///
  /// - Parameters:
  ///   - version: the rows to insert.
  ///   - lease: the push's lease, released in the same transaction.
  /// - Returns: `.unchanged` without inserting when the model's latest live version has the
  ///   same manifest (a re-push of identical content); aliases are still applied then, a card
  ///   is not.
  package func insert(_ version: NewVersion, releasing lease: String?) throws(CatalogError) -> InsertOutcome {
    try write { db in
      let now = Self.now()
      let modelID: Int64
      if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [version.model])
      {
        modelID = existing
      } else {
        try db.execute(sql: "INSERT INTO models (name, created_at) VALUES (?, ?)", arguments: [version.model, now])
        modelID = db.lastInsertedRowID
      }
      if let lease { try db.execute(sql: "DELETE FROM leases WHERE id = ?", arguments: [lease]) }

      if let latest = try Row.fetchOne(
        db,
        sql: "SELECT id, manifest FROM versions WHERE model_id = ? AND removed_at IS NULL ORDER BY number DESC LIMIT 1",
        arguments: [modelID]),
        (latest["manifest"] as String) == version.manifest.description
      {
        let id: Int64 = latest["id"]
        try setAliases(db, version.aliases, modelID: modelID, versionID: id, now: now)
        return .unchanged(try summary(db, VersionID(id)))
      }

      let number =
        (try Int.fetchOne(db, sql: "SELECT MAX(number) FROM versions WHERE model_id = ?", arguments: [modelID]) ?? 0)
        + 1
      let newObjects = version.objects.filter { $0.storedSize > 0 }
      try db.execute(
        sql: """
          INSERT INTO versions (model_id, number, created_at, created_by, source_path, message, manifest,
            file_count, logical_bytes, new_objects, new_bytes, stored_bytes, parent_id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          modelID, number, version.createdAt ?? now, version.createdBy, version.sourcePath, version.message,
          version.manifest.description,
          version.files.filter { $0.kind == .file }.count, version.logicalBytes, newObjects.count,
          newObjects.reduce(0) { $0 + $1.size }, newObjects.reduce(0) { $0 + $1.storedSize },
          version.parent?.rawValue,
        ])
      let versionID = db.lastInsertedRowID
      try insertRows(db, version, versionID: versionID, now: now)
      try setAliases(db, version.aliases, modelID: modelID, versionID: versionID, now: now)
      try Self.log(
        db, actor: version.createdBy, action: "push", model: version.model, version: number,
        detail: [
          "manifest": version.manifest.description, "new_bytes": String(newObjects.reduce(0) { $0 + $1.size }),
          "source_path": version.sourcePath ?? "",
          "parent": try version.parent.map { try summary(db, $0).reference } ?? "",
        ])
      let created = try summary(db, VersionID(versionID))
      if let card = version.card { try Self.recordCard(db, version: created, object: card.object, actor: card.setBy) }
      return .created(created)
    }
  }

  /// One row at a time through cached statements: a Keras model has a thousand or more rows,
  /// and compiling each statement anew cost more than the inserts.
  private func insertRows(_ db: Database, _ version: NewVersion, versionID: Int64, now: String) throws {
    for object in version.objects {
      try db.cachedStatement(
        sql: """
          INSERT INTO objects (digest, size, stored_size, encoding, hash_algorithm, created_at)
          VALUES (?, ?, ?, ?, 'sha256', ?) ON CONFLICT(digest) DO NOTHING
          """
      ).execute(
        arguments: [object.digest.description, object.size, object.storedSize, object.encoding.name, now])
    }
    for file in version.files {
      try db.cachedStatement(
        sql: "INSERT INTO files (version_id, path, kind, mode, size, sha256) VALUES (?, ?, ?, ?, ?, ?)"
      ).execute(
        arguments: [versionID, file.path, file.kind.rawValue, file.mode, file.size, file.sha256?.description])
      for (seq, object) in file.objects.enumerated() {
        try db.cachedStatement(
          sql: "INSERT INTO file_objects (version_id, path, seq, offset, digest, size) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(
          arguments: [versionID, file.path, seq, object.offset, object.digest.description, object.size])
      }
    }
    for tensor in version.tensors {
      try db.cachedStatement(
        sql: """
          INSERT INTO tensors (version_id, name, dtype, shape, crc32c, shard, offset, size, digest)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """
      ).execute(
        arguments: [
          versionID, tensor.name, tensor.dtype, tensor.shapeJSON, Int64(tensor.crc32c), tensor.shard,
          tensor.offset, tensor.size, tensor.digest?.description,
        ])
    }
    for (position, metaGraph) in version.metaGraphs.enumerated() {
      try db.cachedStatement(
        sql: "INSERT INTO meta_graphs (version_id, position, tags, tensorflow_version) VALUES (?, ?, ?, ?)"
      ).execute(
        arguments: [versionID, position, metaGraph.tagsJSON, metaGraph.tensorflowVersion])
    }
    for signature in version.signatures {
      try db.cachedStatement(
        sql: "INSERT INTO signatures (version_id, meta_graph, key, method_name) VALUES (?, ?, ?, ?)"
      ).execute(
        arguments: [versionID, signature.metaGraph, signature.key, signature.methodName])
      for tensor in signature.tensors {
        try db.cachedStatement(
          sql: """
            INSERT INTO signature_tensors (version_id, meta_graph, signature, direction, name, tensor_name, dtype, shape)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).execute(
          arguments: [
            versionID, signature.metaGraph, signature.key, tensor.direction, tensor.name, tensor.tensorName,
            tensor.dtype, tensor.shapeJSON,
          ])
      }
    }
    for op in Set(version.ops) {
      try db.cachedStatement(sql: "INSERT INTO ops (version_id, op) VALUES (?, ?)").execute(arguments: [versionID, op])
    }
    if let fingerprint = version.fingerprint {
      try db.cachedStatement(
        sql: """
          INSERT INTO fingerprints (version_id, producer, saved_model_checksum, graph_def_program_hash,
            signature_def_hash, saved_object_graph_hash, checkpoint_hash, uuid, status)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """
      ).execute(
        arguments: [
          versionID, fingerprint.producer, fingerprint.savedModelChecksum, fingerprint.graphDefProgramHash,
          fingerprint.signatureDefHash, fingerprint.savedObjectGraphHash, fingerprint.checkpointHash,
          fingerprint.uuid, fingerprint.status,
        ])
    }
    for (key, value) in version.metadata {
      try db.cachedStatement(
        sql: "INSERT INTO metadata (version_id, key, value) VALUES (?, ?, ?)"
      ).execute(arguments: [versionID, key, value])
    }
  }

  private func setAliases(_ db: Database, _ aliases: [String], modelID: Int64, versionID: Int64, now: String) throws {
    for alias in aliases {
      try db.execute(
        sql: """
          INSERT INTO aliases (model_id, name, version_id, updated_at) VALUES (?, ?, ?, ?)
          ON CONFLICT(model_id, name) DO UPDATE SET version_id = excluded.version_id, updated_at = excluded.updated_at
          """,
        arguments: [modelID, alias, versionID, now])
    }
  }

  // MARK: - Leases

  /// Records a push in flight; the garbage collector keeps what unexpired leases may need.
  /// Which of `digests` have no row in `objects`: stored on disk, never recorded by a version.
  package func unrecordedObjects(_ digests: [Digest]) throws(CatalogError) -> Set<Digest> {
    guard !digests.isEmpty else { return [] }
    return try read { db in
      var recorded = Set<String>()
      // SQLite binds at most 32,766 variables; stay well under.
      for start in stride(from: 0, to: digests.count, by: 500) {
        let chunk = digests[start..<min(start + 500, digests.count)].map(\.description)
        let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
        recorded.formUnion(
          try String.fetchAll(
            db, sql: "SELECT digest FROM objects WHERE digest IN (\(marks))", arguments: StatementArguments(chunk)))
      }
      return Set(digests.filter { !recorded.contains($0.description) })
    }
  }

  package func beginLease(purpose: String, holder: String, duration: TimeInterval) throws(CatalogError) -> String {
    let id = UUID().uuidString.lowercased()
    let expires = Date().addingTimeInterval(duration).formatted(
      Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    try write { db in
      try db.execute(
        sql: "INSERT INTO leases (id, purpose, holder, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        arguments: [id, purpose, holder, Self.now(), expires])
    }
    return id
  }

  /// Releases a lease (a push that failed or finished without inserting).
  package func endLease(_ id: String) {
    _ = try? write { db in try db.execute(sql: "DELETE FROM leases WHERE id = ?", arguments: [id]) }
  }

  // MARK: - Reading

  /// Resolves `NAME`, `NAME:N` or `NAME@ALIAS` to a live version.
  ///
  /// - Throws: `CatalogError.notFound` saying which part did not match.
  package func resolve(model: String, _ selector: VersionSelector) throws(CatalogError) -> VersionSummary {
    try read { db in
      guard let modelID = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [model]) else {
        throw CatalogError(.notFound, "no model named \"\(model)\"")
      }
      let id: Int64?
      switch selector {
      case .latest:
        id = try Int64.fetchOne(
          db, sql: "SELECT id FROM versions WHERE model_id = ? AND removed_at IS NULL ORDER BY number DESC LIMIT 1",
          arguments: [modelID])
        guard id != nil else { throw CatalogError(.notFound, "model \"\(model)\" has no versions") }
      case .number(let number):
        id = try Int64.fetchOne(
          db, sql: "SELECT id FROM versions WHERE model_id = ? AND number = ? AND removed_at IS NULL",
          arguments: [modelID, number])
        guard id != nil else { throw CatalogError(.notFound, "\(model):\(number) does not exist") }
      case .alias(let alias):
        id = try Int64.fetchOne(
          db, sql: "SELECT version_id FROM aliases WHERE model_id = ? AND name = ?", arguments: [modelID, alias])
        guard id != nil else { throw CatalogError(.notFound, "\(model)@\(alias) is not set") }
      }
      return try summary(db, VersionID(id ?? 0))
    }
  }

  /// Every model with its version count and aliases, by name.
  package func models() throws(CatalogError) -> [ModelSummary] {
    try read { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT m.id, m.name, m.created_at, COUNT(v.id) AS count, MAX(v.number) AS latest,
                 MAX(v.created_at) AS latest_at, COALESCE(SUM(v.logical_bytes), 0) AS bytes
          FROM models m LEFT JOIN versions v ON v.model_id = m.id AND v.removed_at IS NULL
          GROUP BY m.id ORDER BY m.name
          """)
      return try rows.map { row in
        let aliasRows = try Row.fetchAll(
          db,
          sql: "SELECT a.name, v.number FROM aliases a JOIN versions v ON v.id = a.version_id WHERE a.model_id = ?",
          arguments: [row["id"] as Int64])
        return ModelSummary(
          name: row["name"], createdAt: row["created_at"], versionCount: row["count"], latestVersion: row["latest"],
          latestAt: row["latest_at"], logicalBytes: row["bytes"],
          aliases: Dictionary(uniqueKeysWithValues: aliasRows.map { ($0["name"] as String, $0["number"] as Int) }))
      }
    }
  }

  /// The live versions of a model, oldest first.
  package func versions(of model: String) throws(CatalogError) -> [VersionSummary] {
    try read { db in
      guard let modelID = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [model]) else {
        throw CatalogError(.notFound, "no model named \"\(model)\"")
      }
      let ids = try Int64.fetchAll(
        db, sql: "SELECT id FROM versions WHERE model_id = ? AND removed_at IS NULL ORDER BY number",
        arguments: [modelID])
      return try summaries(db, ids)
    }
  }

  /// Summaries of many versions in one statement, in the order of `ids`.
  ///
  /// Columns are read by position from a cursor: looking one up by name lower-cases and compares
  /// the row's column names, which for a query answering thousands of versions cost several
  /// times the SQL itself.
  func summaries(_ db: Database, _ ids: [Int64]) throws -> [VersionSummary] {
    guard !ids.isEmpty else { return [] }
    let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
    let rows = try Row.fetchCursor(
      db,
      sql: """
        SELECT \(Self.summaryColumns),
               (SELECT group_concat(name, char(31)) FROM (SELECT name FROM aliases a WHERE a.version_id = v.id ORDER BY name))
        FROM json_each(?) w JOIN versions v ON v.id = w.value JOIN models m ON m.id = v.model_id
        LEFT JOIN versions p ON p.id = v.parent_id LEFT JOIN models pm ON pm.id = p.model_id
        ORDER BY w.key
        """, arguments: [list])
    var summaries: [VersionSummary] = []
    summaries.reserveCapacity(ids.count)
    while let row = try rows.next() {
      let aliasNames: String? = row[Self.summaryColumnCount]
      summaries.append(
        try Self.summary(row, aliases: aliasNames.map { $0.split(separator: "\u{1F}").map(String.init) } ?? []))
    }
    return summaries
  }

  func summary(_ db: Database, _ id: VersionID) throws -> VersionSummary {
    guard
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT \(Self.summaryColumns)
          FROM versions v JOIN models m ON m.id = v.model_id
          LEFT JOIN versions p ON p.id = v.parent_id LEFT JOIN models pm ON pm.id = p.model_id
          WHERE v.id = ?
          """, arguments: [id.rawValue])
    else { throw CatalogError(.notFound, "version \(id.rawValue) does not exist") }
    let aliases = try String.fetchAll(
      db, sql: "SELECT name FROM aliases WHERE version_id = ? ORDER BY name", arguments: [id.rawValue])
    return try Self.summary(row, aliases: aliases)
  }

  /// What a summary reads of `versions v`, its model `m`, and its parent `p` and the parent's
  /// model `pm`, in the order `summary(_:aliases:)` reads them.
  static let summaryColumns = """
    v.id, m.name, v.number, v.created_at, v.created_by, v.source_path, v.message, v.manifest, v.file_count,
    v.logical_bytes, v.new_objects, v.new_bytes, v.stored_bytes, pm.name, p.number
    """
  static let summaryColumnCount = 15

  /// A summary from a row that starts with `summaryColumns`.
  static func summary(_ row: Row, aliases: [String]) throws -> VersionSummary {
    let parentModel: String? = row[13]
    let parentNumber: Int? = row[14]
    return VersionSummary(
      id: VersionID(row[0]), model: row[1], number: row[2], createdAt: row[3], createdBy: row[4],
      sourcePath: row[5], message: row[6], manifest: try row.digest(at: 7, column: "manifest"), fileCount: row[8],
      logicalBytes: row[9], newObjects: row[10], newBytes: row[11], storedBytes: row[12],
      parent: parentModel.flatMap { model in parentNumber.map { "\(model):\($0)" } }, aliases: aliases)
  }

  static func json(_ object: [String: String]) -> String {
    let data =
      (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
      ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}
