/// The media types of our OCI artifact (docs/oci.md). Ours are under `application/vnd.registry.savedmodel`;
/// the rest are the OCI image spec's.
public enum MediaType {
  /// The image manifest's `artifactType`: a SavedModel version of this registry.
  public static let artifact = "application/vnd.registry.savedmodel.v1"
  /// The config blob: the store's canonical manifest and the catalog's facts (`ArtifactConfig`).
  public static let config = "application/vnd.registry.savedmodel.config.v1+json"
  /// One store object, raw and uncompressed, so the layer digest is the object id.
  public static let object = "application/vnd.registry.savedmodel.object.v1"
  /// Several small objects in one deterministic pack (`Pack`).
  public static let pack = "application/vnd.registry.savedmodel.pack.v1"
  /// The version's model card: its Markdown object, raw (UTF-8), so the layer digest is the
  /// object id. At most one per artifact.
  public static let card = "application/vnd.registry.savedmodel.card.v1+markdown"

  public static let imageManifest = "application/vnd.oci.image.manifest.v1+json"
  public static let imageIndex = "application/vnd.oci.image.index.v1+json"
  public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
}
