import Catalog
import ContentStore
import Foundation
import RegistryCore

/// A version as an exporter needs it: its canonical manifest, the objects it names and the
/// catalog's facts that travel with it (docs/oci.md).
public struct ExportedVersion: Sendable {
  public struct Object: Sendable, Equatable {
    public let digest: Digest
    /// Uncompressed size: the bytes an exporter writes.
    public let size: Int64
  }

  public let summary: VersionSummary
  /// The store's manifest object, byte for byte (its SHA-256 is `summary.manifest`).
  public let manifestBytes: [UInt8]
  /// Every distinct object the manifest names, by digest.
  public let objects: [Object]
  public let metadata: [String: String]
  /// The parent's manifest digest: lineage travels by content, since numbers differ between stores.
  public let parentManifest: Digest?
  public let signatures: [VersionDetail.Signature]
  /// The version's model card object (Markdown), if it has one: it travels as a layer of its own.
  public let card: Object?
}

extension Registry {
  /// Everything an export writes about a version, read from the store and the catalog.
  public func exportedVersion(_ reference: Reference) throws(RegistryError) -> ExportedVersion {
    let version = try resolve(reference)
    let bytes: [UInt8]
    let manifest: Manifest
    let detail: VersionDetail
    let card: ExportedVersion.Object?
    do {
      bytes = try objects.read(version.manifest)
      manifest = try Manifest(decoding: bytes, subject: "\(version.reference) manifest \(version.manifest)")
      detail = try catalog.detail(version.id)
      card = try catalog.card(of: version.id).map { ExportedVersion.Object(digest: $0.digest, size: $0.size) }
    } catch {
      throw RegistryError.wrap(error)
    }
    var sizes: [Digest: Int64] = [:]
    for entry in manifest.entries { for piece in entry.objects ?? [] { sizes[piece.digest] = piece.size } }
    var parentManifest: Digest?
    if let parent = version.parent, let reference = try? Reference(parsing: parent) {
      parentManifest = try? resolve(reference).manifest
    }
    return ExportedVersion(
      summary: version, manifestBytes: bytes,
      objects: sizes.sorted { $0.key < $1.key }.map { ExportedVersion.Object(digest: $0.key, size: $0.value) },
      metadata: detail.metadata, parentManifest: parentManifest, signatures: detail.signatures, card: card)
  }

  /// An object's uncompressed bytes, verified against its digest.
  public func objectBytes(_ digest: Digest) throws(RegistryError) -> [UInt8] {
    do { return try objects.read(digest) } catch { throw RegistryError(error) }
  }

  /// The live versions, in any model, whose manifest is `manifest`.
  public func versions(withManifest manifest: Digest) throws(RegistryError) -> [VersionSummary] {
    do { return try catalog.versions(withManifest: manifest) } catch { throw RegistryError(error) }
  }
}
