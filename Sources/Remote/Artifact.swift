import Foundation
import Registry
import RegistryCore

/// A version laid out as our OCI artifact (docs/oci.md): the image manifest, its config, and
/// what each layer holds. Large objects are layers of their own; small ones go into packs, which
/// are built here (they are small by construction) while object layers are read when sent.
public struct Artifact: Sendable {
  /// What a layer's bytes are.
  enum Content: Sendable {
    case object(Digest)
    case pack([UInt8])
    /// A whole file, read from its objects when sent (the ModelPack layout).
    case file(VersionTree.File)
  }

  public let manifest: ImageManifest
  public let manifestBytes: [UInt8]
  public let configBytes: [UInt8]
  let contents: [Digest: Content]

  /// The manifest's own descriptor.
  public var descriptor: Descriptor { .of(manifestBytes, mediaType: MediaType.imageManifest) }

  /// Lays out a version; reads its small objects to build the packs.
  ///
  /// - Parameter threshold: objects at least this large get a layer of their own.
  public static func build(
    _ version: ExportedVersion, from registry: Registry, threshold: Int64 = Pack.objectLayerThreshold
  ) throws(RegistryError) -> Artifact {
    var layers: [Descriptor] = []
    var contents: [Digest: Content] = [:]
    let small = version.objects.filter { $0.size < threshold }
    for object in version.objects where object.size >= threshold {
      layers.append(Descriptor(mediaType: MediaType.object, digest: object.digest, size: object.size))
      contents[object.digest] = .object(object.digest)
    }
    let buckets = Pack.bucketCount(totalBytes: Limits.saturatingSum(small.map(\.size)))
    var grouped = [[ExportedVersion.Object]](repeating: [], count: buckets)
    for object in small { grouped[Pack.bucket(of: object.digest, count: buckets)].append(object) }
    var packs: [String: [Digest]] = [:]
    for group in grouped where !group.isEmpty {
      var entries: [(digest: Digest, bytes: [UInt8])] = []
      for object in group { entries.append((object.digest, try registry.objectBytes(object.digest))) }
      let bytes = Pack.encode(entries)
      let descriptor = Descriptor.of(bytes, mediaType: MediaType.pack)
      layers.append(descriptor)
      contents[descriptor.digest] = .pack(bytes)
      packs[descriptor.digest.description] = group.map(\.digest)
    }
    // The card last, so a version without one lays out exactly as before cards travelled.
    if let card = version.card {
      layers.append(Descriptor(mediaType: MediaType.card, digest: card.digest, size: card.size))
      contents[card.digest] = .object(card.digest)
    }

    let summary = version.summary
    let config = ArtifactConfig(
      model: summary.model, version: summary.number, createdAt: summary.createdAt, createdBy: summary.createdBy,
      message: summary.message, metadata: version.metadata, aliases: summary.aliases,
      parentManifest: version.parentManifest, logicalBytes: summary.logicalBytes, manifestDigest: summary.manifest,
      manifest: String(decoding: version.manifestBytes, as: UTF8.self), packs: packs, signatures: version.signatures)
    let configBytes = CanonicalJSON.encode(config)
    var annotations = [
      "org.opencontainers.image.created": summary.createdAt,
      "org.opencontainers.image.title": summary.model,
      "org.opencontainers.image.version": String(summary.number),
      Annotation.manifest: summary.manifest.description,
    ]
    if let message = summary.message { annotations["org.opencontainers.image.description"] = message }
    // Where the model's code lives, when the version says (`registry meta set REF source URL`).
    if let source = version.metadata["source"] { annotations["org.opencontainers.image.source"] = source }
    let manifest = ImageManifest(
      artifactType: MediaType.artifact, config: .of(configBytes, mediaType: MediaType.config), layers: layers,
      annotations: annotations)
    return Artifact(
      manifest: manifest, manifestBytes: CanonicalJSON.encode(manifest), configBytes: configBytes, contents: contents)
  }

  /// A layer's or the config's bytes.
  func bytes(of descriptor: Descriptor, from registry: Registry) throws(RegistryError) -> [UInt8] {
    if descriptor.digest == manifest.config.digest { return configBytes }
    switch contents[descriptor.digest] {
    case .object(let digest): return try registry.objectBytes(digest)
    case .pack(let bytes): return bytes
    case .file(let file): return try ModelPack.bytes(of: file, from: registry)
    case nil: throw RegistryError(.internal, "\(descriptor.digest) is not part of this artifact")
    }
  }
}

/// Annotations of our own.
public enum Annotation {
  /// On the image manifest: the store manifest's digest, so a reader can tell which version it is.
  public static let manifest = "vnd.registry.savedmodel.manifest"
}
