import RegistryCore

/// What became of one blob an export sent.
public enum BlobOutcome: String, Sendable, Codable {
  /// The destination already had it.
  case skipped
  /// Mounted from another repository of the same registry, no bytes sent.
  case mounted
  case uploaded
  /// Brought in by an import.
  case fetched
}

/// A place artifacts are written to and read from: a registry, a layout directory or an archive.
/// Callers verify every blob they read against its descriptor; implementations bound how much
/// they read by the descriptor's size.
protocol ArtifactStore: Sendable {
  /// Whether the blob is there (complete).
  func exists(_ descriptor: Descriptor) async throws(RemoteError) -> Bool
  /// Sends a blob the destination lacks.
  func upload(_ descriptor: Descriptor, bytes: [UInt8]) async throws(RemoteError) -> BlobOutcome
  /// Stores the manifest under `tag`, after every blob it names exists.
  func putManifest(_ bytes: [UInt8], mediaType: String, tag: String) async throws(RemoteError)
  /// The manifest a tag or digest names (`nil`: the only one there), and its media type.
  func manifest(_ reference: String?) async throws(RemoteError) -> (bytes: [UInt8], mediaType: String)
  /// A blob's bytes, at most `descriptor.size` of them.
  func blob(_ descriptor: Descriptor) async throws(RemoteError) -> [UInt8]
  /// Every tag (`notFound` for a registry repository nobody pushed to).
  func tags() async throws(RemoteError) -> [String]
  /// Links a blob from another repository of the same registry without sending it; false when
  /// none of `repositories` could (or this is not a registry).
  func mount(_ descriptor: Descriptor, from repositories: [String]) async throws(RemoteError) -> Bool
  /// Finishes writing (an archive is written here) and releases what the store holds.
  func close(committing: Bool) async throws(RemoteError)
}

extension ArtifactStore {
  func mount(_ descriptor: Descriptor, from repositories: [String]) async throws(RemoteError) -> Bool { false }
}

extension Descriptor {
  /// Refuses a blob whose declared size is past what we will hold in memory.
  func checkSize(_ what: String) throws(RemoteError) {
    let limit = Limits.current.fileBytes
    guard size >= 0, size <= limit else {
      let exceeded = LimitExceeded("\(what) \(digest)", limit: "FILE_BYTES", requested: size, allowed: limit)
      throw RemoteError(exceeded.category, exceeded.message, underlying: exceeded)
    }
  }

  /// Checks bytes read against the descriptor: size, then digest.
  func verify(_ bytes: [UInt8], from source: String) throws(RemoteError) {
    guard Int64(bytes.count) == size else {
      throw RemoteError(.corrupted, "\(source): blob \(digest) has \(bytes.count) bytes, its descriptor says \(size)")
    }
    let actual = Digest.sha256(bytes)
    guard actual == digest else {
      throw RemoteError(.corrupted, "\(source): blob \(digest) hashes to \(actual)")
    }
  }
}
