import Foundation
import RegistryTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// docs/store.md promises that reading commands work on a store the user cannot write: a store
/// shared read-only, or on read-only media. CI runs as root, so these run the binary as `nobody`
/// through `setpriv`; they are skipped only where that is impossible (not root, no setpriv).
@Suite(
  "a store shared read-only",
  .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
struct ReadOnlyStoreTests {
  static func asNobody(_ arguments: [String]) throws -> CommandLineTests.Result {
    try CommandLineTests.start(
      arguments, through: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    ).finish()
  }

  @Test("list, show, pull, sql, diff and run work for a user who cannot write the store; writes refuse clearly")
  func readsWithoutWriteAccess() throws {
    let scratch = try makeTemporaryDirectory("shared-read-only")
    #expect(chmod(scratch.path, 0o755) == 0)
    let store = scratch.appendingPathComponent("store").path
    for fixture in ["finetune_base", "finetune_head"] {
      #expect(
        InProcess.run("--store", store, "push", try Repository.Fixtures.model(fixture).path, "--name", "m").status == 0)
    }
    let out = scratch.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    #expect(chmod(out.path, 0o777) == 0)
    // The last writer closed: no -wal or -shm left, the state that made every read fail before.
    #expect(!FileManager.default.fileExists(atPath: store + "/catalog.sqlite-wal"))
    let input = out.appendingPathComponent("x.json")
    try Data("[[1, 2, 3, 4]]".utf8).write(to: input)
    #expect(chmod(input.path, 0o644) == 0)
    let before = try FileManager.default.subpathsOfDirectory(atPath: store).sorted()

    let reads: [[String]] = [
      ["list"], ["list", "m"], ["show", "m:2"], ["diff", "m:1", "m:2"], ["log", "m"], ["lineage", "m:2"],
      ["sql", "SELECT count(*) FROM versions"], ["events"],
      ["pull", "m:1", "--to", out.appendingPathComponent("pulled").path],
    ]
    for arguments in reads {
      let result = try Self.asNobody(["--store", store] + arguments)
      #expect(result.status == 0, "\(arguments): \(result.status) \(result.stderr)")
    }
    let pulled = out.appendingPathComponent("pulled/saved_model.pb").path
    #expect(FileManager.default.fileExists(atPath: pulled))

    for arguments in [["gc"], ["push", try Repository.Fixtures.model("keras2_mlp").path, "--name", "x"]] {
      let result = try Self.asNobody(["--store", store] + arguments)
      #expect(result.status == 7, "\(arguments): \(result.status) \(result.stderr)")
      #expect(result.stderr.contains("not writable"), "\(result.stderr)")
    }
    #expect(try FileManager.default.subpathsOfDirectory(atPath: store).sorted() == before)
  }
}
