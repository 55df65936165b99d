import GRDB
import RegistryCore

extension Catalog {
  /// A short text that changes whenever a version is added or removed or an alias is set, moved
  /// or removed, read in one cheap statement so a server can poll it every second or two.
  ///
  /// Every such change writes an event in the same transaction, so the newest event's id alone
  /// would do; the live version count, newest version id and an alias checksum are added so a
  /// change made without an event (by hand in the `sqlite3` shell) is noticed too. (SQLite's
  /// `PRAGMA data_version` is per connection, and the pool hands out different ones.)
  package func changeToken() throws(CatalogError) -> String {
    try read { db in
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT (SELECT COALESCE(MAX(id), 0) FROM events) AS event,
                 (SELECT COUNT(*) FROM versions WHERE removed_at IS NULL) AS live,
                 (SELECT COALESCE(MAX(id), 0) FROM versions) AS newest,
                 (SELECT COUNT(*) FROM aliases) AS aliases,
                 (SELECT COALESCE(SUM(version_id * 31 + length(name) + model_id * 7), 0) FROM aliases) AS targets,
                 (SELECT COALESCE(MAX(updated_at), '') FROM aliases) AS moved
          """)
      guard let row else { return "" }
      let event: Int64 = row["event"]
      let live: Int64 = row["live"]
      let newest: Int64 = row["newest"]
      let aliases: Int64 = row["aliases"]
      let targets: Int64 = row["targets"]
      let moved: String = row["moved"]
      return "\(event)/\(live)/\(newest)/\(aliases)/\(targets)/\(moved)"
    }
  }
}
