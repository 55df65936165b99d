import Foundation
import Registry
import RegistryCore

/// How an export or import talks to the other side.
public struct TransferOptions: Sendable {
  /// Blobs in flight at once.
  public var jobs = 4
  /// Allow plain HTTP to a host that is not loopback.
  public var plainHTTP = false
  /// A PEM file of extra trusted certificates.
  public var caFile: String?
  /// The environment credentials and `SSL_CERT_FILE` are read from.
  public var environment = ProcessInfo.processInfo.environment
  /// Blobs larger than this are uploaded in chunks of this size.
  public var chunkSize = RegistryStore.defaultChunkSize
  /// Objects at least this large are exported as layers of their own, the rest in packs.
  public var objectLayerThreshold = Pack.objectLayerThreshold
  /// The layout an export writes (ModelPack.swift); an import reads either.
  public var format = ExportFormat.savedmodel
  /// What an import accepts: a card layer of at most `cardBytes`.
  public var limits = Limits.current
  /// The most blob bytes held in memory at once (a blob larger than this goes alone).
  public var memoryBytes = ByteBudget.defaultLimit
  /// Export: send the version's ancestors the destination lacks first. Import: bring in the
  /// ancestors the store lacks from the same repository or layout first, so lineage survives.
  public var withAncestors = false
  /// Told about each blob as it goes (a terminal's progress line); nil: nobody listens.
  public var progress: TransferProgressHandler?

  public init() {}
}

/// What an export did.
public struct ExportResult: Sendable, Codable {
  public let reference: String
  public let destination: String
  public let tag: String
  /// The image manifest's digest.
  public let digest: String
  public let blobs: Int
  public let uploaded: Int
  public let uploadedBytes: Int64
  public let skipped: Int
  public let skippedBytes: Int64
  public let mounted: Int
  /// The ancestors sent first (`--with-ancestors`), oldest first.
  public internal(set) var ancestors: [ExportResult] = []
  /// Why the export is not in the store's event log, when it could not be written there (a
  /// read-only store); the export itself is complete.
  public internal(set) var eventLogProblem: String?
}

/// What an import did.
public struct ImportReport: Sendable, Codable {
  public let source: String
  public let reference: String
  public let manifest: String
  /// False when the store already held this version; nothing was transferred then.
  public let created: Bool
  public let parent: String?
  public let downloaded: Int
  public let downloadedBytes: Int64
  public let skipped: Int
  /// The ancestors imported first (`--with-ancestors`), oldest first.
  public internal(set) var ancestors: [ImportReport] = []
  /// The parent's manifest digest, when the artifact names a parent the store does not hold
  /// (so the version was imported without its parent link).
  public internal(set) var missingParent: String?
}

/// Export and import of versions as our OCI artifact (docs/oci.md).
public enum Transfer {
  /// Sends a version to a registry, layout or archive: every blob the destination lacks, with
  /// `jobs` in flight, then (after checking every blob is there) the manifest under the tag.
  /// With `options.withAncestors`, first each ancestor the destination does not hold yet.
  public static func export(
    _ reference: Reference, from registry: Registry, to endpoint: Endpoint, tag: String?, options: TransferOptions
  ) async throws(RemoteError) -> ExportResult {
    let version: ExportedVersion
    do { version = try registry.exportedVersion(reference) } catch { throw RemoteError.wrap(error) }
    let tag = tag ?? endpoint.reference ?? String(version.summary.number)
    if let digest = Digest(tag) {
      throw RemoteError(.invalidArgument, "\(endpoint): export needs a tag, not the digest \(digest)")
    }
    try Endpoint.validateTag(tag, in: endpoint.description)
    let store = try await open(endpoint, writing: true, options: options)
    let mounts = mountSources(for: endpoint, from: registry)
    var result = try await closing(store) { () throws(RemoteError) in
      let ancestors =
        options.withAncestors
        ? try await exportAncestors(
          of: version, from: registry, to: store, endpoint: endpoint, mounts: mounts, options: options) : []
      var result = try await send(
        version, from: registry, to: store, endpoint: endpoint, tag: tag, mounts: mounts, options: options)
      result.ancestors = ancestors
      return result
    }
    result.eventLogProblem = record(result.ancestors + [result], endpoint: endpoint, in: registry)
    return result
  }

  /// Sends one version's artifact to an open destination and tags it.
  ///
  /// - Parameter mounts: where blobs may already be on the same registry (`mountSources`).
  static func send(
    _ version: ExportedVersion, from registry: Registry, to store: any ArtifactStore, endpoint: Endpoint, tag: String,
    mounts: [Digest: [String]], options: TransferOptions
  ) async throws(RemoteError) -> ExportResult {
    let artifact: Artifact
    do {
      switch options.format {
      case .savedmodel: artifact = try Artifact.build(version, from: registry, threshold: options.objectLayerThreshold)
      case .modelpack: artifact = try ModelPack.build(version, from: registry)
      }
    } catch {
      throw RemoteError.wrap(error)
    }
    let blobs = [artifact.manifest.config] + artifact.manifest.layers
    let progress = options.progress
    progress?(.planned(blobs: blobs.count, bytes: blobs.reduce(0) { $0 + $1.size }))
    let budget = ByteBudget(limit: options.memoryBytes)
    let outcomes = try await forEach(blobs, jobs: options.jobs) { descriptor throws(RemoteError) -> BlobOutcome in
      let outcome: BlobOutcome
      if try await store.exists(descriptor) {
        outcome = .skipped
      } else if let sources = mounts[descriptor.digest], try await store.mount(descriptor, from: sources) {
        outcome = .mounted
      } else {
        outcome = try await budget.holding(descriptor.size) { () throws(RemoteError) in
          let bytes: [UInt8]
          do { bytes = try artifact.bytes(of: descriptor, from: registry) } catch { throw RemoteError.wrap(error) }
          return try await store.upload(descriptor, bytes: bytes)
        }
      }
      progress?(.finished(outcome, bytes: descriptor.size))
      return outcome
    }
    // A registry's collector may sweep a blob uploaded long ago: check all of them again.
    for descriptor in blobs where try await !store.exists(descriptor) {
      throw RemoteError(.unavailable, "\(endpoint): blob \(descriptor.digest) vanished after upload; export again")
    }
    try await store.putManifest(artifact.manifestBytes, mediaType: MediaType.imageManifest, tag: tag)
    func count(_ outcome: BlobOutcome) -> Int { outcomes.filter { $0 == outcome }.count }
    func bytes(_ outcome: BlobOutcome) -> Int64 {
      zip(blobs, outcomes).filter { $0.1 == outcome }.reduce(0) { $0 + $1.0.size }
    }
    return ExportResult(
      reference: version.summary.reference, destination: endpoint.description, tag: tag,
      digest: artifact.descriptor.digest.description, blobs: blobs.count, uploaded: count(.uploaded),
      uploadedBytes: bytes(.uploaded), skipped: count(.skipped), skippedBytes: bytes(.skipped),
      mounted: count(.mounted))
  }

  /// Brings a version from a registry, layout or archive into the store: the config first (its
  /// manifest says whether the store already has the version), then every layer whose objects the
  /// store lacks, each verified, through the store's ingest; the version appears only at the end.
  public static func `import`(
    from endpoint: Endpoint, into registry: Registry, name: String?, aliases: [String], options: TransferOptions
  ) async throws(RemoteError) -> ImportReport {
    let store = try await open(endpoint, writing: false, options: options)
    return try await closing(store) { () throws(RemoteError) in
      let lineage = AncestorSearch(store: store, endpoint: endpoint, name: name)
      return try await importArtifact(
        from: store, endpoint: endpoint, into: registry, name: name, aliases: aliases, options, lineage,
        expecting: nil)
    }
  }

  /// Imports the artifact `endpoint.reference` names; with `withAncestors`, first (through
  /// `lineage`) each ancestor the store lacks.
  ///
  /// - Parameter expecting: the store manifest the artifact must carry (an ancestor found by its
  ///   annotation), checked against the config before anything is stored.
  static func importArtifact(
    from store: any ArtifactStore, endpoint: Endpoint, into registry: Registry, name: String?, aliases: [String],
    _ options: TransferOptions, _ lineage: AncestorSearch, expecting: Digest?
  ) async throws(RemoteError) -> ImportReport {
    let (manifestBytes, mediaType) = try await store.manifest(endpoint.reference)
    guard mediaType == MediaType.imageManifest || mediaType.isEmpty else {
      throw RemoteError(.unsupported, "\(endpoint): \(mediaType) is not an OCI image manifest")
    }
    let manifest = try CanonicalJSON.decode(ImageManifest.self, from: manifestBytes, what: "\(endpoint): manifest")
    if ModelPack.recognizes(manifest) {
      return try await ModelPack.importArtifact(
        manifest, from: store, endpoint: endpoint, into: registry, name: name, aliases: aliases, options: options)
    }
    guard manifest.config.mediaType == MediaType.config else {
      throw RemoteError(
        .unsupported,
        "\(endpoint): not a SavedModel artifact of this registry (config type \(manifest.config.mediaType), "
          + "artifactType \(manifest.artifactType ?? "none"))")
    }
    try manifest.config.checkSize("config")
    let configBytes = try await store.blob(manifest.config)
    try manifest.config.verify(configBytes, from: endpoint.description)
    let config = try CanonicalJSON.decode(ArtifactConfig.self, from: configBytes, what: "\(endpoint): config")
    guard config.format == ArtifactConfig.formatName else {
      throw RemoteError(
        .unsupported, "\(endpoint): config format \"\(config.format)\" is not \(ArtifactConfig.formatName)")
    }
    let storeManifest = Array(config.manifest.utf8)
    guard Digest.sha256(storeManifest) == config.manifestDigest else {
      throw RemoteError(.corrupted, "\(endpoint): the config's manifest does not hash to \(config.manifestDigest)")
    }
    if let expecting, config.manifestDigest != expecting {
      throw RemoteError(
        .corrupted, "\(endpoint): annotated as manifest \(expecting), but its config carries \(config.manifestDigest)")
    }
    let parentStored: Bool
    do {
      if let existing = try registry.versions(withManifest: config.manifestDigest).first {
        return ImportReport(
          source: endpoint.description, reference: existing.reference, manifest: config.manifestDigest.description,
          created: false, parent: existing.parent, downloaded: 0, downloadedBytes: 0, skipped: manifest.layers.count)
      }
      parentStored = try config.parentManifest.map { !(try registry.versions(withManifest: $0).isEmpty) } ?? true
    } catch {
      throw RemoteError.wrap(error)
    }
    var ancestors: [ImportReport] = []
    if options.withAncestors, !parentStored, let parent = config.parentManifest {
      ancestors = try await lineage.importParent(parent, of: config, into: registry, options)
    }

    for layer in manifest.layers
    where layer.mediaType != MediaType.object && layer.mediaType != MediaType.pack && layer.mediaType != MediaType.card
    {
      throw RemoteError(.unsupported, "\(endpoint): layer \(layer.digest) has unknown type \(layer.mediaType)")
    }
    // The card is read and checked before anything is stored, so a card the store would refuse
    // refuses the import with nothing changed.
    let card = try await fetchCard(manifest, from: store, endpoint: endpoint, limits: options.limits)
    let objectLayers = manifest.layers.filter { $0.mediaType != MediaType.card }

    let session: ImportSession
    do { session = try registry.beginImport(purpose: "import \(endpoint)") } catch { throw RemoteError.wrap(error) }
    defer { session.abort() }
    let progress = options.progress
    progress?(.planned(blobs: objectLayers.count, bytes: objectLayers.reduce(0) { $0 + $1.size }))
    let budget = ByteBudget(limit: options.memoryBytes)
    let fetched = try await forEach(objectLayers, jobs: options.jobs) { layer throws(RemoteError) -> Bool in
      if layer.mediaType == MediaType.object {
        if session.has(layer.digest) {
          progress?(.finished(.skipped, bytes: layer.size))
          return false
        }
      } else if let objects = config.packs[layer.digest.description], objects.allSatisfy(session.has) {
        progress?(.finished(.skipped, bytes: layer.size))
        return false
      }
      try layer.checkSize("layer")
      try await budget.holding(layer.size) { () throws(RemoteError) in
        let bytes = try await store.blob(layer)
        try layer.verify(bytes, from: endpoint.description)
        do {
          if layer.mediaType == MediaType.object {
            try session.store([(layer.digest, bytes)])
          } else {
            try session.store(try Pack.decode(bytes, pack: layer.digest).filter { !session.has($0.digest) })
          }
        } catch {
          throw RemoteError.wrap(error)
        }
      }
      progress?(.finished(.fetched, bytes: layer.size))
      return true
    }

    var facts = ImportedFacts(model: name ?? lineage.localName(of: config.model), createdBy: config.createdBy)
    facts.createdAt = config.createdAt
    facts.message = config.message
    facts.metadata = config.metadata
    facts.aliases = aliases
    facts.parentManifest = config.parentManifest
    facts.card = card?.bytes
    let result: ImportResult
    do { result = try session.finish(manifestBytes: storeManifest, facts: facts, limits: options.limits) } catch {
      throw RemoteError.wrap(error)
    }
    let downloaded = zip(objectLayers, fetched).filter(\.1).map(\.0) + (card.map { [$0.layer] } ?? [])
    var report = ImportReport(
      source: endpoint.description, reference: result.reference, manifest: result.manifest, created: result.created,
      parent: result.parent, downloaded: downloaded.count, downloadedBytes: downloaded.reduce(0) { $0 + $1.size },
      skipped: manifest.layers.count - downloaded.count)
    report.ancestors = ancestors
    if result.parent == nil { report.missingParent = config.parentManifest?.description }
    return report
  }

  /// The artifact's card layer, if it has one, read and checked as a card: at most one, no
  /// larger than `limits.cardBytes` (checked on the descriptor, before reading), matching its
  /// digest, UTF-8.
  private static func fetchCard(
    _ manifest: ImageManifest, from store: any ArtifactStore, endpoint: Endpoint, limits: Limits
  ) async throws(RemoteError) -> (layer: Descriptor, bytes: [UInt8])? {
    let layers = manifest.layers.filter { $0.mediaType == MediaType.card }
    guard layers.count <= 1 else {
      throw RemoteError(.invalidArgument, "\(endpoint): \(layers.count) card layers; an artifact carries at most one")
    }
    guard let layer = layers.first else { return nil }
    return (layer, try await readCard(layer, from: store, endpoint: endpoint, limits: limits))
  }

  /// A card layer's bytes, checked as `registry card set` checks a file: the descriptor's size
  /// against `limits.cardBytes` before reading, then size and digest, then UTF-8.
  static func readCard(
    _ layer: Descriptor, from store: any ArtifactStore, endpoint: Endpoint, limits: Limits
  ) async throws(RemoteError) -> [UInt8] {
    let subject = "\(endpoint): card layer \(layer.digest)"
    guard layer.size >= 0 else { throw RemoteError(.invalidArgument, "\(subject) declares a negative size") }
    do {
      try Limits.check(subject, layer.size, against: limits.cardBytes, limit: "CARD_BYTES")
    } catch {
      throw RemoteError(error.category, error.message, underlying: error)
    }
    let bytes = try await store.blob(layer)
    try layer.verify(bytes, from: endpoint.description)
    do { _ = try Registry.checkCard(bytes, subject: subject, limits: limits) } catch { throw RemoteError.wrap(error) }
    return bytes
  }

  /// The tags of a registry repository or a layout.
  public static func tags(_ endpoint: Endpoint, options: TransferOptions) async throws(RemoteError) -> [String] {
    switch endpoint {
    case .layout(let directory, _):
      return try LayoutStore(directory: directory, creating: false).tags().sorted()
    case .archive(let file, _):
      let store = try ArchiveStore(file: file, writing: false)
      return try await closing(store) { () throws(RemoteError) in try store.layout.tags().sorted() }
    case .registry(let host, let repository, _):
      let client = try RegistryStore(host: host, repository: repository, options: options)
      return try await closing(client) { () throws(RemoteError) in try await client.tags().sorted() }
    }
  }

  /// Runs `body`, then closes the store: committing when it succeeded, discarding when not.
  static func closing<Result>(
    _ store: any ArtifactStore, _ body: () async throws(RemoteError) -> Result
  ) async throws(RemoteError) -> Result {
    let result: Result
    do {
      result = try await body()
    } catch {
      try? await store.close(committing: false)
      throw error
    }
    try await store.close(committing: true)
    return result
  }

  static func open(_ endpoint: Endpoint, writing: Bool, options: TransferOptions) async throws(RemoteError)
    -> any ArtifactStore
  {
    switch endpoint {
    case .layout(let directory, _): try LayoutStore(directory: directory, creating: writing)
    case .archive(let file, _): try ArchiveStore(file: file, writing: writing)
    case .registry(let host, let repository, _): try RegistryStore(host: host, repository: repository, options: options)
    }
  }

  /// Runs `body` over `items` with at most `jobs` at once; results in item order. The first
  /// error cancels the rest and is thrown.
  static func forEach<Item: Sendable, Result: Sendable>(
    _ items: [Item], jobs: Int, _ body: @escaping @Sendable (Item) async throws(RemoteError) -> Result
  ) async throws(RemoteError) -> [Result] {
    do {
      return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: items.count)
        var next = 0
        func start() {
          guard next < items.count else { return }
          let index = next
          next += 1
          group.addTask { (index, try await body(items[index])) }
        }
        for _ in 0..<max(1, jobs) { start() }
        while let (index, result) = try await group.next() {
          results[index] = result
          start()
        }
        return results.map { $0! }
      }
    } catch {
      throw RemoteError.wrap(error)
    }
  }
}

/// Checks credentials against a registry (for `registry login`).
public enum RemoteAccess {
  /// Succeeds when `host` answers `/v2/` with these credentials.
  public static func check(_ credential: Credential, host: String, options: TransferOptions) async throws(RemoteError) {
    try Endpoint.validateHost(host, in: host)
    let store = try RegistryStore(host: host, repository: "", options: options, credential: credential)
    try await Transfer.closing(store) { () throws(RemoteError) in try await store.checkAccess() }
  }
}
