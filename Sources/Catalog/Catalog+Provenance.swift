import Dispatch
import Foundation
import GRDB
import GRDBSQLite
import RegistryCore

extension Catalog {
  // MARK: - Aliases

  /// Points `model@alias` at a version, logging the move.
  ///
  /// - Returns: the version number it pointed at before, if any.
  @discardableResult
  package func setAlias(_ alias: String, model: String, to version: VersionID, actor: String) throws(CatalogError)
    -> Int?
  {
    try write { db in
      let modelID = try Self.modelID(db, model)
      let previous = try Int.fetchOne(
        db,
        sql:
          "SELECT v.number FROM aliases a JOIN versions v ON v.id = a.version_id WHERE a.model_id = ? AND a.name = ?",
        arguments: [modelID, alias])
      let number =
        try Int.fetchOne(db, sql: "SELECT number FROM versions WHERE id = ?", arguments: [version.rawValue]) ?? 0
      try db.execute(
        sql: """
          INSERT INTO aliases (model_id, name, version_id, updated_at) VALUES (?, ?, ?, ?)
          ON CONFLICT(model_id, name) DO UPDATE SET version_id = excluded.version_id, updated_at = excluded.updated_at
          """, arguments: [modelID, alias, version.rawValue, Self.now()])
      try Self.log(
        db, actor: actor, action: "alias.set", model: model, version: number,
        detail: ["alias": alias, "from": previous.map(String.init) ?? "", "to": String(number)])
      return previous
    }
  }

  /// Removes `model@alias`, logging it.
  package func removeAlias(_ alias: String, model: String, actor: String) throws(CatalogError) {
    try write { db in
      let modelID = try Self.modelID(db, model)
      guard
        let number = try Int.fetchOne(
          db,
          sql:
            "SELECT v.number FROM aliases a JOIN versions v ON v.id = a.version_id WHERE a.model_id = ? AND a.name = ?",
          arguments: [modelID, alias])
      else { throw CatalogError(.notFound, "\(model)@\(alias) is not set") }
      try db.execute(sql: "DELETE FROM aliases WHERE model_id = ? AND name = ?", arguments: [modelID, alias])
      try Self.log(db, actor: actor, action: "alias.rm", model: model, version: number, detail: ["alias": alias])
    }
  }

  // MARK: - Metadata

  package func setMetadata(_ version: VersionID, key: String, value: String, actor: String) throws(CatalogError) {
    try write { db in
      let summary = try summary(db, version)
      try db.execute(
        sql:
          "INSERT INTO metadata (version_id, key, value) VALUES (?, ?, ?) ON CONFLICT(version_id, key) DO UPDATE SET value = excluded.value",
        arguments: [version.rawValue, key, value])
      try Self.log(
        db, actor: actor, action: "meta.set", model: summary.model, version: summary.number,
        detail: ["key": key, "value": value])
    }
  }

  package func removeMetadata(_ version: VersionID, key: String, actor: String) throws(CatalogError) {
    try write { db in
      let summary = try summary(db, version)
      try db.execute(sql: "DELETE FROM metadata WHERE version_id = ? AND key = ?", arguments: [version.rawValue, key])
      guard db.changesCount > 0 else {
        throw CatalogError(.notFound, "\(summary.reference) has no metadata key \"\(key)\"")
      }
      try Self.log(
        db, actor: actor, action: "meta.rm", model: summary.model, version: summary.number, detail: ["key": key])
    }
  }

  // MARK: - Lineage

  /// The chain of parents, nearest first (removed versions included, since lineage is history).
  package func ancestors(of version: VersionID) throws(CatalogError) -> [VersionSummary] {
    try read { db in
      let ids = try Int64.fetchAll(
        db,
        sql: """
          WITH RECURSIVE chain(id, depth) AS (
            SELECT parent_id, 1 FROM versions WHERE id = ? AND parent_id IS NOT NULL
            UNION ALL
            SELECT v.parent_id, chain.depth + 1 FROM versions v JOIN chain ON v.id = chain.id
            WHERE v.parent_id IS NOT NULL AND chain.depth < 10000)
          SELECT id FROM chain ORDER BY depth
          """, arguments: [version.rawValue])
      return try summaries(db, ids)
    }
  }

  /// Every version derived from this one, directly or not, with its depth (1 = child).
  package func descendants(of version: VersionID) throws(CatalogError) -> [(depth: Int, version: VersionSummary)] {
    try read { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          WITH RECURSIVE tree(id, depth) AS (
            SELECT id, 1 FROM versions WHERE parent_id = ?
            UNION ALL
            SELECT v.id, tree.depth + 1 FROM versions v JOIN tree ON v.parent_id = tree.id WHERE tree.depth < 10000)
          SELECT id, depth FROM tree ORDER BY depth, id
          """, arguments: [version.rawValue])
      let versions = try summaries(db, rows.map { $0["id"] })
      return zip(rows, versions).map { (depth: $0["depth"], version: $1) }
    }
  }

  /// Every version of a model, removed ones included, oldest first.
  package func history(of model: String) throws(CatalogError) -> [(version: VersionSummary, removedAt: String?)] {
    try read { db in
      let modelID = try Self.modelID(db, model)
      let rows = try Row.fetchAll(
        db, sql: "SELECT id, removed_at FROM versions WHERE model_id = ? ORDER BY number", arguments: [modelID])
      let versions = try summaries(db, rows.map { $0["id"] })
      return zip(rows, versions).map { (version: $1, removedAt: $0["removed_at"]) }
    }
  }

  // MARK: - Finding versions

  /// Versions whose manifest is this digest.
  package func versions(withManifest manifest: Digest) throws(CatalogError) -> [VersionSummary] {
    try read { db in
      try summaries(
        db,
        try Int64.fetchAll(
          db, sql: "SELECT id FROM versions WHERE manifest = ? AND removed_at IS NULL ORDER BY id",
          arguments: [manifest.description]))
    }
  }

  /// Live versions ranked by how many bytes of the given objects they reference.
  package func versionsSharing(objects digests: [String: Int64], limit: Int) throws(CatalogError) -> [(
    version: VersionSummary, sharedBytes: Int64, sharedObjects: Int
  )] {
    guard !digests.isEmpty else { return [] }
    let probe = String(
      decoding: (try? JSONSerialization.data(withJSONObject: digests)) ?? Data("{}".utf8), as: UTF8.self)
    return try read { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT version_id, SUM(size) AS shared, COUNT(*) AS objects FROM (
            SELECT DISTINCT o.version_id, p.key AS digest, p.value AS size FROM json_each(?) p
            JOIN file_objects o ON o.digest = p.key JOIN versions v ON v.id = o.version_id WHERE v.removed_at IS NULL)
          GROUP BY version_id ORDER BY shared DESC, version_id DESC LIMIT ?
          """, arguments: [probe, limit])
      let versions = try summaries(db, rows.map { $0["version_id"] })
      return zip(rows, versions).map { (version: $1, sharedBytes: $0["shared"], sharedObjects: $0["objects"]) }
    }
  }

  /// Versions matching a `VersionQuery`, by model, then number.
  package func query(_ query: VersionQuery) throws(CatalogError) -> [VersionSummary] {
    let (condition, arguments) = Self.condition(query)
    let sql = "SELECT v.id FROM versions v WHERE \(condition) ORDER BY v.model_id, v.number"
    return try read { db in
      try summaries(db, try Int64.fetchAll(db, sql: sql, arguments: arguments))
    }
  }

  /// The `limit` versions matching `query` that were added to the catalog last, newest first,
  /// and how many match in all: a bounded page (the web catalog's search) costs the same
  /// whether 10 or 10,000 versions match, since only the page becomes summaries.
  ///
  /// - Parameter models: when given, only versions of these models match, whether the query's
  ///   criteria combine with AND or OR.
  package func query(_ query: VersionQuery, newest limit: Int, models: [String]? = nil) throws(CatalogError) -> (
    versions: [VersionSummary], total: Int
  ) {
    var (condition, arguments) = Self.condition(query)
    if let models {
      condition += " AND v.model_id IN (SELECT id FROM models WHERE name IN (SELECT value FROM json_each(?)))"
      arguments += [Self.jsonArray(models)]
    }
    let count = "SELECT COUNT(*) FROM versions v WHERE \(condition)"
    let page = "SELECT v.id FROM versions v WHERE \(condition) ORDER BY v.id DESC LIMIT ?"
    var pageArguments = arguments
    pageArguments += [max(0, limit)]
    return try read { db in
      let total = try Int.fetchOne(db, sql: count, arguments: arguments) ?? 0
      return (try summaries(db, try Int64.fetchAll(db, sql: page, arguments: pageArguments)), total)
    }
  }

  /// The `WHERE` condition on `versions v` for a query, and its arguments. Each criterion is an
  /// `IN` over an indexed table (ops by op, tensors by name or digest, metadata by key and value,
  /// signature tensors by dtype), so a query reads only the rows that match.
  static func condition(_ query: VersionQuery) -> (sql: String, arguments: StatementArguments) {
    var clauses: [String] = []
    var arguments: [any DatabaseValueConvertible] = []
    func list(_ values: [String]) -> String {
      arguments.append(contentsOf: values)
      return "(" + Array(repeating: "?", count: values.count).joined(separator: ", ") + ")"
    }
    if !query.models.isEmpty {
      clauses.append("v.model_id IN (SELECT id FROM models WHERE name IN \(list(query.models)))")
    }
    if !query.tensorNames.isEmpty {
      clauses.append("v.id IN (SELECT version_id FROM tensors WHERE name IN \(list(query.tensorNames)))")
    }
    if !query.digests.isEmpty {
      let first = list(query.digests)
      let second = list(query.digests)
      clauses.append(
        "(v.id IN (SELECT version_id FROM file_objects WHERE digest IN \(first)) OR v.id IN (SELECT version_id FROM tensors WHERE digest IN \(second)))"
      )
    }
    if !query.ops.isEmpty {
      clauses.append("v.id IN (SELECT version_id FROM ops WHERE op IN \(list(query.ops)))")
    }
    if !query.inputDtypes.isEmpty {
      clauses.append(
        "v.id IN (SELECT version_id FROM signature_tensors WHERE direction = 'input' AND dtype IN \(list(query.inputDtypes)) AND signature NOT LIKE '\\_\\_%' ESCAPE '\\')"
      )
    }
    if !query.outputDtypes.isEmpty {
      clauses.append(
        "v.id IN (SELECT version_id FROM signature_tensors WHERE direction = 'output' AND dtype IN \(list(query.outputDtypes)) AND signature NOT LIKE '\\_\\_%' ESCAPE '\\')"
      )
    }
    if !query.metadata.isEmpty {
      var parts: [String] = []
      for item in query.metadata {
        if let equals = item.firstIndex(of: "=") {
          parts.append("(key = ? AND value = ?)")
          arguments.append(String(item[..<equals]))
          arguments.append(String(item[item.index(after: equals)...]))
        } else {
          parts.append("key = ?")
          arguments.append(item)
        }
      }
      clauses.append("v.id IN (SELECT version_id FROM metadata WHERE \(parts.joined(separator: " OR ")))")
    }
    let criteria = clauses.isEmpty ? "1" : clauses.joined(separator: query.matchAll ? " AND " : " OR ")
    let live = query.includeRemoved ? "1" : "v.removed_at IS NULL"
    return ("\(live) AND (\(criteria))", StatementArguments(arguments.map { $0.databaseValue }))
  }

  /// Strings as a JSON array, for `json_each` (one argument however many values).
  static func jsonArray(_ values: [String]) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: values)) ?? Data("[]".utf8)
    return String(decoding: data, as: UTF8.self)
  }

  // MARK: - Events

  /// The most recent events, newest first, optionally for one model.
  package func events(model: String? = nil, limit: Int = 100) throws(CatalogError) -> [Event] {
    try read { db in
      let rows: [Row]
      if let model {
        rows = try Row.fetchAll(
          db, sql: "SELECT * FROM events WHERE model = ? ORDER BY id DESC LIMIT ?", arguments: [model, limit])
      } else {
        rows = try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY id DESC LIMIT ?", arguments: [limit])
      }
      return rows.map {
        Event(
          id: $0["id"], at: $0["at"], actor: $0["actor"], action: $0["action"], model: $0["model"],
          version: $0["version"], detail: $0["detail"])
      }
    }
  }

  // MARK: - Read-only SQL

  /// Runs one statement that only reads, on a separate read-only connection, within
  /// `limits`: at most `sqlSeconds` (SQLite is interrupted after that), strings and blobs of at
  /// most `sqlBytes` (SQLite's length limit, so `randomblob(1e9)` fails instead of allocating),
  /// and at most `sqlRows` rows or `sqlBytes` bytes of text returned; a cut result says so.
  ///
  /// - Throws: `CatalogError.invalidArgument` with SQLite's message for bad SQL or any attempt
  ///   to write; `.deadlineExceeded` past the time limit; `.resourceExhausted` for a value past
  ///   the length limit.
  package func readOnlySQL(_ sql: String, limits: Limits = .current) throws(CatalogError) -> SQLResult {
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(Self.busyTimeout)
    let lengthLimit = Int32(clamping: max(limits.sqlBytes, 1 << 20))
    configuration.prepareDatabase { db in
      // SQLITE_LIMIT_LENGTH bounds every string and blob a statement makes.
      _ = sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_LENGTH, lengthLimit)
    }
    let location = Self.readOnlyLocation(path)
    let queue: DatabaseQueue
    do {
      queue = try DatabaseQueue(path: location, configuration: configuration)
    } catch {
      throw CatalogError.wrap(error, file: path.path)
    }
    let timer = DispatchSource.makeTimerSource(queue: .global())
    timer.schedule(deadline: .now() + limits.sqlSeconds)
    timer.setEventHandler { queue.interrupt() }
    timer.resume()
    defer { timer.cancel() }
    do {
      return try queue.read { (db: Database) throws -> SQLResult in
        let statement = try db.makeStatement(sql: sql)
        guard statement.isReadonly else {
          throw CatalogError(.invalidArgument, "only reading statements are allowed")
        }
        let columns = statement.columnNames
        var rows: [[String?]] = []
        var bytes: Int64 = 0
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() {
          guard rows.count < limits.sqlRows else {
            return SQLResult(
              columns: columns, rows: rows,
              truncated: "cut at \(limits.sqlRows) rows (REGISTRY_LIMIT_SQL_ROWS raises the limit)")
          }
          let values = (0..<columns.count).map { index in Self.text(row[index] as DatabaseValue) }
          bytes += values.reduce(0) { $0 + Int64($1?.utf8.count ?? 0) }
          guard bytes <= limits.sqlBytes else {
            return SQLResult(
              columns: columns, rows: rows,
              truncated: "cut at \(limits.sqlBytes) bytes of text (REGISTRY_LIMIT_SQL_BYTES raises the limit)")
          }
          rows.append(values)
        }
        return SQLResult(columns: columns, rows: rows)
      }
    } catch let error as CatalogError {
      throw error
    } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
      throw CatalogError(
        .deadlineExceeded,
        "the statement ran past \(limits.sqlSeconds) s and was stopped (REGISTRY_LIMIT_SQL_SECONDS raises the limit)")
    } catch let error as DatabaseError where error.resultCode == .SQLITE_TOOBIG {
      throw CatalogError(
        .resourceExhausted,
        "a value would be larger than \(lengthLimit) bytes (REGISTRY_LIMIT_SQL_BYTES raises the limit)")
    } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
      // An error in the caller's own SQL (a syntax error, an unknown table or column).
      throw CatalogError(.invalidArgument, error.message ?? "\(error)")
    } catch {
      throw CatalogError.wrap(error, file: path.path)
    }
  }

  /// A value as `sql` prints it: text as is, numbers in decimal, blobs as `x'…'`, NULL as nil.
  static func text(_ value: DatabaseValue) -> String? {
    switch value.storage {
    case .null: return nil
    case .int64(let number): return String(number)
    case .double(let number): return String(number)
    case .string(let text): return text
    case .blob(let data): return "x'" + data.map { String(format: "%02x", $0) }.joined() + "'"
    }
  }

  // MARK: - Helpers

  static func modelID(_ db: Database, _ model: String) throws -> Int64 {
    guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [model]) else {
      throw CatalogError(.notFound, "no model named \"\(model)\"")
    }
    return id
  }

  static func log(
    _ db: Database, actor: String, action: String, model: String?, version: Int?, detail: [String: String]
  ) throws {
    try db.execute(
      sql: "INSERT INTO events (at, actor, action, model, version, detail) VALUES (?, ?, ?, ?, ?, ?)",
      arguments: [now(), actor, action, model, version, json(detail)])
  }
}

extension Catalog {
  /// Live versions whose stored fingerprint has this singleprint
  /// (`graph_def_program_hash/signature_def_hash/saved_object_graph_hash/checkpoint_hash`).
  package func versions(withSingleprint singleprint: String) throws(CatalogError) -> [VersionSummary] {
    let parts = singleprint.split(separator: "/").map(String.init)
    guard parts.count == 4 else { return [] }
    return try read { db in
      let ids = try Int64.fetchAll(
        db,
        sql: """
          SELECT f.version_id FROM fingerprints f JOIN versions v ON v.id = f.version_id
          WHERE f.checkpoint_hash = ? AND f.graph_def_program_hash = ? AND f.signature_def_hash = ?
            AND f.saved_object_graph_hash = ? AND v.removed_at IS NULL ORDER BY f.version_id
          """, arguments: [parts[3], parts[0], parts[1], parts[2]])
      return try summaries(db, ids)
    }
  }
}
