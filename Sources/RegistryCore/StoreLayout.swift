import Foundation

/// Every path of a store directory, named in one place.
///
/// ```
/// <root>/
///   objects/sha256/<2 hex>/<2 hex>/<64 hex>   stored objects (ContentStore)
///   ingest/<batch>/                          files staged by a push, before they are published
///   trash/                                   objects a collector is deleting, until it decides
///   quarantine/                              damaged objects `fsck --repair` moved aside
///   catalog.sqlite                           the catalog (SQLite, WAL mode)
///   catalog.lock                             serialises creating and migrating the catalog
///   gc.lock                                  one garbage collection at a time
/// ```
///
/// The registry builds one from the store root and hands it to the object store and the
/// catalog, so no module spells these names itself or climbs out of a directory to find another.
public struct StoreLayout: Sendable, Equatable {
  /// The store directory.
  public let root: URL
  /// `objects/`: every stored object.
  public let objects: URL
  /// `objects/sha256/`: the objects named by SHA-256, fanned out two levels by their first bytes.
  public let sha256Objects: URL
  /// `ingest/`: one directory per push in progress.
  public let ingest: URL
  /// `trash/`: where a collector parks an object between its two checks.
  public let trash: URL
  /// `quarantine/`: damaged objects moved out of `objects/`.
  public let quarantine: URL
  /// `catalog.sqlite`: the catalog database.
  public let catalogDatabase: URL
  /// `catalog.lock`: held while a process opens (creates, migrates) the catalog.
  public let catalogLock: URL
  /// `gc.lock`: held by the one garbage collection running.
  public let gcLock: URL

  /// `objects/sha256/` as a path, for building object paths without going through `URL`.
  private let sha256ObjectsPath: String

  public init(root: URL) {
    self.root = root
    objects = root.appendingPathComponent("objects")
    sha256Objects = objects.appendingPathComponent("sha256")
    ingest = root.appendingPathComponent("ingest")
    trash = root.appendingPathComponent("trash")
    quarantine = root.appendingPathComponent("quarantine")
    catalogDatabase = root.appendingPathComponent("catalog.sqlite")
    catalogLock = root.appendingPathComponent("catalog.lock")
    gcLock = root.appendingPathComponent("gc.lock")
    sha256ObjectsPath = sha256Objects.path
  }

  /// The file that holds (or would hold) an object: `objects/sha256/<2 hex>/<2 hex>/<64 hex>`.
  public func objectPath(for digest: Digest) -> String {
    let hex = digest.hex
    let utf8 = Array(hex.utf8)
    let first = String(decoding: utf8[0..<2], as: UTF8.self)
    let second = String(decoding: utf8[2..<4], as: UTF8.self)
    return sha256ObjectsPath + "/" + first + "/" + second + "/" + hex
  }
}
