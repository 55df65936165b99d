import Foundation
import RegistryTestSupport
import Testing

@testable import RegistryCommands

/// Object files of 2^62 bytes (sparse, on tmpfs, which allows them; ext4 stops at 16 TiB) that
/// someone put in the store: fsck and gc add their sizes up without an overflow trap.
@Suite("huge sparse object files")
struct HugeSparseObjectTests {
  static let hugeSparseFiles: Bool = {
    let path = "/dev/shm/registry-probe-\(UUID().uuidString)"
    guard FileManager.default.createFile(atPath: path, contents: nil) else { return false }
    defer { try? FileManager.default.removeItem(atPath: path) }
    guard let handle = FileHandle(forWritingAtPath: path) else { return false }
    defer { try? handle.close() }
    return (try? handle.truncate(atOffset: 1 << 62)) != nil
  }()

  @Test(
    "fsck reports two 2^62-byte objects, sums their bytes to Int64.max, and --repair leaves them; gc collects them",
    .enabled(if: hugeSparseFiles))
  func fsckAndGC() throws {
    let root = "/dev/shm/registry-huge-store-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: root) }
    let model = try Repository.Fixtures.model("finetune_base").path
    #expect(InProcess.run("--store", root, "push", model, "--name", "mlp").status == 0)
    for digit in ["a", "b"] {
      let hex = String(repeating: digit, count: 64)
      let directory = "\(root)/objects/sha256/\(digit)\(digit)/\(digit)\(digit)"
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      // A well-formed identity header whose length agrees with the file's size.
      let length = UInt64(1 << 62) - 16
      let header = Array("RGOB".utf8) + [1, 0, 1, 0] + (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
      FileManager.default.createFile(atPath: "\(directory)/\(hex)", contents: Data(header))
      let handle = try #require(FileHandle(forWritingAtPath: "\(directory)/\(hex)"))
      try handle.truncate(atOffset: 1 << 62)
      try handle.close()
      // Older than the collector's one-second clock slack, so gc --grace 0s takes them.
      let past = Date().addingTimeInterval(-10)
      try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: "\(directory)/\(hex)")
    }
    let fsck = InProcess.run("--store", root, "fsck", "--json")
    #expect(fsck.status == 1, "\(fsck.stderr)")
    let report = try JSONSerialization.jsonObject(with: Data(fsck.stdout.utf8)) as? [String: Any]
    #expect((report?["bytes_checked"] as? NSNumber)?.int64Value == .max, "\(fsck.stdout)")
    #expect((report?["corrupt"] as? [Any])?.count == 2, "\(fsck.stdout)")
    // Refused for TENSOR_BYTES, not found damaged: --repair leaves them where they are.
    let repair = InProcess.run("--store", root, "fsck", "--repair", "--json")
    #expect(repair.status == 1, "\(repair.stderr)")
    #expect(repair.stdout.contains("TENSOR_BYTES"), "\(repair.stdout)")
    let repaired = try JSONSerialization.jsonObject(with: Data(repair.stdout.utf8)) as? [String: Any]
    #expect((repaired?["quarantined"] as? [Any])?.isEmpty == true, "\(repair.stdout)")
    let gc = InProcess.run("--store", root, "gc", "--grace", "0s", "--json")
    #expect(gc.status == 0, "\(gc.stderr)")
    let collected = try JSONSerialization.jsonObject(with: Data(gc.stdout.utf8)) as? [String: Any]
    #expect((collected?["bytes_freed"] as? NSNumber)?.int64Value == .max, "\(gc.stdout)")
  }
}
