import Catalog
import ContentStore
import Foundation

/// What a pull did.
public struct PullResult: Sendable, Codable {
  public let reference: String
  public let target: String
  public let files: Int
  public let bytes: Int64
}

extension Registry {
  /// Writes a version out as a SavedModel directory at `target`, byte for byte, verified, and
  /// atomically (see `Materializer`).
  ///
  /// - Parameter replacing: replace an existing `target` (`--force`).
  public func pull(_ reference: Reference, to target: URL, replacing: Bool) throws(RegistryError) -> PullResult {
    let version = try resolve(reference)
    let manifest = try manifest(of: version)
    do {
      let result = try Materializer(store: objects).materialize(manifest, to: target, replacing: replacing)
      return PullResult(
        reference: version.reference, target: target.standardizedFileURL.path, files: result.files, bytes: result.bytes)
    } catch {
      throw RegistryError(error)
    }
  }

  /// Every model, by name.
  public func models() throws(RegistryError) -> [ModelSummary] {
    do { return try catalog.models() } catch { throw RegistryError(error) }
  }

  /// The live versions of a model, oldest first.
  public func versions(of model: String) throws(RegistryError) -> [VersionSummary] {
    do { return try catalog.versions(of: model) } catch { throw RegistryError(error) }
  }

  /// Everything `show` reports about a version.
  public func detail(_ reference: Reference) throws(RegistryError) -> VersionDetail {
    let version = try resolve(reference)
    do { return try catalog.detail(version.id) } catch { throw RegistryError(error) }
  }
}
