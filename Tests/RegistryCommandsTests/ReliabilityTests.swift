import Foundation
import RegistryTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The store under concurrent pushes, killed pushes, a full disk and a read-only file system,
/// driven through the real `registry` binary in separate processes.
@Suite("store reliability", .serialized)
struct ReliabilityTests {
  static let fixtures = Repository.root.appendingPathComponent("Fixtures")

  static func model(_ name: String) -> String { fixtures.appendingPathComponent("\(name)/model").path }

  static func newStore() throws -> String {
    try makeTemporaryDirectory("store").path
  }

  /// Path -> sha256 of every file below `root` (the same check as `diff -r` plus hashes).
  static func hashes(_ root: String) throws -> [String: String] {
    var result: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let relative = enumerator?.nextObject() as? String {
      var isDirectory: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
      if isDirectory.boolValue { continue }
      let data = try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative))
      result[relative] = CommandLineTests.sha256(data)
    }
    return result
  }

  static func versions(store: String, model: String) throws -> [(number: Int, message: String)] {
    let result = try CommandLineTests.run("--store", store, "list", model, "--json")
    guard result.status == 0 else { return [] }
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let versions = object?["versions"] as? [[String: Any]] ?? []
    return versions.map { (($0["number"] as? Int) ?? 0, ($0["message"] as? String) ?? "") }
  }

  /// Pulls `model:number` and checks it against the fixture it was pushed from.
  static func expectPullsExactly(
    store: String, model: String, number: Int, fixture: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let target = try makeTemporaryDirectory("pull").appendingPathComponent("model").path
    let pulled = try CommandLineTests.run("--store", store, "pull", "\(model):\(number)", "--to", target)
    #expect(pulled.status == 0, "\(pulled.stderr)", sourceLocation: sourceLocation)
    #expect(
      try hashes(target) == hashes(Self.model(fixture)), "\(model):\(number) from \(fixture)",
      sourceLocation: sourceLocation)
  }

  @Test("pushes from four processes at once all succeed with distinct version numbers")
  func concurrentPushes() throws {
    let store = try Self.newStore()
    let jobs = [("shared", "keras2_mlp"), ("shared", "lstm"), ("other", "attention"), ("shared", "mobilenet_v2")]
    let processes = try jobs.map { model, fixture in
      try CommandLineTests.start("--store", store, "push", Self.model(fixture), "--name", model, "--message", fixture)
    }
    for (process, job) in zip(processes, jobs) {
      let result = process.finish()
      #expect(result.status == 0, "\(job): \(result.stderr)")
    }
    let shared = try Self.versions(store: store, model: "shared")
    #expect(shared.map(\.number) == [1, 2, 3])
    #expect(Set(shared.map(\.message)) == ["keras2_mlp", "lstm", "mobilenet_v2"])
    for version in shared {
      try Self.expectPullsExactly(store: store, model: "shared", number: version.number, fixture: version.message)
    }
    #expect(try Self.versions(store: store, model: "other").map(\.number) == [1])
  }

  @Test("a push killed with SIGKILL at random moments never leaves a visible partial version")
  func killedPushes() throws {
    let store = try Self.newStore()
    let rounds = Int(ProcessInfo.processInfo.environment["REGISTRY_KILL_ROUNDS"] ?? "") ?? 16
    let sources = ["mobilenet_v2", "keras3_cnn_bn"]
    var generator = TestSeed.generator(for: "killedPushes")
    var verified = Set<Int>()
    for round in 0..<rounds {
      let fixture = sources[round % 2]
      let process = try CommandLineTests.start(
        "--store", store, "push", Self.model(fixture), "--name", "victim", "--message", fixture)
      usleep(UInt32.random(in: 0..<120_000, using: &generator))
      kill(process.process.processIdentifier, SIGKILL)
      _ = process.finish()
      // Every version that is visible now, whether the kill came before or after its commit,
      // must pull back byte-exact, and so must every version seen before.
      for version in try Self.versions(store: store, model: "victim") {
        try Self.expectPullsExactly(store: store, model: "victim", number: version.number, fixture: version.message)
        verified.insert(version.number)
      }
    }
    let final = try Self.versions(store: store, model: "victim").map(\.number)
    #expect(Set(final) == verified)
    // The store still works: a clean push after all the kills succeeds.
    let clean = try CommandLineTests.run(
      "--store", store, "push", Self.model("lstm"), "--name", "victim", "--message", "lstm")
    #expect(clean.status == 0, "\(clean.stderr)")
  }

  static let canMount: Bool = {
    guard getuid() == 0, let directory = try? makeTemporaryDirectory("mount-probe") else { return false }
    defer { _ = Glibc.umount(directory.path) }
    return mount("tmpfs", directory.path, "tmpfs", 0, "size=64k") == 0
  }()

  /// Mounts a small tmpfs, runs `body` with its path, unmounts.
  static func withTmpfs(size: String, _ body: (String) throws -> Void) throws {
    let directory = try makeTemporaryDirectory("tmpfs").path
    guard mount("tmpfs", directory, "tmpfs", 0, "size=\(size)") == 0 else {
      Issue.record("mount failed: \(String(cString: strerror(errno)))")
      return
    }
    defer { _ = Glibc.umount2(directory, Int32(MNT_DETACH)) }
    try body(directory)
  }

  @Test("a full disk fails the push clearly and keeps every earlier version", .enabled(if: canMount))
  func diskFull() throws {
    try Self.withTmpfs(size: "1200k") { root in
      let store = root + "/store"
      let small = try CommandLineTests.run(
        "--store", store, "push", Self.model("keras2_mlp"), "--name", "m", "--message", "keras2_mlp")
      #expect(small.status == 0, "\(small.stderr)")
      let big = try CommandLineTests.run(
        "--store", store, "push", Self.model("mobilenet_v2"), "--name", "m", "--message", "mobilenet_v2")
      #expect(big.status == 7)
      #expect(big.stderr.contains("No space left on device"), "\(big.stderr)")
      #expect(big.stderr.split(separator: "\n").count == 1)
      #expect(try Self.versions(store: store, model: "m").map(\.number) == [1])
      try Self.expectPullsExactly(store: store, model: "m", number: 1, fixture: "keras2_mlp")
      #expect(try FileManager.default.contentsOfDirectory(atPath: store + "/ingest").isEmpty)
    }
  }

  @Test("a read-only store refuses a push clearly and keeps its versions", .enabled(if: canMount))
  func readOnlyStore() throws {
    try Self.withTmpfs(size: "8m") { root in
      let store = root + "/store"
      let first = try CommandLineTests.run(
        "--store", store, "push", Self.model("keras2_mlp"), "--name", "m", "--message", "keras2_mlp")
      #expect(first.status == 0, "\(first.stderr)")
      #expect(mount("tmpfs", root, "tmpfs", UInt(MS_REMOUNT | MS_RDONLY), "size=8m") == 0)
      let refused = try CommandLineTests.run("--store", store, "push", Self.model("lstm"), "--name", "m")
      #expect(refused.status != 0)
      #expect(refused.status == 7)
      #expect(refused.stderr.contains("read-only file system"), "\(refused.stderr)")
      #expect(refused.stderr.split(separator: "\n").count == 1)
      // Reading still works from read-only media.
      #expect(try Self.versions(store: store, model: "m").map(\.number) == [1])
      try Self.expectPullsExactly(store: store, model: "m", number: 1, fixture: "keras2_mlp")
      #expect(mount("tmpfs", root, "tmpfs", UInt(MS_REMOUNT), "size=8m") == 0)
      #expect(try Self.versions(store: store, model: "m").map(\.number) == [1])
      try Self.expectPullsExactly(store: store, model: "m", number: 1, fixture: "keras2_mlp")
    }
  }
}
