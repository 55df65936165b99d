import Catalog
import ContentStore
import FileSystem
import Foundation
import RegistryCore
import Synchronization

/// The catalog facts an imported version keeps from the store that exported it.
public struct ImportedFacts: Sendable {
  public var model: String
  public var createdBy: String
  /// ISO 8601; checked, then stored as the version's creation time.
  public var createdAt: String?
  public var message: String?
  public var metadata: [String: String] = [:]
  public var aliases: [String] = []
  /// Recorded as the parent when a live version in this store has this manifest.
  public var parentManifest: Digest?
  /// The version's model card (Markdown), recorded with the version in one transaction; at
  /// most `Limits.cardBytes` of UTF-8 text.
  public var card: [UInt8]?

  public init(model: String, createdBy: String) {
    self.model = model
    self.createdBy = createdBy
  }
}

/// What an import did.
public struct ImportResult: Sendable, Codable {
  public let reference: String
  public let manifest: String
  /// False when the store already held a version with this manifest (nothing was added).
  public let created: Bool
  public let parent: String?
}

/// One import in flight: objects arrive in any order from any thread, each verified against its
/// digest and stored through an ingest batch under a lease (so a concurrent `gc` keeps them and
/// everything the store already had). Each layer's objects are committed (durable, then in
/// `objects/`) as soon as they are verified, so an import killed half-way and run again fetches
/// only what is still missing; until `finish` inserts the version in one transaction they
/// belong to no version, and a collection after the lease and grace period may take them.
public final class ImportSession: Sendable {
  private let registry: Registry
  private let lease: String
  private let staged = Locked<Set<Digest>>([])
  private let ended = Atomic<Bool>(false)

  init(registry: Registry, purpose: String) throws(RegistryError) {
    self.registry = registry
    do {
      lease = try registry.catalog.beginLease(
        purpose: purpose, holder: Registry.holder, duration: Registry.pushLeaseDuration)
    } catch {
      throw RegistryError(error)
    }
  }

  deinit { abort() }

  /// Whether the object is already in the store or staged here; a stored one is refreshed so a
  /// collection that started before this import keeps it (docs/gc.md).
  public func has(_ digest: Digest) -> Bool {
    if staged.withLock({ $0.contains(digest) }) { return true }
    return FileSystem.touch(registry.objects.path(for: digest)) || registry.objects.contains(digest)
  }

  /// Verifies one layer's objects and makes them durable in the store, together.
  ///
  /// - Throws: `corrupted` naming the digest when bytes hash to something else; nothing of
  ///   the layer is kept then.
  public func store(_ objects: [(digest: Digest, bytes: [UInt8])]) throws(RegistryError) {
    do {
      let batch = try registry.objects.makeBatch()
      do {
        for object in objects {
          _ = try object.bytes.withUnsafeBytes { buffer throws(StoreError) -> IngestBatch.Staged in
            try batch.stage(buffer, expected: object.digest)
          }
        }
        try batch.commit()
      } catch {
        batch.abort()
        throw error
      }
    } catch {
      throw RegistryError.wrap(error)
    }
    staged.withLock { $0.formUnion(objects.map(\.digest)) }
  }

  /// Checks that the manifest and every object it names are here, makes them durable and
  /// visible, then records the version: the files are materialised in `ingest/` and described
  /// by the push path, which must reproduce `manifestBytes` exactly.
  ///
  /// - Parameter limits: the card is checked against `cardBytes` before anything is stored.
  public func finish(manifestBytes: [UInt8], facts: ImportedFacts, limits: Limits = .current) throws(RegistryError)
    -> ImportResult
  {
    defer { abort() }
    do {
      return try finishUnchecked(manifestBytes, facts, limits)
    } catch {
      throw RegistryError.wrap(error)
    }
  }

  private func finishUnchecked(_ manifestBytes: [UInt8], _ facts: ImportedFacts, _ limits: Limits) throws
    -> ImportResult
  {
    try Reference.validateModelName(facts.model)
    for alias in facts.aliases { try Reference.validateAlias(alias) }
    if let card = facts.card { _ = try Registry.checkCard(card, limits: limits) }
    let digest = Digest.of(manifestBytes)
    let manifest = try Manifest(decoding: manifestBytes, subject: "imported manifest \(digest)")
    for object in manifest.objectDigests.sorted() where !has(object) {
      throw RegistryError(.corrupted, "\(object): named by the imported manifest but never received")
    }
    if let existing = try registry.catalog.versions(withManifest: digest).first {
      return ImportResult(reference: existing.reference, manifest: digest.description, created: false, parent: nil)
    }
    try store([(digest, manifestBytes)])
    // Stored under this session's lease, so a collection keeps it until the version names it.
    let card = try facts.card.map { bytes throws(RegistryError) in
      NewVersion.Card(object: try registry.storeCard(bytes), setBy: Registry.actor)
    }

    let createdAt = try facts.createdAt.map { text throws(RegistryError) in try Self.checkedTime(text) }
    var options = PushOptions(model: facts.model)
    options.message = facts.message
    options.metadata = facts.metadata
    options.aliases = facts.aliases
    if let parentManifest = facts.parentManifest,
      let parent = try registry.catalog.versions(withManifest: parentManifest).last
    {
      options.parent = Reference(model: parent.model, selector: .number(parent.number))
    }

    let directory = registry.objects.ingestRoot.appendingPathComponent("import-\(UUID().uuidString.lowercased())")
    defer { try? FileManager.default.removeItem(at: directory) }
    _ = try Materializer(store: registry.objects).materialize(manifest, to: directory, replacing: false)
    let pushed = try registry.pushUnchecked(
      directory, options, origin: .init(createdBy: facts.createdBy, createdAt: createdAt, manifest: digest, card: card))
    return ImportResult(
      reference: pushed.reference, manifest: digest.description, created: pushed.created, parent: pushed.parent)
  }

  /// Ends the lease (objects already stored stay, for a rerun).
  public func abort() {
    guard !ended.exchange(true, ordering: .acquiringAndReleasing) else { return }
    registry.catalog.endLease(lease)
  }

  /// An ISO 8601 time from the artifact, in the catalog's own format.
  static func checkedTime(_ text: String) throws(RegistryError) -> String {
    let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    guard let date = (try? withFraction.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text)) else {
      throw RegistryError(.invalidArgument, "created time \"\(text.prefix(64))\" is not an ISO 8601 time")
    }
    // The catalog's own form (UTC, milliseconds) is kept as written: reformatting could round it.
    let catalogForm = text.utf8.count == 24 && text.hasSuffix("Z") && text.dropFirst(19).hasPrefix(".")
    return catalogForm ? text : Catalog.format(date)
  }
}

extension Registry {
  /// Starts an import: a lease against collection and an ingest batch.
  public func beginImport(purpose: String) throws(RegistryError) -> ImportSession {
    try ImportSession(registry: self, purpose: purpose)
  }
}
