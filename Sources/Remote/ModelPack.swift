import Foundation
import Registry
import RegistryCore

/// Which layout `registry export` writes (docs/oci.md).
public enum ExportFormat: String, Sendable, Codable, CaseIterable {
  /// Our artifact: the store's objects as layers, small ones packed; object-level dedup.
  case savedmodel
  /// The CNCF ModelPack layout: one raw layer per file, for KitOps, `modctl` and image volumes.
  case modelpack
}

/// The CNCF ModelPack layout (modelpack/model-spec `docs/spec.md`, `config.md`,
/// `annotations.md`): one uncompressed layer per file of the SavedModel, named by its path, and
/// a ModelPack config. Tools that read only that layout (`modctl extract`, KitOps, Kubernetes
/// image volumes through model-csi-driver) get the files as `registry pull` writes them; the
/// price is that a fine-tune re-sends every file it changed whole, not only its changed objects.
public enum ModelPack {
  /// The image manifest's `artifactType`.
  public static let artifactType = "application/vnd.cncf.model.manifest.v1+json"
  /// The config blob (`ModelPackConfig`).
  public static let configType = "application/vnd.cncf.model.config.v1+json"
  /// An unarchived, uncompressed weights file: the graph and the checkpoint.
  public static let weight = "application/vnd.cncf.model.weight.v1.raw"
  /// An unarchived, uncompressed file that configures the weights: fingerprint, assets.
  public static let weightConfig = "application/vnd.cncf.model.weight.config.v1.raw"
  /// An unarchived, uncompressed documentation file: the model card.
  public static let doc = "application/vnd.cncf.model.doc.v1.raw"
  /// The other raw types of the spec, which an import also accepts as files.
  static let otherRaw = ["application/vnd.cncf.model.code.v1.raw", "application/vnd.cncf.model.dataset.v1.raw"]

  /// Layer annotation: the file's path relative to the model directory.
  public static let filepath = "org.cncf.model.filepath"
  /// The same in ModelPack's drafts (`org.cnai.`), still read by `modctl`; read on import.
  static let legacyFilepath = "org.cnai.model.filepath"
  /// Layer annotation: JSON of the file's name, mode, uid, gid, size, mtime and tar type flag.
  public static let fileMetadata = "org.cncf.model.file.metadata+json"
  /// Layer annotation of ours: this doc layer is the version's model card, not a file.
  public static let cardAnnotation = "vnd.registry.savedmodel.card"
  /// Manifest annotation of ours: the directories (path and mode) of the version, as JSON, so
  /// an import rebuilds empty directories and modes and reproduces the store manifest.
  public static let directoriesAnnotation = "vnd.registry.savedmodel.directories"
  /// Manifest annotation of ours: the parent's store manifest digest, for lineage on import.
  public static let parentAnnotation = "vnd.registry.savedmodel.parent"
  /// Where the card goes when `modctl extract` writes the layers out.
  public static let cardPath = "MODEL_CARD.md"
  /// `config.format` in the ModelPack config.
  public static let formatName = "tensorflow-savedmodel"

  /// Whether a file is weights (the graph and checkpoint) or configuration of them.
  static func mediaType(ofFile path: String) -> String {
    if path == "saved_model.pb" || path == "saved_model.pbtxt" || path.hasPrefix("variables/") { return weight }
    return weightConfig
  }

  /// Lays out a version in the ModelPack layout; nothing is read but the manifest (the files
  /// are read when sent). The same version always gives the same bytes: mtimes are the
  /// version's creation time, owners 0, layers in path order.
  static func build(_ version: ExportedVersion, from registry: Registry) throws(RegistryError) -> Artifact {
    let tree = try version.tree()
    let summary = version.summary
    var layers: [Descriptor] = []
    var contents: [Digest: Artifact.Content] = [:]
    for file in tree.files {
      let metadata = FileMetadata(
        name: String(file.path.split(separator: "/").last ?? Substring(file.path)), mode: UInt32(file.mode), uid: 0,
        gid: 0, size: file.size, mtime: summary.createdAt, typeflag: 0)
      layers.append(
        Descriptor(
          mediaType: mediaType(ofFile: file.path), digest: file.sha256, size: file.size,
          annotations: [
            filepath: file.path, fileMetadata: String(decoding: CanonicalJSON.encode(metadata), as: UTF8.self),
          ]))
      contents[file.sha256] = .file(file)
    }
    // The card last, as in our own format; a version without one lays out the same as before.
    if let card = version.card, !tree.files.contains(where: { $0.path == cardPath }) {
      layers.append(
        Descriptor(
          mediaType: doc, digest: card.digest, size: card.size,
          annotations: [filepath: cardPath, cardAnnotation: "true"]))
      contents[card.digest] = .object(card.digest)
    }

    let config = ModelPackConfig(
      descriptor: .init(
        createdAt: summary.createdAt, authors: [summary.createdBy], name: summary.model,
        version: String(summary.number), description: summary.message),
      config: .init(format: formatName),
      modelfs: .init(type: "layers", diffIds: layers.map(\.digest.description)))
    let configBytes = CanonicalJSON.encode(config)
    let directories = tree.directories.map { DirectoryEntry(path: $0.path, mode: $0.mode) }
    var annotations = [
      "org.opencontainers.image.created": summary.createdAt,
      "org.opencontainers.image.title": summary.model,
      "org.opencontainers.image.version": String(summary.number),
      Annotation.manifest: summary.manifest.description,
      directoriesAnnotation: String(decoding: CanonicalJSON.encode(directories), as: UTF8.self),
    ]
    if let message = summary.message { annotations["org.opencontainers.image.description"] = message }
    if let parent = version.parentManifest { annotations[parentAnnotation] = parent.description }
    let manifest = ImageManifest(
      artifactType: artifactType, config: .of(configBytes, mediaType: configType), layers: layers,
      annotations: annotations)
    return Artifact(
      manifest: manifest, manifestBytes: CanonicalJSON.encode(manifest), configBytes: configBytes, contents: contents)
  }

  /// A file's bytes for its layer, checked against the file's SHA-256 (the layer digest).
  static func bytes(of file: VersionTree.File, from registry: Registry) throws(RegistryError) -> [UInt8] {
    let bytes = try registry.fileBytes(file)
    let actual = Digest.sha256(bytes)
    guard actual == file.sha256 else {
      throw RegistryError(.corrupted, "\(file.path): its objects hash to \(actual), the manifest says \(file.sha256)")
    }
    return bytes
  }

  /// Whether a manifest is a ModelPack artifact (by its `artifactType` or config type).
  static func recognizes(_ manifest: ImageManifest) -> Bool {
    manifest.artifactType == artifactType || manifest.config.mediaType == configType
  }
}

/// The ModelPack config blob (`application/vnd.cncf.model.config.v1+json`), as much of its
/// schema as we fill. The schema forbids other keys, so our own facts travel as annotations.
struct ModelPackConfig: Sendable, Codable, Equatable {
  struct ModelDescriptor: Sendable, Codable, Equatable {
    var createdAt: String?
    var authors: [String]?
    var name: String?
    var version: String?
    var description: String?
  }

  struct ModelConfig: Sendable, Codable, Equatable {
    var format: String?
  }

  struct ModelFS: Sendable, Codable, Equatable {
    var type: String
    var diffIds: [String]
  }

  var descriptor: ModelDescriptor
  var config: ModelConfig
  var modelfs: ModelFS
}

/// The value of `org.cncf.model.file.metadata+json` (ModelPack `annotations.md`): `typeflag` 0
/// is a regular file, as `modctl` writes it.
struct FileMetadata: Sendable, Codable, Equatable {
  var name: String
  var mode: UInt32
  var uid: UInt32
  var gid: UInt32
  var size: Int64
  var mtime: String
  var typeflag: UInt8
}

/// One entry of `vnd.registry.savedmodel.directories`.
struct DirectoryEntry: Sendable, Codable, Equatable {
  var path: String
  var mode: UInt16
}
