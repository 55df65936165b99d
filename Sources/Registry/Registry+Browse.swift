import Catalog
import Foundation

// Read-only calls for browsing the catalog (the web catalog's pages): bounded pages of history
// and events, per-tensor sharing and store totals. None of them writes.

/// One version in a model's history, with its metadata and when it was removed, if it was.
public struct HistoryEntry: Sendable {
  public let version: VersionSummary
  public let removedAt: String?
  public let metadata: [String: String]
}

/// Store-wide numbers: sizes, sharing, the last gc and fsck, growth over time.
public struct StoreStatistics: Sendable {
  /// Cumulative bytes after one push.
  public struct Point: Sendable {
    public let at: String
    /// What the live and removed versions pushed so far add up to, as files.
    public let logicalBytes: Int64
    /// What those pushes newly wrote to disk.
    public let storedBytes: Int64
  }

  public let models: Int
  public let liveVersions: Int
  public let removedVersions: Int
  public let objects: Int
  /// Uncompressed bytes of the distinct objects the catalog knows.
  public let objectBytes: Int64
  /// Bytes on disk of those objects (after compression).
  public let storedBytes: Int64
  /// Sum of the live versions' sizes: what copies without sharing would take.
  public let logicalBytes: Int64
  /// The last `gc` event (time and JSON detail), if any.
  public let lastCollection: (at: String, detail: String)?
  /// The last `fsck.run` event (time and JSON detail), if any.
  public let lastCheck: (at: String, detail: String)?
  /// Cumulative bytes after each push, or, past `growthPoints` pushes, after each run of n of
  /// them and after the last: all a chart draws.
  public let growth: [Point]

  /// Logical bytes per stored byte; `nil` for an empty store.
  public var deduplicationRatio: Double? {
    storedBytes > 0 ? Double(logicalBytes) / Double(storedBytes) : nil
  }
}

extension Registry {
  /// One page of a model's history (removed versions included), newest first, and the total count.
  public func historyPage(of model: String, offset: Int, limit: Int) throws(RegistryError) -> (
    entries: [HistoryEntry], total: Int
  ) {
    do {
      let page = try catalog.historyPage(of: model, offset: max(0, offset), limit: max(0, limit))
      let metadata = try catalog.metadata(of: page.versions.map(\.version.id))
      let entries = page.versions.map {
        HistoryEntry(version: $0.version, removedAt: $0.removedAt, metadata: metadata[$0.version.id] ?? [:])
      }
      return (entries, page.total)
    } catch {
      throw RegistryError(error)
    }
  }

  /// A version's tensors, by name.
  public func tensors(_ reference: Reference) throws(RegistryError) -> [TensorRow] {
    let version = try resolve(reference)
    do { return try catalog.tensors(of: version.id) } catch { throw RegistryError(error) }
  }

  /// The names of a version's tensors whose bytes another live version also stores.
  public func sharedTensorNames(_ reference: Reference) throws(RegistryError) -> Set<String> {
    let version = try resolve(reference)
    do { return try catalog.sharedTensorNames(of: version.id) } catch { throw RegistryError(error) }
  }

  /// The op types a version's graphs use, sorted.
  public func ops(_ reference: Reference) throws(RegistryError) -> [String] {
    let version = try resolve(reference)
    do { return try catalog.ops(of: version.id) } catch { throw RegistryError(error) }
  }

  /// Events newest first, filtered by model and action, before the event with id `before`.
  public func events(model: String?, action: String?, before: Int64?, limit: Int) throws(RegistryError) -> [Event] {
    do {
      return try catalog.events(model: model, action: action, before: before, limit: max(0, limit))
    } catch {
      throw RegistryError(error)
    }
  }

  /// The distinct actions in the event log.
  public func eventActions() throws(RegistryError) -> [String] {
    do { return try catalog.eventActions() } catch { throw RegistryError(error) }
  }

  /// Sizes, sharing and the last maintenance, from the catalog (no walk of the object files).
  public func statistics(growthPoints: Int = 200) throws(RegistryError) -> StoreStatistics {
    do {
      let totals = try catalog.storeTotals(growthPoints: growthPoints)
      return StoreStatistics(
        models: totals.models, liveVersions: totals.liveVersions, removedVersions: totals.removedVersions,
        objects: totals.objects, objectBytes: totals.objectBytes, storedBytes: totals.storedBytes,
        logicalBytes: totals.logicalBytes, lastCollection: totals.lastCollection, lastCheck: totals.lastCheck,
        growth: totals.growth.map { .init(at: $0.at, logicalBytes: $0.logicalBytes, storedBytes: $0.storedBytes) })
    } catch {
      throw RegistryError(error)
    }
  }
}
