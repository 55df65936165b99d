import Catalog
import ContentStore
import FileSystem
import Foundation

/// Which versions to keep; a version is kept if any rule keeps it. Alias targets are always kept.
public struct RetentionPolicy: Sendable, Codable, Equatable {
  /// Keep the newest N live versions of each model.
  public var keepLast: Int?
  /// Keep versions pushed within this many seconds.
  public var keepNewerThan: TimeInterval?

  public init(keepLast: Int? = nil, keepNewerThan: TimeInterval? = nil) {
    self.keepLast = keepLast
    self.keepNewerThan = keepNewerThan
  }

  public var isEmpty: Bool { keepLast == nil && keepNewerThan == nil }
}

/// How a collection runs.
public struct CollectionOptions: Sendable {
  /// Report, change nothing.
  public var dryRun = false
  /// Unreferenced objects younger than this are kept (a push may be about to reference them).
  public var grace: TimeInterval = Registry.defaultGrace
  public var retention = RetentionPolicy()

  public init() {}
}

/// What a collection did (or, dry, would do).
public struct CollectionReport: Sendable, Codable {
  public let dryRun: Bool
  public let startedAt: String
  public let graceSeconds: Double
  /// Objects refreshed at or after this are kept: now minus the grace period, or the start of
  /// the oldest push still in flight if that is earlier.
  public let cutoff: String
  /// Versions the retention policy removed.
  public let versionsRemoved: [String]
  /// Objects deleted, with their on-disk bytes.
  public let objectsDeleted: [String]
  public let bytesFreed: Int64
  public let objectsReferenced: Int
  /// Unreferenced objects kept because they are younger than the cutoff.
  public let objectsKeptYoung: Int
  public let ingestDirectoriesRemoved: [String]
  public let leasesExpired: [String]
  public let leasesActive: Int
  public let durationSeconds: Double
}

extension Registry {
  /// A day: a nightly job never deletes what an ordinary push wrote since the previous night.
  public static let defaultGrace: TimeInterval = 24 * 3600

  /// Added to every grace period: files newer than `start - grace - clockSlack` are kept.
  static let clockSlack: TimeInterval = 1

  /// Marks a version removed (see `Catalog.removeVersion`).
  public func remove(_ reference: Reference) throws(RegistryError) -> VersionSummary {
    let version = try resolve(reference)
    do {
      try catalog.removeVersion(version.id, actor: Self.actor)
    } catch {
      throw RegistryError(error)
    }
    return version
  }

  /// The retention policy saved in the store (`gc --save-policy`), if any.
  public func savedPolicy() throws(RegistryError) -> (retention: RetentionPolicy, grace: TimeInterval?) {
    do {
      let settings = try catalog.settings(prefix: "gc.")
      return (
        RetentionPolicy(
          keepLast: settings["gc.keep_last"].flatMap { Int($0) },
          keepNewerThan: settings["gc.keep_newer_than"].flatMap { Double($0) }),
        settings["gc.grace"].flatMap { Double($0) }
      )
    } catch {
      throw RegistryError(error)
    }
  }

  public func savePolicy(_ retention: RetentionPolicy, grace: TimeInterval?) throws(RegistryError) {
    var values: [String: String] = [:]
    values["gc.keep_last"] = retention.keepLast.map(String.init)
    values["gc.keep_newer_than"] = retention.keepNewerThan.map { String($0) }
    values["gc.grace"] = grace.map { String($0) }
    do { try catalog.replaceSettings(prefix: "gc.", with: values, actor: Self.actor) } catch {
      throw RegistryError(error)
    }
  }

  /// Collects garbage while pushes and pulls go on.
  ///
  /// 1. Retention: versions the policy does not keep are marked removed.
  /// 2. Mark, in one read transaction: every object a live version references, and the leases.
  ///    Leases whose time ran out, or whose process on this host is gone, are dropped.
  /// 3. Sweep: walk `objects/`; delete each unreferenced object last refreshed before the cutoff
  ///    (now minus the grace period, or the start of the oldest push in flight), with
  ///    `ObjectStore.collect`, which cannot race with a push reusing it; then ingest leftovers.
  ///
  /// Only one collection runs at a time (`gc.lock`). A dry run takes the same steps and deletes
  /// nothing; run right after it, a real run deletes exactly what it listed.
  public func collect(_ options: CollectionOptions) throws(RegistryError) -> CollectionReport {
    let started = Date()
    let lock = try collectorLock()
    defer { lock.unlock() }
    do {
      if !options.dryRun { objects.restoreTrash() }
      // Every object got into the store through a push, which leaves a lease, an event and, once
      // done, a version row; a catalog with none of them beside stored objects is not this
      // store's catalog but a blank one put in its place. Collecting against it would delete
      // every object.
      if try !catalog.hasHistory(), objects.containsAnyObject() {
        throw RegistryError(
          .failedPrecondition,
          "\(objects.layout.catalogDatabase.path): the catalog records no version, push or event, yet the store "
            + "holds objects; refusing to collect (it would delete them all). Restore the store's catalog "
            + "(docs/store.md)")
      }
      let candidates = try catalog.retentionCandidates(
        keepLast: options.retention.keepLast,
        keepNewerThan: options.retention.keepNewerThan.map { started.addingTimeInterval(-$0) })
      var retired = candidates
      if !options.dryRun && !candidates.isEmpty {
        let ids = Set(try catalog.retire(candidates.map(\.id), actor: Self.actor))
        retired = candidates.filter { ids.contains($0.id) }
      }
      let mark = try catalog.mark(excluding: options.dryRun ? Set(candidates.map(\.id)) : [])

      let (active, expired) = partition(mark.leases, now: started)
      let oldestLease = active.map(\.createdAt).min()
      // File times come from the kernel's coarse clock, which can lag `Date()` by a tick: an
      // object or ingest directory a push writes just after this collection started (its lease
      // unseen by the mark) can carry a time before `started`. The slack keeps such files young,
      // so even `--grace 0s` never takes what a starting push has just written.
      let cutoff = min(
        started.addingTimeInterval(-options.grace - Self.clockSlack), oldestLease ?? .distantFuture)

      var deleted: [String] = []
      var freed: Int64 = 0
      var keptYoung = 0
      for object in try objects.walk() where !mark.referenced.contains(object.digest) {
        guard object.modified < cutoff else {
          keptYoung += 1
          continue
        }
        let removed = try options.dryRun || objects.collect(object.digest, unlessModifiedSince: cutoff)
        if removed {
          deleted.append(object.digest.description)
          // Saturating: a sparse object file on tmpfs can claim 2^62 bytes.
          freed = Limits.saturatingSum([freed, object.storedSize])
        } else {
          keptYoung += 1
        }
      }
      let ingest = try objects.cleanLeftovers(olderThan: cutoff, dryRun: options.dryRun)
      let duration = Date().timeIntervalSince(started)
      let report = CollectionReport(
        dryRun: options.dryRun, startedAt: Catalog.format(started), graceSeconds: options.grace,
        cutoff: Catalog.format(cutoff),
        versionsRemoved: retired.map(\.reference), objectsDeleted: deleted.sorted(), bytesFreed: freed,
        objectsReferenced: mark.referenced.count, objectsKeptYoung: keptYoung, ingestDirectoriesRemoved: ingest,
        leasesExpired: expired.map(\.id), leasesActive: active.count, durationSeconds: duration)
      if !options.dryRun {
        try catalog.deleteLeases(expired.map(\.id))
        try catalog.recordCollection(
          deletedObjects: deleted, actor: Self.actor,
          detail: [
            "objects_deleted": String(deleted.count), "bytes_freed": String(freed),
            "versions_removed": retired.map(\.reference).joined(separator: ","), "grace_seconds": String(options.grace),
          ])
      }
      return report
    } catch {
      throw RegistryError.wrap(error)
    }
  }

  /// Splits leases into those still protecting a push and those that ended: expired, or held by
  /// a process on this host that no longer exists (a push killed with SIGKILL).
  func partition(_ leases: [Lease], now: Date) -> (active: [Lease], expired: [Lease]) {
    var active: [Lease] = []
    var expired: [Lease] = []
    let host = ProcessInfo.processInfo.hostName
    for lease in leases {
      if lease.expiresAt <= now {
        expired.append(lease)
      } else if let pid = Self.holderPID(lease.holder, host: host), !FileSystem.processExists(pid) {
        expired.append(lease)
      } else {
        active.append(lease)
      }
    }
    return (active, expired)
  }

  /// The exclusive lock on `gc.lock`, so one collection runs at a time; the system releases it
  /// even if the collector is killed.
  func collectorLock() throws(RegistryError) -> FileLock {
    let path = objects.layout.gcLock.path
    let lock: FileLock?
    do {
      lock = try FileLock.attempt(path)
    } catch {
      throw RegistryError(error.relabelled("cannot open the collector lock"))
    }
    guard let lock else {
      throw RegistryError(.failedPrecondition, "\(path): another garbage collection is running in this store")
    }
    return lock
  }

  /// The pid in a holder `user@host pid N`, when the host is this one.
  static func holderPID(_ holder: String, host: String) -> pid_t? {
    let parts = holder.split(separator: " ")
    guard parts.count == 3, parts[1] == "pid", parts[0].hasSuffix("@" + host), let pid = pid_t(parts[2]) else {
      return nil
    }
    return pid
  }
}
