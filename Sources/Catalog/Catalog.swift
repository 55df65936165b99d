import FileSystem
import Foundation
import GRDB
import RegistryCore

/// The SQLite catalog of one store: models, versions and everything queries need about them.
///
/// One `DatabasePool` per process, in WAL mode with a busy timeout, so readers never wait for a
/// writer and concurrent writers queue instead of failing. The schema comes from the numbered
/// files in `migrations/` (embedded at build time), applied in order and recorded by GRDB.
/// This is the only module that imports GRDB.
package final class Catalog: Sendable {
  /// How long a writer waits for another process's write transaction before giving up.
  package static let busyTimeout: TimeInterval = 30

  let pool: DatabasePool
  package let path: URL

  /// Opens (creating and migrating if needed) the catalog at `path`.
  ///
  /// - Parameter readOnly: open without writing anything (for reading a store on read-only
  ///   media); the database must already exist and be migrated.
  /// - Throws: `CatalogError.unavailable` naming the file when SQLite cannot open or migrate it.
  package init(path: URL, readOnly: Bool = false) throws(CatalogError) {
    self.path = path
    var configuration = Configuration()
    configuration.busyMode = .timeout(Self.busyTimeout)
    configuration.foreignKeysEnabled = true
    configuration.readonly = readOnly
    // SQLite cannot open a WAL database read-only without creating its -shm file unless told
    // the file is immutable, which it is on read-only media.
    let location = readOnly ? Self.readOnlyLocation(path) : path.path
    do {
      pool = try DatabasePool(path: location, configuration: configuration)
      let applied: Set<String> = try pool.read { (db: Database) throws -> Set<String> in
        try Self.appliedIdentifiers(db)
      }
      // A catalog migrated by a newer build has tables this one does not know how to keep
      // consistent: reading may work, writing must not.
      let unknown = applied.subtracting(Self.migrationIdentifiers)
      if !unknown.isEmpty {
        throw CatalogError(
          .failedPrecondition,
          "\(path.path): the catalog was written by a newer registry (migration \(unknown.sorted().joined(separator: ", ")); "
            + "this build knows up to \(Self.migrationIdentifiers.last ?? "none")); upgrade registry to use this store")
      }
      if readOnly {
        guard applied == Set(Self.migrationIdentifiers) else {
          throw CatalogError(
            .failedPrecondition, "\(path.path): the catalog needs migrating, which a read-only store cannot do")
        }
      } else {
        try Self.migrator().migrate(pool)
      }
    } catch {
      throw CatalogError.wrap(error, file: path.path)
    }
  }

  /// What to open for reading the database at `path`: the path itself where SQLite can share the
  /// WAL index, else a URI that marks the database immutable.
  ///
  /// A read-only connection to a WAL database needs its `-wal` and `-shm` files, and creates them
  /// when they are missing (the last writer to close removes them). On read-only media, or for a
  /// user who may read the store but not write its directory, it cannot, and SQLite fails with
  /// "attempt to write a readonly database"; there the database is opened as immutable, which is
  /// exact while no one writes (a write during the read can make it fail as corrupted; retry).
  static func readOnlyLocation(_ path: URL) -> String {
    let directory = path.deletingLastPathComponent().path
    let canShareIndex =
      !FileSystem.isOnReadOnlyFileSystem(directory)
      && ((try? FileSystem.checkAccess(directory, .write)) != nil
        || (FileSystem.exists(path.path + "-wal") && FileSystem.exists(path.path + "-shm")))
    guard !canShareIndex else { return path.path }
    let escaped = path.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path.path
    return "file:\(escaped)?immutable=1"
  }

  /// The migrations recorded in the database, known to this build or not (GRDB's own
  /// `appliedIdentifiers` lists only the ones registered with the migrator).
  static func appliedIdentifiers(_ db: Database) throws -> Set<String> {
    guard try db.tableExists("grdb_migrations") else { return [] }
    return Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
  }

  /// The migrator with every embedded migration registered in order.
  static func migrator(upTo last: String? = nil) -> DatabaseMigrator {
    var migrator = DatabaseMigrator()
    for migration in embeddedMigrations {
      migrator.registerMigration(migration.identifier) { db in
        try db.execute(sql: migration.sql)
      }
      if migration.identifier == last { break }
    }
    return migrator
  }

  /// The identifiers of the migrations this build knows, in order.
  package static var migrationIdentifiers: [String] { embeddedMigrations.map(\.identifier) }

  /// The SQL of each embedded migration, by identifier (for the test that compares them with
  /// the files in `migrations/`).
  package static var embeddedMigrationSQL: [String: String] {
    Dictionary(uniqueKeysWithValues: embeddedMigrations.map { ($0.identifier, $0.sql) })
  }

  /// Applies migrations up to and including `identifier` to the database at `path` (tests).
  package static func migrate(_ path: URL, upTo identifier: String) throws -> [String] {
    let queue = try DatabaseQueue(path: path.path)
    try migrator(upTo: identifier).migrate(queue)
    let applied: Set<String> = try queue.read { (db: Database) throws -> Set<String> in
      try migrator().appliedIdentifiers(db)
    }
    return applied.sorted()
  }

  // MARK: - Running SQL

  func write<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
    do {
      return try pool.writeWithoutTransaction { (db: Database) throws -> T in
        var result: T? = nil
        try db.inTransaction(.immediate) { () throws -> Database.TransactionCompletion in
          result = try body(db)
          return .commit
        }
        guard let value = result else { throw CatalogError(.internal, "transaction produced no result") }
        return value
      }
    } catch {
      throw CatalogError.wrap(error, file: path.path)
    }
  }

  func read<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
    do {
      return try pool.read(body)
    } catch {
      throw CatalogError.wrap(error, file: path.path)
    }
  }

  static func now() -> String {
    Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
  }
}
