import Catalog
import ContentStore
import Dispatch
import Foundation
import RegistryCore
import Synchronization

/// What `fsck` found (and, with `--repair`, did).
public struct FsckReport: Sendable, Codable {
  public struct Damaged: Sendable, Codable, Equatable {
    public let digest: String
    public let problem: String
    /// Live versions that need this object.
    public let versions: [String]
  }

  public struct UnreadableVersion: Sendable, Codable, Equatable {
    /// `model:number`.
    public let version: String
    public let problem: String
  }

  public let objectsChecked: Int
  public let bytesChecked: Int64
  public let versionsChecked: Int
  /// Objects whose bytes no longer hash to their name, or that cannot be decoded.
  public let corrupt: [Damaged]
  /// Objects a live version needs that are not in the store.
  public let missing: [Damaged]
  /// Versions whose catalog rows disagree with their manifest.
  public let catalogMismatches: [String]
  /// Live versions that could not be checked at all: their catalog row does not read (a
  /// `manifest` column that is not a digest) or their manifest object is not a valid manifest.
  public let unreadableVersions: [UnreadableVersion]
  /// Objects no live version references (the collector removes them after the grace period).
  public let orphans: Int
  /// With `--repair`: where corrupt objects were moved, and whose rows were rebuilt.
  public let quarantined: [String]
  public let rebuilt: [String]
  /// Why the run could not be recorded in the event log (`fsck.run`), when it could not: a
  /// full disk or a read-only store must not cost the user what the check found.
  public internal(set) var eventLogProblem: String?

  /// True when every live version can be pulled and the catalog agrees with the store.
  public var isClean: Bool {
    corrupt.isEmpty && missing.isEmpty && unreadableVersions.isEmpty && catalogMismatches.count == rebuilt.count
  }

  /// Problems still standing: damaged, missing or unreadable, and catalog rows not rebuilt.
  public var problemCount: Int {
    corrupt.count + missing.count + unreadableVersions.count + catalogMismatches.count - rebuilt.count
  }

  /// The `fsck.run` event's detail: counts only (the digests are in the report), so the log
  /// stays small however damaged the store is.
  func eventDetail(repair: Bool) -> [String: String] {
    [
      "objects_checked": String(objectsChecked), "bytes_checked": String(bytesChecked),
      "versions_checked": String(versionsChecked), "problems": String(problemCount),
      "corrupt": String(corrupt.count), "missing": String(missing.count),
      "unreadable": String(unreadableVersions.count), "mismatched": String(catalogMismatches.count),
      "orphans": String(orphans), "repair": repair ? "yes" : "no", "quarantined": String(quarantined.count),
      "rebuilt": String(rebuilt.count), "result": isClean ? "clean" : "problems found",
    ]
  }
}

extension Registry {
  /// Re-hashes every object, checks every live version's manifest against the store and the
  /// catalog, and finds orphans.
  ///
  /// - Parameter repair: move corrupt objects to `quarantine/` (a later push of the same
  ///   content stores them again) and rebuild catalog file rows from manifests.
  public func fsck(repair: Bool) throws(RegistryError) -> FsckReport {
    do {
      let stored = try objects.walk()
      let corruptProblems = Locked<[Digest: String]>([:])
      // Objects refused for a limit (resource_exhausted), not found as damaged: reported, never
      // quarantined, so lowering a limit cannot make `--repair` move good objects aside.
      let overLimit = Locked<Set<Digest>>([])
      let next = Atomic<Int>(0)
      let store = objects
      DispatchQueue.concurrentPerform(iterations: max(2, ProcessInfo.processInfo.activeProcessorCount)) { _ in
        while true {
          let index = next.add(1, ordering: .relaxed).oldValue
          guard index < stored.count else { return }
          do throws(StoreError) {
            _ = try store.read(stored[index].digest)
          } catch {
            corruptProblems.withLock { $0[stored[index].digest] = error.problem }
            if error.category == .resourceExhausted { overLimit.withLock { _ = $0.insert(stored[index].digest) } }
          }
        }
      }
      let corrupt = corruptProblems.withLock { $0 }
      let onDisk = Set(stored.map(\.digest))

      var needers: [Digest: [String]] = [:]
      var missing: [Digest: String] = [:]
      var mismatches: [(VersionSummary, Manifest)] = []
      var referenced = Set<Digest>()
      var unreadable: [FsckReport.UnreadableVersion] = []
      // A damaged row or manifest is a problem of its version, reported by name; the other
      // versions are still checked.
      let rows = try catalog.liveVersionsEach()
      for (reference, summary) in rows {
        let version: VersionSummary
        switch summary {
        case .success(let read): version = read
        case .failure(let error):
          unreadable.append(.init(version: reference, problem: error.message))
          continue
        }
        let manifestDigest = version.manifest
        referenced.insert(manifestDigest)
        needers[manifestDigest, default: []].append(version.reference)
        guard onDisk.contains(manifestDigest), corrupt[manifestDigest] == nil else {
          if !onDisk.contains(manifestDigest) {
            missing[manifestDigest] = "manifest of \(version.reference) is missing"
          }
          continue
        }
        let manifest: Manifest
        do {
          manifest = try self.manifest(of: version)
        } catch {
          unreadable.append(.init(version: reference, problem: error.message))
          continue
        }
        for digest in manifest.objectDigests {
          referenced.insert(digest)
          needers[digest, default: []].append(version.reference)
          if !onDisk.contains(digest) { missing[digest] = "object is missing from the store" }
        }
        let rows = try catalog.fileObjects(of: version.id)
        let expected = Dictionary(
          uniqueKeysWithValues: manifest.entries.filter { $0.kind == .file }.map { entry in
            (entry.path, (entry.objects ?? []).map { ($0.digest, $0.size) })
          })
        let agrees =
          Set(rows.keys) == Set(expected.keys)
          && rows.allSatisfy { path, pieces in
            let want = expected[path] ?? []
            return pieces.count == want.count && zip(pieces, want).allSatisfy { $0.digest == $1.0 && $0.size == $1.1 }
          }
        if !agrees { mismatches.append((version, manifest)) }
      }

      for (reference, digest) in try catalog.liveCardDigests() {
        referenced.insert(digest)
        needers[digest, default: []].append(reference)
        if !onDisk.contains(digest) { missing[digest] = "model card of \(reference) is missing from the store" }
      }

      var quarantined: [String] = []
      var rebuilt: [String] = []
      if repair {
        let keep = overLimit.withLock { $0 }
        for digest in corrupt.keys.sorted() where !keep.contains(digest) {
          quarantined.append(try objects.quarantine(digest))
        }
        for (version, manifest) in mismatches {
          try catalog.rebuildFileRows(version.id, files: Self.fileRows(manifest), actor: Self.actor)
          rebuilt.append(version.reference)
        }
      }
      func damaged(_ problems: [Digest: String]) -> [FsckReport.Damaged] {
        problems.keys.sorted().map {
          FsckReport.Damaged(digest: $0.description, problem: problems[$0] ?? "", versions: needers[$0] ?? [])
        }
      }
      var report = FsckReport(
        objectsChecked: stored.count, bytesChecked: Limits.saturatingSum(stored.map(\.storedSize)),
        versionsChecked: rows.count,
        corrupt: damaged(corrupt), missing: damaged(missing), catalogMismatches: mismatches.map(\.0.reference),
        unreadableVersions: unreadable,
        orphans: onDisk.subtracting(referenced).count, quarantined: quarantined, rebuilt: rebuilt)
      do {
        try catalog.recordCheck(actor: Self.actor, detail: report.eventDetail(repair: repair))
      } catch {
        report.eventLogProblem = error.message
      }
      return report
    } catch {
      throw RegistryError.wrap(error)
    }
  }

  /// Catalog file rows as a manifest describes them.
  static func fileRows(_ manifest: Manifest) -> [NewVersion.File] {
    manifest.entries.map { entry in
      var offset: Int64 = 0
      let objects = (entry.objects ?? []).map { piece -> (offset: Int64, digest: Digest, size: Int64) in
        defer { offset += piece.size }
        return (offset, piece.digest, piece.size)
      }
      return NewVersion.File(
        path: entry.path, kind: entry.kind, mode: Int(entry.mode), size: entry.size,
        sha256: entry.sha256, objects: objects)
    }
  }
}
