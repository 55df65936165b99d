import Catalog
import ContentStore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The registry: a store directory holding the object store (`objects/`, `ingest/`) and the
/// catalog (`catalog.sqlite`). The command line and, later, the server talk only to this type.
public final class Registry: Sendable {
  public let root: URL
  public let objects: ObjectStore
  public let catalog: Catalog

  /// Opens the store at `root`, creating it on first use.
  public init(root: URL) throws(RegistryError) {
    self.root = root
    do {
      try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    } catch {
      throw RegistryError(.unavailable, "\(root.path): cannot create the store directory: \(error.localizedDescription)")
    }
    do {
      objects = try ObjectStore(storeRoot: root)
    } catch {
      throw RegistryError(error)
    }
    do {
      catalog = try Catalog(path: root.appendingPathComponent("catalog.sqlite"))
    } catch {
      throw RegistryError(error)
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
  public func manifest(of version: VersionSummary) throws(RegistryError) -> Manifest {
    guard let digest = Digest(version.manifest) else {
      throw RegistryError(.corrupted, "\(version.reference): catalog holds an invalid manifest digest \"\(version.manifest)\"")
    }
    do {
      let bytes = try objects.read(digest)
      return try Manifest(decoding: bytes, subject: "\(version.reference) manifest \(digest)")
    } catch {
      throw RegistryError(error)
    }
  }
}
