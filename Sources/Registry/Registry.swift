import Catalog
import ContentStore
import FileSystem
import Foundation
// What the façade's signatures use (errors, their categories, digests) comes with `import Registry`.
@_exported import RegistryCore
import RegistryCore

/// The registry: a store directory holding the object store (`objects/`, `ingest/`) and the
/// catalog (`catalog.sqlite`). The command line and, later, the server talk only to this type.
public final class Registry: Sendable {
  public let root: URL
  package let objects: ObjectStore
  package let catalog: Catalog

  /// How a command uses the store.
  public enum Access: Sendable {
    /// Creates the store on first use; needs write access.
    case readWrite
    /// Writes nothing to the store (pull, list, show); works on read-only media.
    case readOnly
  }

  /// Opens the store at `root`.
  ///
  /// - Throws: `RegistryError` saying plainly when the store is on a read-only file system or
  ///   not writable, rather than SQLite's "unable to open database file".
  public init(root: URL, access: Access = .readWrite) throws(RegistryError) {
    self.root = root
    let layout = StoreLayout(root: root)
    let readOnly = access == .readOnly
    if readOnly {
      guard FileManager.default.fileExists(atPath: layout.catalogDatabase.path) else {
        throw RegistryError(.notFound, "\(root.path): no store here (no \(layout.catalogDatabase.lastPathComponent))")
      }
    } else {
      do {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
      } catch {
        throw RegistryError(
          .unavailable, "\(root.path): cannot create the store directory: \(error.localizedDescription)")
      }
      try Self.checkWritable(root)
    }
    do {
      objects = try ObjectStore(layout: layout, readOnly: readOnly)
    } catch {
      throw RegistryError(error)
    }
    // Processes opening a new store at once would race to create and migrate the catalog
    // (switching to WAL mode needs the database to themselves), so opening is serialised.
    let lock = readOnly ? nil : try? FileLock(layout.catalogLock.path)
    defer { lock?.unlock() }
    if !readOnly { try Self.refuseNewCatalogBesideObjects(layout, objects) }
    do {
      catalog = try Catalog(path: layout.catalogDatabase, readOnly: readOnly)
    } catch {
      throw RegistryError(error)
    }
  }

  /// A write command creates the catalog when there is none, which is right for a new store and
  /// disastrous for one whose `catalog.sqlite` was deleted or truncated: every object would look
  /// unreferenced and the next `gc` would delete them all. So a missing or empty catalog beside
  /// stored objects is refused.
  private static func refuseNewCatalogBesideObjects(_ layout: StoreLayout, _ objects: ObjectStore) throws(RegistryError)
  {
    let size = (try? FileSystem.status(layout.catalogDatabase.path))?.size ?? 0
    guard size == 0, objects.containsAnyObject() else { return }
    throw RegistryError(
      .failedPrecondition,
      "\(layout.root.path): the store holds objects but its catalog (\(layout.catalogDatabase.lastPathComponent)) is "
        + "missing or empty; refusing to create a new one, which would make every stored object look unused. "
        + "Restore \(layout.catalogDatabase.lastPathComponent) from a backup (docs/store.md)",
      file: layout.catalogDatabase.path)
  }

  private static func checkWritable(_ root: URL) throws(RegistryError) {
    if FileSystem.isOnReadOnlyFileSystem(root.path) {
      throw RegistryError(
        .unavailable, "\(root.path): the store is on a read-only file system; this command needs to write to it")
    }
    do {
      try FileSystem.checkAccess(root.path, .write)
    } catch {
      throw RegistryError(error.relabelled("the store is not writable"))
    }
  }

  /// The store used when none is given: `$REGISTRY_STORE`, else `$XDG_DATA_HOME/registry`, else
  /// `~/.local/share/registry`.
  public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
    if let path = environment["REGISTRY_STORE"], !path.isEmpty { return URL(fileURLWithPath: path) }
    if let data = environment["XDG_DATA_HOME"], !data.isEmpty {
      return URL(fileURLWithPath: data).appendingPathComponent("registry")
    }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return URL(fileURLWithPath: home).appendingPathComponent(".local/share/registry")
  }

  /// `user@host`, recorded as who pushed a version.
  public static var actor: String {
    let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
    return "\(user.isEmpty ? "unknown" : user)@\(ProcessInfo.processInfo.hostName)"
  }

  /// Resolves a reference to a live version.
  public func resolve(_ reference: Reference) throws(RegistryError) -> VersionSummary {
    do {
      return try catalog.resolve(model: reference.model, reference.selector)
    } catch {
      throw RegistryError(error)
    }
  }

  /// Reads and validates a version's manifest from the store.
  package func manifest(of version: VersionSummary) throws(RegistryError) -> Manifest {
    let digest = version.manifest
    do {
      let bytes = try objects.read(digest)
      return try Manifest(decoding: bytes, subject: "\(version.reference) manifest \(digest)")
    } catch {
      throw RegistryError(error)
    }
  }
}
