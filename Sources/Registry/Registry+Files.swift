import ContentStore
import Foundation
import RegistryCore

/// A version's tree as whole files, for exporters that write one file per layer (the CNCF
/// ModelPack layout, docs/oci.md) instead of the store's objects.
public struct VersionTree: Sendable, Equatable {
  public struct File: Sendable, Equatable {
    /// Relative path with `/` separators, as the manifest validated it.
    public let path: String
    public let mode: UInt16
    public let size: Int64
    /// The SHA-256 of the whole file: the digest of a layer holding it raw.
    public let sha256: Digest
    /// The objects whose concatenation is the file, in order.
    public let pieces: [ExportedVersion.Object]
  }

  public struct Directory: Sendable, Equatable {
    public let path: String
    public let mode: UInt16
  }

  /// Sorted by path bytes, as in the manifest.
  public let files: [File]
  public let directories: [Directory]
}

extension ExportedVersion {
  /// The files and directories the version's manifest describes.
  ///
  /// - Throws: `RegistryError` (`corrupted`) when the stored manifest does not parse or validate.
  public func tree() throws(RegistryError) -> VersionTree {
    let manifest: Manifest
    do {
      manifest = try Manifest(decoding: manifestBytes, subject: "\(summary.reference) manifest \(summary.manifest)")
    } catch {
      throw RegistryError(error)
    }
    var files: [VersionTree.File] = []
    var directories: [VersionTree.Directory] = []
    for entry in manifest.entries {
      switch entry.kind {
      case .directory:
        directories.append(VersionTree.Directory(path: entry.path, mode: entry.mode))
      case .file:
        // A validated manifest has size, hash and objects for every file.
        guard let size = entry.size, let sha256 = entry.sha256, let objects = entry.objects else { continue }
        files.append(
          VersionTree.File(
            path: entry.path, mode: entry.mode, size: size, sha256: sha256,
            pieces: objects.map { ExportedVersion.Object(digest: $0.digest, size: $0.size) }))
      }
    }
    return VersionTree(files: files, directories: directories)
  }
}

extension Registry {
  /// A file's bytes: its objects read (each verified against its digest) and concatenated. The
  /// caller checks the whole against the file's SHA-256.
  public func fileBytes(_ file: VersionTree.File) throws(RegistryError) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(file.size))
    for piece in file.pieces { bytes += try objectBytes(piece.digest) }
    guard Int64(bytes.count) == file.size else {
      throw RegistryError(
        .corrupted, "\(file.path): its objects hold \(bytes.count) bytes, the manifest says \(file.size)")
    }
    return bytes
  }
}
