import Registry
import RegistryCore

/// Lineage across stores (`--with-ancestors`). An artifact names its parent by the parent's
/// store manifest digest (`parentManifest` in the config), never by a tag or number, which
/// differ between stores; every artifact of ours carries its own store manifest digest in the
/// `vnd.registry.savedmodel.manifest` annotation. So a repository or layout is searched by
/// annotation: an export sends each ancestor the destination does not hold (under its number, or
/// `MODEL-NUMBER` when it is of another model), and an import finds each missing ancestor in the
/// same place, wherever and whenever it was exported.
extension Transfer {
  /// The store manifest digests of our artifacts in `store`, each with a tag naming it (the
  /// first in sorted order); other artifacts and unreadable manifests are passed over.
  static func versionsHeld(in store: any ArtifactStore) async throws(RemoteError) -> [Digest: String] {
    let tags: [String]
    do { tags = try await store.tags() } catch  where error.category == .notFound { return [:] }
    var held: [Digest: String] = [:]
    for tag in tags.sorted() {
      guard let (bytes, _) = try? await store.manifest(tag),
        let manifest = try? CanonicalJSON.decode(ImageManifest.self, from: bytes, what: tag),
        let annotation = manifest.annotations?[Annotation.manifest], let digest = Digest(annotation),
        held[digest] == nil
      else { continue }
      held[digest] = tag
    }
    return held
  }

  /// Sends each ancestor of `version` the destination does not hold, oldest first.
  static func exportAncestors(
    of version: ExportedVersion, from registry: Registry, to store: any ArtifactStore, endpoint: Endpoint,
    mounts: [Digest: [String]], options: TransferOptions
  ) async throws(RemoteError) -> [ExportResult] {
    let summary = version.summary
    let ancestors: [VersionSummary]
    do {
      ancestors = try registry.lineage(Reference(model: summary.model, selector: .number(summary.number))).ancestors
    } catch {
      throw RemoteError.wrap(error)
    }
    guard !ancestors.isEmpty else { return [] }
    let held = try await versionsHeld(in: store)
    var results: [ExportResult] = []
    for ancestor in ancestors.reversed() where held[ancestor.manifest] == nil {
      let exported: ExportedVersion
      do {
        exported = try registry.exportedVersion(Reference(model: ancestor.model, selector: .number(ancestor.number)))
      } catch {
        throw RemoteError.wrap(error)
      }
      let tag = ancestorTag(ancestor, of: summary)
      try Endpoint.validateTag(tag, in: endpoint.description)
      results.append(
        try await send(
          exported, from: registry, to: store, endpoint: endpoint, tag: tag, mounts: mounts, options: options))
    }
    return results
  }

  /// An ancestor's tag: its number when it is of the same model, else `MODEL-NUMBER`, with each
  /// character a tag cannot hold replaced by `-` (at most 128 characters).
  static func ancestorTag(_ ancestor: VersionSummary, of version: VersionSummary) -> String {
    if ancestor.model == version.model { return String(ancestor.number) }
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    let model = String(ancestor.model.map { allowed.contains($0) ? $0 : "-" })
    let suffix = "-\(ancestor.number)"
    return String(model.prefix(128 - suffix.count)) + suffix
  }
}

/// Finds and imports the ancestors an import needs, in the repository or layout the import
/// reads; remembers what it found, so a long chain is searched once.
final class AncestorSearch: @unchecked Sendable {
  /// How many generations an import follows before it calls the chain hostile.
  static let maximumDepth = 1000

  let store: any ArtifactStore
  let endpoint: Endpoint
  /// `--name`: the imported version's model in this store; its ancestors of the same exported
  /// model go there too, the others keep their own model names.
  let name: String?
  private var exportedModel: String?
  private var held: [Digest: String]?
  private var depth = 0

  init(store: any ArtifactStore, endpoint: Endpoint, name: String?) {
    self.store = store
    self.endpoint = endpoint
    self.name = name
  }

  /// The model an ancestor of exported model `model` is imported into.
  func localName(of model: String) -> String {
    if let name, model == exportedModel { return name }
    return model
  }

  /// Imports the version whose store manifest is `parent` (and, first, its own missing ancestors)
  /// from the same place; returns what was imported, oldest first.
  func importParent(
    _ parent: Digest, of child: ArtifactConfig, into registry: Registry, _ options: TransferOptions
  ) async throws(RemoteError) -> [ImportReport] {
    if exportedModel == nil { exportedModel = child.model }
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maximumDepth else {
      throw RemoteError(.invalidArgument, "\(endpoint): more than \(Self.maximumDepth) generations of ancestors")
    }
    let held: [Digest: String]
    if let known = self.held {
      held = known
    } else {
      held = try await Transfer.versionsHeld(in: store)
      self.held = held
    }
    guard let tag = held[parent] else {
      throw RemoteError(
        .notFound,
        "\(endpoint): the parent of \(child.model):\(child.version) (manifest \(parent)) is not there; "
          + "export it with --with-ancestors, or import without --with-ancestors to skip the lineage")
    }
    let source = endpoint.with(reference: tag)
    var report = try await Transfer.importArtifact(
      from: store, endpoint: source, into: registry, name: nil, aliases: [], options, self, expecting: parent)
    let older = report.ancestors
    report.ancestors = []
    return older + [report]
  }
}
