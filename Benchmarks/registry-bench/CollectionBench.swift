import Catalog
import ContentStore
import Dispatch
import Foundation
import Registry
import RegistryCore

#if canImport(Glibc)
  import Glibc
#endif

/// A store of `objects` small objects (1 KiB each) and `versions` versions of 100 objects each
/// (consecutive versions share most of them); 30% of the versions are removed and everything is
/// aged past the grace period; then a dry run and a real collection are timed.
enum CollectionBench {
  static func run(directory: URL, objects objectCount: Int, versions versionCount: Int) throws {
    try? FileManager.default.removeItem(at: directory)
    let registry = try Registry(root: directory)
    let start = Date()
    var digests: [Digest] = []
    digests.reserveCapacity(objectCount)
    let batchSize = 5000
    var next = 0
    while next < objectCount {
      let batch = try registry.objects.makeBatch()
      for index in next..<min(objectCount, next + batchSize) {
        var bytes = [UInt8](repeating: 0, count: 1024)
        withUnsafeBytes(of: UInt64(index).littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        for position in stride(from: 8, to: 1024, by: 8) {
          withUnsafeBytes(of: (UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(position)).littleEndian) {
            bytes.replaceSubrange(position..<(position + 8), with: $0)
          }
        }
        digests.append(try bytes.withUnsafeBytes { try batch.stage($0) }.digest)
      }
      try batch.commit()
      next += batchSize
    }
    print(String(format: "wrote %d objects in %.1f s", objectCount, Date().timeIntervalSince(start)))

    let perVersion = 100
    let stride = max(1, (objectCount - perVersion) / max(1, versionCount - 1))
    let catalogStart = Date()
    for number in 0..<versionCount {
      let first = min(number * stride, objectCount - perVersion)
      let pieces = (first..<(first + perVersion)).map {
        (offset: Int64($0 - first) * 1024, digest: digests[$0], size: Int64(1024))
      }
      var version = NewVersion(
        model: "model-\(number % 10)", createdBy: "bench@host", manifest: digests[first],
        logicalBytes: Int64(perVersion * 1024))
      version.files = [
        NewVersion.File(
          path: "variables/variables.data-00000-of-00001", kind: .file, mode: 0o644, size: Int64(perVersion * 1024),
          sha256: digests[first], objects: pieces)
      ]
      version.objects = pieces.map {
        NewVersion.Object(digest: $0.digest, size: 1024, storedSize: 1040, encoding: .identity)
      }
      _ = try registry.catalog.insert(version, releasing: nil)
    }
    print(String(format: "recorded %d versions in %.1f s", versionCount, Date().timeIntervalSince(catalogStart)))
    let removed = Int(Double(versionCount) * 0.3)
    for number in 0..<removed {
      let model = "model-\(number % 10)"
      _ = try registry.remove(Reference(model: model, selector: .number(number / 10 + 1)))
    }
    // Age everything past the grace period.
    var times = [
      timespec(tv_sec: time(nil) - 7 * 86_400, tv_nsec: 0), timespec(tv_sec: time(nil) - 7 * 86_400, tv_nsec: 0),
    ]
    for digest in digests { _ = utimensat(AT_FDCWD, registry.objects.path(for: digest), &times, 0) }

    var options = CollectionOptions()
    options.dryRun = true
    let dryStart = Date()
    let dry = try registry.collect(options)
    let dryTime = Date().timeIntervalSince(dryStart)
    options.dryRun = false
    let realStart = Date()
    let real = try registry.collect(options)
    let realTime = Date().timeIntervalSince(realStart)
    print("store: \(objectCount) objects, \(versionCount) versions, \(removed) removed before collecting")
    print("| run | time | objects deleted | bytes freed | objects referenced |")
    print("|---|---|---|---|---|")
    print(
      String(
        format: "| gc --dry-run | %.2f s | %d | %lld | %d |", dryTime, dry.objectsDeleted.count, dry.bytesFreed,
        dry.objectsReferenced))
    print(
      String(
        format: "| gc | %.2f s | %d | %lld | %d |", realTime, real.objectsDeleted.count, real.bytesFreed,
        real.objectsReferenced))
    print("dry run set equals real run set: \(dry.objectsDeleted == real.objectsDeleted)")
  }
}
