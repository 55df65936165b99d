import Catalog
import ContentStore
import Foundation
import RegistryCore
import SavedModelFormat

/// Which stored versions a directory is, or is closest to (`registry identify DIR`).
public struct Identification: Sendable, Codable {
  public struct Candidate: Sendable, Codable, Equatable {
    public let reference: String
    /// Bytes of the directory's distinct objects that the version also holds.
    public let sharedBytes: Int64
    /// `sharedBytes` over the directory's distinct object bytes.
    public let sharedFraction: Double
  }

  public let path: String
  /// The manifest digest the directory would be stored under.
  public let manifest: String
  public let logicalBytes: Int64
  /// Versions whose every file, mode and empty directory is identical.
  public let identical: [String]
  /// Versions whose `fingerprint.pb` singleprint equals the directory's (TensorFlow considers
  /// them the same model, even if some bytes, such as the fingerprint's uuid, differ).
  public let sameFingerprint: [String]
  /// The versions sharing the most bytes with it, best first.
  public let closest: [Candidate]
}

extension Registry {
  /// Hashes a directory the way `push` would, without storing anything, and looks it up.
  public func identify(_ directoryURL: URL, candidates: Int = 5) throws(RegistryError) -> Identification {
    do {
      let directory = try SavedModelDirectory(url: directoryURL)
      let bundle = try directory.bundle()
      let ingested = try ingest(DirectoryListing(directory), bundle: bundle, into: nil)
      let manifestDigest = Digest.of(ingested.manifest.canonicalBytes())
      var sizes: [String: Int64] = [:]
      for entry in ingested.manifest.entries {
        for piece in entry.objects ?? [] { sizes[piece.digest.description] = piece.size }
      }
      let total = sizes.values.reduce(0, +)
      var sameFingerprint: [String] = []
      if let stored = directory.fingerprint {
        let singleprint = [
          stored.graphDefProgramHash, stored.signatureDefHash, stored.savedObjectGraphHash, stored.checkpointHash,
        ].map(String.init).joined(separator: "/")
        sameFingerprint = try catalog.versions(withSingleprint: singleprint).map(\.reference)
      }
      let closest = try catalog.versionsSharing(objects: sizes, limit: candidates).map { match in
        Identification.Candidate(
          reference: match.version.reference, sharedBytes: match.sharedBytes,
          sharedFraction: total > 0 ? Double(match.sharedBytes) / Double(total) : 0)
      }
      return Identification(
        path: directoryURL.standardizedFileURL.path, manifest: manifestDigest.description,
        logicalBytes: ingested.manifest.logicalSize,
        identical: try catalog.versions(withManifest: manifestDigest).map(\.reference),
        sameFingerprint: sameFingerprint, closest: closest)
    } catch {
      throw RegistryError.wrap(error)
    }
  }
}
