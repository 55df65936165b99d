import Foundation
import Registry
import RegistryCore

/// The config blob of our artifact (`MediaType.config`): the version's canonical store manifest,
/// byte for byte, and the catalog's facts. Lineage travels here as the parent's manifest digest.
public struct ArtifactConfig: Sendable, Codable, Equatable {
  public static let formatName = "registry.savedmodel.config.v1"

  public var format = Self.formatName
  public var model: String
  /// The version's number in the exporting store (informative: the importer numbers anew).
  public var version: Int
  public var createdAt: String
  public var createdBy: String
  public var message: String?
  public var metadata: [String: String]
  public var aliases: [String]
  public var parentManifest: Digest?
  public var logicalBytes: Int64
  /// The digest of `manifest`'s UTF-8 bytes: the store's manifest object id.
  public var manifestDigest: Digest
  /// The store's canonical manifest text (`registry.manifest.v1`).
  public var manifest: String
  /// Each pack layer's objects, in pack order, so an importer can skip a pack it already holds.
  public var packs: [String: [Digest]]
  /// The SavedModel's serving signatures, as `show` reports them.
  public var signatures: [VersionDetail.Signature]
}
