import Catalog
import ContentStore
import Foundation
import RegistryCore
import Testing

@testable import Registry

#if canImport(Glibc)
  import Glibc
#endif

@Suite("removal, garbage collection and fsck")
struct LifecycleTests {
  /// Sets an object file's modification time `seconds` into the past.
  func age(_ path: String, by seconds: Int) {
    var times = [timespec(tv_sec: time(nil) - seconds, tv_nsec: 0), timespec(tv_sec: time(nil) - seconds, tv_nsec: 0)]
    _ = utimensat(AT_FDCWD, path, &times, 0)
  }

  func ageAllObjects(_ registry: Registry, by seconds: Int = 7200) throws {
    for object in try registry.objects.walk() { age(registry.objects.path(for: object.digest), by: seconds) }
  }

  func options(dryRun: Bool = false, grace: TimeInterval = 60, keepLast: Int? = nil) -> CollectionOptions {
    var options = CollectionOptions()
    options.dryRun = dryRun
    options.grace = grace
    options.retention.keepLast = keepLast
    return options
  }

  @Test("rm hides a version, refuses while an alias points at it, and cannot be repeated")
  func removal() throws {
    let registry = try TestSupport.newRegistry()
    _ = try registry.push(TestSupport.model("finetune_base"), PushOptions(model: "m"))
    _ = try registry.push(TestSupport.model("finetune_head"), PushOptions(model: "m"))
    _ = try registry.setAlias("prod", model: "m", version: 1, force: false)
    do {
      _ = try registry.remove(Reference(parsing: "m:1"))
      Issue.record("removed an alias target")
    } catch {
      #expect(error.category == .failedPrecondition && error.message.contains("m@prod"))
    }
    _ = try registry.remove(Reference(parsing: "m:2"))
    #expect(try registry.versions(of: "m").map(\.number) == [1])
    #expect(throws: RegistryError.self) { _ = try registry.resolve(Reference(parsing: "m:2")) }
    #expect(throws: RegistryError.self) { _ = try registry.remove(Reference(parsing: "m:2")) }
    #expect(try registry.history("m").map { $0.removedAt != nil } == [false, true])
  }

  @Test("gc frees what only removed versions used, keeps what live ones share, and they still pull")
  func collection() throws {
    let registry = try TestSupport.newRegistry()
    _ = try registry.push(TestSupport.model("finetune_base"), PushOptions(model: "m"))
    _ = try registry.push(TestSupport.model("finetune_head"), PushOptions(model: "m"))
    let before = Set(try registry.objects.walk().map(\.digest))
    let headManifest = try registry.manifest(of: try registry.resolve(Reference(parsing: "m:2")))
    _ = try registry.remove(Reference(parsing: "m:2"))
    try ageAllObjects(registry)

    let report = try registry.collect(options())
    let after = Set(try registry.objects.walk().map(\.digest))
    let baseManifest = try registry.manifest(of: try registry.resolve(Reference(parsing: "m:1")))
    var baseObjects = baseManifest.objectDigests
    baseObjects.insert(Digest.of(baseManifest.canonicalBytes()))
    #expect(after == baseObjects)
    #expect(Set(report.objectsDeleted.compactMap { Digest($0) }) == before.subtracting(baseObjects))
    #expect(!headManifest.objectDigests.subtracting(baseObjects).isEmpty)
    #expect(report.bytesFreed > 0)
    let target = try TestSupport.temporaryDirectory("pull").appendingPathComponent("m1")
    _ = try registry.pull(Reference(parsing: "m:1"), to: target, replacing: false)
    #expect(
      try TestSupport.tree(target).filter { !$0.value.hasPrefix("dir") }
        == TestSupport.tree(TestSupport.model("finetune_base")).filter { !$0.value.hasPrefix("dir") })
    #expect(try registry.fsck(repair: false).isClean)
  }

  @Test("a dry run reports exactly the set a real run then deletes, retention included")
  func dryRunEqualsRealRun() throws {
    let registry = try TestSupport.newRegistry()
    for fixture in ["finetune_base", "finetune_head", "lstm", "attention"] {
      _ = try registry.push(TestSupport.model(fixture), PushOptions(model: "m"))
    }
    _ = try registry.push(TestSupport.model("keras2_mlp"), PushOptions(model: "other"))
    _ = try registry.setAlias("prod", model: "m", version: 1, force: false)
    try ageAllObjects(registry)
    let dry = try registry.collect(options(dryRun: true, keepLast: 1))
    #expect(dry.versionsRemoved == ["m:2", "m:3"])
    #expect(!dry.objectsDeleted.isEmpty)
    #expect(try registry.versions(of: "m").count == 4)
    let objectsBefore = try registry.objects.walk().count
    let real = try registry.collect(options(keepLast: 1))
    #expect(real.versionsRemoved == dry.versionsRemoved)
    #expect(real.objectsDeleted == dry.objectsDeleted)
    #expect(real.bytesFreed == dry.bytesFreed)
    #expect(try registry.objects.walk().count == objectsBefore - real.objectsDeleted.count)
    #expect(try registry.versions(of: "m").map(\.number) == [1, 4])
    #expect(try registry.collect(options(dryRun: true, keepLast: 1)).objectsDeleted.isEmpty)
  }

  @Test("unreferenced objects younger than the grace period are kept")
  func grace() throws {
    let registry = try TestSupport.newRegistry()
    _ = try registry.push(TestSupport.model("finetune_base"), PushOptions(model: "m"))
    _ = try registry.remove(Reference(parsing: "m:1"))
    let report = try registry.collect(options(grace: 3600))
    #expect(report.objectsDeleted.isEmpty)
    #expect(report.objectsKeptYoung == (try registry.objects.walk().count))
    // Past the collector's one-second clock slack, no grace keeps nothing.
    try ageAllObjects(registry, by: 2)
    #expect(try registry.collect(options(grace: 0)).objectsKeptYoung == 0)
    #expect(try registry.objects.walk().isEmpty)
  }

  @Test("a live push's lease protects everything written since it began; a dead one's does not")
  func leases() throws {
    let registry = try TestSupport.newRegistry()
    func orphan(_ text: String) throws -> Digest {
      let batch = try registry.objects.makeBatch()
      let staged = try Array(text.utf8).withUnsafeBytes { try batch.stage($0) }
      try batch.commit()
      return staged.digest
    }
    let old = try orphan("written before the push began")
    age(registry.objects.path(for: old), by: 600)
    let lease = try registry.catalog.beginLease(purpose: "test push", holder: Registry.holder, duration: 3600)
    usleep(20_000)
    let fresh = try orphan("written by the push in flight")
    // With no grace at all, only the lease keeps the push's new object.
    var report = try registry.collect(options(grace: 0))
    #expect(report.objectsDeleted == [old.description])
    #expect(report.leasesActive == 1)
    #expect(registry.objects.contains(fresh))

    // A lease whose process is gone is dropped, and stops protecting.
    registry.catalog.endLease(lease)
    age(registry.objects.path(for: fresh), by: 2)  // past the collector's one-second clock slack
    _ = try registry.catalog.beginLease(purpose: "killed push", holder: "\(Registry.actor) pid 999999", duration: 3600)
    report = try registry.collect(options(grace: 0))
    #expect(report.leasesExpired.count == 1)
    #expect(report.objectsDeleted == [fresh.description])
  }

  @Test("a collector refuses to start while another holds the lock")
  func oneCollectorAtATime() throws {
    let registry = try TestSupport.newRegistry()
    let descriptor = open(registry.root.appendingPathComponent("gc.lock").path, O_RDWR | O_CREAT, 0o644)
    #expect(flock(descriptor, LOCK_EX) == 0)
    defer { close(descriptor) }
    do {
      _ = try registry.collect(options())
      Issue.record("two collectors ran at once")
    } catch {
      #expect(error.category == .failedPrecondition)
    }
  }

  @Test("fsck finds corrupt and missing objects, names the versions, and --repair quarantines")
  func fsck() throws {
    let registry = try TestSupport.newRegistry()
    _ = try registry.push(TestSupport.model("finetune_base"), PushOptions(model: "m"))
    _ = try registry.push(TestSupport.model("finetune_head"), PushOptions(model: "m"))
    #expect(try registry.fsck(repair: false).isClean)

    let head = try registry.manifest(of: try registry.resolve(Reference(parsing: "m:2")))
    let base = try registry.manifest(of: try registry.resolve(Reference(parsing: "m:1")))
    let onlyHead = try #require(head.objectDigests.subtracting(base.objectDigests).sorted().first)
    let shared = try #require(head.objectDigests.intersection(base.objectDigests).sorted().first)
    let path = registry.objects.path(for: onlyHead)
    chmod(path, 0o644)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[bytes.count - 1] ^= 0xFF
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    try FileManager.default.removeItem(atPath: registry.objects.path(for: shared))

    let report = try registry.fsck(repair: false)
    #expect(!report.isClean)
    #expect(report.corrupt.map(\.digest) == [onlyHead.description])
    #expect(report.corrupt.first?.versions == ["m:2"])
    #expect(report.missing.map(\.digest) == [shared.description])
    #expect(Set(report.missing.first?.versions ?? []) == ["m:1", "m:2"])

    let repaired = try registry.fsck(repair: true)
    #expect(repaired.quarantined.count == 1)
    #expect(!registry.objects.contains(onlyHead))
    // Pushing the same content again heals the store.
    _ = try registry.push(TestSupport.model("finetune_head"), PushOptions(model: "heal"))
    _ = try registry.push(TestSupport.model("finetune_base"), PushOptions(model: "heal"))
    #expect(try registry.fsck(repair: false).isClean)
  }
}

extension LifecycleTests {
  @Test("fsck finds catalog rows that disagree with a manifest, and --repair rebuilds them")
  func rebuildRows() throws {
    let registry = try TestSupport.newRegistry()
    _ = try registry.push(TestSupport.model("finetune_base"), PushOptions(model: "m"))
    let version = try registry.resolve(Reference(parsing: "m:1"))
    let correct = try registry.catalog.fileObjects(of: version.id)
    // Damage the rows: drop every file's objects.
    try registry.catalog.rebuildFileRows(version.id, files: [], actor: "test")
    let report = try registry.fsck(repair: false)
    #expect(report.catalogMismatches == ["m:1"] && !report.isClean)
    let repaired = try registry.fsck(repair: true)
    #expect(repaired.rebuilt == ["m:1"] && repaired.isClean)
    let rebuilt = try registry.catalog.fileObjects(of: version.id)
    #expect(rebuilt.mapValues { $0.map(\.digest) } == correct.mapValues { $0.map(\.digest) })
    #expect(try registry.fsck(repair: false).isClean)
  }
}

extension LifecycleTests {
  /// The detail of the newest `fsck.run` event, decoded.
  func lastCheck(_ registry: Registry) throws -> [String: String] {
    let event = try #require(try registry.events(model: nil, action: "fsck.run", before: nil, limit: 1).first)
    return try JSONDecoder().decode([String: String].self, from: Data(event.detail.utf8))
  }

  @Test("every fsck run is an fsck.run event with its counts and whether it repaired, as gc logs a gc")
  func checkIsLogged() throws {
    let registry = try TestSupport.newRegistry()
    _ = try registry.push(TestSupport.model("finetune_base"), PushOptions(model: "m"))
    let clean = try registry.fsck(repair: false)
    #expect(clean.eventLogProblem == nil)
    let first = try lastCheck(registry)
    #expect(first["objects_checked"] == String(clean.objectsChecked) && clean.objectsChecked > 0)
    #expect(first["versions_checked"] == "1" && first["problems"] == "0")
    #expect(first["repair"] == "no" && first["result"] == "clean")

    let digest = try #require(
      try registry.manifest(of: try registry.resolve(Reference(parsing: "m:1"))).objectDigests.min())
    try FileManager.default.removeItem(atPath: registry.objects.path(for: digest))
    let damaged = try registry.fsck(repair: true)
    let second = try lastCheck(registry)
    #expect(second["missing"] == "1" && second["problems"] == String(damaged.problemCount) && damaged.problemCount >= 1)
    #expect(second["repair"] == "yes" && second["result"] == "problems found")
    #expect(try registry.statistics().lastCheck?.detail.contains("\"repair\":\"yes\"") == true)
    #expect(try registry.events(model: nil, action: "fsck.run", before: nil, limit: 10).count == 2)
  }

  @Test("a store opened read-only is still checked; the report says the run could not be logged")
  func checkOnReadOnlyStore() throws {
    let writable = try TestSupport.newRegistry()
    _ = try writable.push(TestSupport.model("finetune_base"), PushOptions(model: "m"))
    let reader = try Registry(root: writable.root, access: .readOnly)
    let report = try reader.fsck(repair: false)
    #expect(report.isClean && report.objectsChecked > 0)
    #expect(report.eventLogProblem != nil)
    #expect(try writable.events(model: nil, action: "fsck.run", before: nil, limit: 10).isEmpty)
  }
}
