import Foundation
import RegistryCore

/// An OCI image layout directory (image-spec `image-layout.md`): `oci-layout`, `index.json`
/// naming each tagged manifest by `org.opencontainers.image.ref.name`, and `blobs/sha256/<hex>`.
/// Blobs are written to a temporary file and renamed, so a blob that exists is complete and a
/// rerun after a kill writes only what is missing.
final class LayoutStore: ArtifactStore {
  static let refName = "org.opencontainers.image.ref.name"
  static let layoutFile = #"{"imageLayoutVersion":"1.0.0"}"#

  let root: URL
  private let label: String

  /// - Parameter creating: make the directory and its `oci-layout` file (for writing).
  init(directory: String, creating: Bool, label: String? = nil) throws(RemoteError) {
    root = URL(fileURLWithPath: directory)
    self.label = label ?? "oci-layout:\(directory)"
    let marker = root.appendingPathComponent("oci-layout")
    if creating {
      do {
        try FileManager.default.createDirectory(
          at: root.appendingPathComponent("blobs/sha256"), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: marker.path) {
          try Data(Self.layoutFile.utf8).write(to: marker, options: .atomic)
        }
      } catch {
        throw RemoteError(.unavailable, "\(self.label): cannot create the layout: \(error.localizedDescription)")
      }
    } else {
      guard FileManager.default.fileExists(atPath: marker.path) else {
        throw RemoteError(.notFound, "\(self.label): not an OCI image layout (no oci-layout file)", file: marker.path)
      }
    }
  }

  func path(of digest: Digest) -> URL { root.appendingPathComponent("blobs/sha256/\(digest.hex)") }

  func exists(_ descriptor: Descriptor) async throws(RemoteError) -> Bool {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path(of: descriptor.digest).path)
    return (attributes?[.size] as? NSNumber)?.int64Value == descriptor.size
  }

  func upload(_ descriptor: Descriptor, bytes: [UInt8]) async throws(RemoteError) -> BlobOutcome {
    try write(bytes, to: path(of: descriptor.digest))
    return .uploaded
  }

  func putManifest(_ bytes: [UInt8], mediaType: String, tag: String) async throws(RemoteError) {
    let descriptor = Descriptor(
      mediaType: mediaType, digest: Digest.sha256(bytes), size: Int64(bytes.count),
      annotations: [Self.refName: tag])
    try write(bytes, to: path(of: descriptor.digest))
    var index = try readIndex() ?? ImageIndex(manifests: [])
    index.manifests.removeAll { $0.annotations?[Self.refName] == tag }
    index.manifests.append(descriptor)
    try write(CanonicalJSON.encode(index), to: root.appendingPathComponent("index.json"))
  }

  func manifest(_ reference: String?) async throws(RemoteError) -> (bytes: [UInt8], mediaType: String) {
    guard let index = try readIndex() else {
      throw RemoteError(.notFound, "\(label): the layout has no index.json")
    }
    let candidates: [Descriptor]
    if let reference, let digest = Digest(reference) {
      candidates = index.manifests.filter { $0.digest == digest }
    } else if let reference {
      candidates = index.manifests.filter { $0.annotations?[Self.refName] == reference }
    } else {
      candidates = index.manifests
    }
    guard let descriptor = candidates.first else {
      throw RemoteError(.notFound, "\(label): no manifest tagged \"\(reference ?? "")\"")
    }
    guard candidates.count == 1 else {
      throw RemoteError(.invalidArgument, "\(label): holds \(candidates.count) manifests; name one with :TAG")
    }
    try descriptor.checkSize("manifest")
    let bytes = try await blob(descriptor)
    try descriptor.verify(bytes, from: label)
    return (bytes, descriptor.mediaType)
  }

  func blob(_ descriptor: Descriptor) async throws(RemoteError) -> [UInt8] {
    try descriptor.checkSize("blob")
    let file = path(of: descriptor.digest).path
    guard let handle = FileHandle(forReadingAtPath: file) else {
      throw RemoteError(.notFound, "\(label): blob \(descriptor.digest) is missing", file: file)
    }
    defer { try? handle.close() }
    do {
      // One byte more than declared, so a longer file is caught rather than cut.
      let data = try handle.read(upToCount: Int(descriptor.size) + 1) ?? Data()
      return Array(data)
    } catch {
      throw RemoteError(.unavailable, "\(label): cannot read blob \(descriptor.digest): \(error.localizedDescription)")
    }
  }

  func close(committing: Bool) async throws(RemoteError) {}

  /// Every tag in `index.json`.
  func tags() throws(RemoteError) -> [String] {
    (try readIndex()?.manifests ?? []).compactMap { $0.annotations?[Self.refName] }
  }

  private func readIndex() throws(RemoteError) -> ImageIndex? {
    let file = root.appendingPathComponent("index.json")
    guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
    guard Int64(data.count) <= Limits.current.fileBytes else {
      let exceeded = LimitExceeded(
        "\(label): index.json", limit: "FILE_BYTES", requested: Int64(data.count), allowed: Limits.current.fileBytes)
      throw RemoteError(exceeded.category, exceeded.message, underlying: exceeded)
    }
    return try CanonicalJSON.decode(ImageIndex.self, from: Array(data), what: "\(label): index.json")
  }

  private func write(_ bytes: [UInt8], to url: URL) throws(RemoteError) {
    do {
      try Data(bytes).write(to: url, options: .atomic)
    } catch {
      throw RemoteError(.unavailable, "\(label): cannot write \(url.path): \(error.localizedDescription)")
    }
  }
}
