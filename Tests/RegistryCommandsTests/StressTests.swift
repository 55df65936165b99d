import Foundation
import RegistryTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Pushes, pulls and collections in several processes at once, with SIGKILL at random moments.
/// `REGISTRY_STRESS_ROUNDS` sets the number of rounds (default 30, about 15 seconds; raise it for a
/// longer run); `REGISTRY_TEST_SEED` replays a run (each run prints its seed).
@Suite("concurrent push, pull and gc with SIGKILL", .serialized)
struct StressTests {
  static let fixtures = ["keras2_mlp", "lstm", "finetune_base", "finetune_head", "keras3_cnn_bn", "attention"]

  @Test("every visible version pulls byte-exact, fsck is clean, nothing unreferenced stays")
  func stress() throws {
    let store = try ReliabilityTests.newStore()
    let rounds = Int(ProcessInfo.processInfo.environment["REGISTRY_STRESS_ROUNDS"] ?? "") ?? 30
    var generator = TestSeed.generator(for: "stress")
    var pulledOK = 0
    var killed = 0
    for round in 0..<rounds {
      var jobs: [(kind: String, fixture: String?, running: CommandLineTests.Running)] = []
      for _ in 0..<2 {
        let fixture = Self.fixtures.randomElement(using: &generator) ?? "lstm"
        let model = "m\(Int.random(in: 0..<3, using: &generator))"
        jobs.append(
          (
            "push", fixture,
            try CommandLineTests.start(
              "--store", store, "push", ReliabilityTests.model(fixture), "--name", model, "--message", fixture)
          ))
      }
      let visible = try Self.visible(store)
      if let target = visible.randomElement(using: &generator) {
        let destination = try makeTemporaryDirectory("stress-pull").appendingPathComponent("model").path
        jobs.append(
          (
            "pull \(destination)", target.fixture,
            try CommandLineTests.start("--store", store, "pull", target.reference, "--to", destination)
          ))
      }
      var gcArguments = ["--store", store, "gc", "--grace", "0s"]
      if round % 3 == 2 { gcArguments += ["--keep-last", "3"] }
      jobs.append(("gc", nil, try CommandLineTests.start(gcArguments)))

      usleep(UInt32.random(in: 0..<60_000, using: &generator))
      let victim = Int.random(in: 0..<jobs.count, using: &generator)
      kill(jobs[victim].running.process.processIdentifier, SIGKILL)

      for (index, job) in jobs.enumerated() {
        let result = job.running.finish()
        if index == victim && job.running.process.terminationReason == .uncaughtSignal {
          killed += 1
          continue
        }
        if job.kind == "gc", result.status != 0 {
          // Another collector holding the lock is the only acceptable refusal.
          #expect(result.stderr.contains("another garbage collection"), "\(result.stderr)")
        }
        if job.kind == "push" { #expect(result.status == 0, "push \(job.fixture ?? ""): \(result.stderr)") }
        if job.kind.hasPrefix("pull "), result.status == 0, let fixture = job.fixture {
          let destination = String(job.kind.dropFirst(5))
          #expect(try ReliabilityTests.hashes(destination) == ReliabilityTests.hashes(ReliabilityTests.model(fixture)))
          pulledOK += 1
        }
      }
    }

    // Every version visible now pulls byte for byte.
    let visible = try Self.visible(store)
    #expect(!visible.isEmpty)
    for version in visible {
      let destination = try makeTemporaryDirectory("final-pull").appendingPathComponent("model").path
      let result = try CommandLineTests.run("--store", store, "pull", version.reference, "--to", destination)
      #expect(result.status == 0, "\(version.reference): \(result.stderr)")
      #expect(
        try ReliabilityTests.hashes(destination) == ReliabilityTests.hashes(ReliabilityTests.model(version.fixture)))
    }
    // The store is consistent, and a collection with no grace leaves no unreferenced object:
    // the leases of killed pushes belong to dead processes and no longer protect anything.
    let fsck = try CommandLineTests.run("--store", store, "fsck", "--json")
    #expect(fsck.status == 0, "\(fsck.stdout)")
    sleep(2)  // past the collector's one-second clock slack
    let gc = try CommandLineTests.run("--store", store, "gc", "--grace", "0s")
    #expect(gc.status == 0, "\(gc.stderr)")
    let after = try CommandLineTests.run("--store", store, "fsck", "--json")
    let report = try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any]
    #expect(report?["orphans"] as? Int == 0)
    #expect(after.status == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: store + "/ingest").isEmpty)
    print(
      "stress: \(rounds) rounds, \(killed) processes killed, \(pulledOK) concurrent pulls verified, \(visible.count) versions at the end"
    )
  }

  static func visible(_ store: String) throws -> [(reference: String, fixture: String)] {
    let result = try CommandLineTests.run("--store", store, "list", "--json")
    guard result.status == 0 else { return [] }
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    var found: [(String, String)] = []
    for model in (object?["models"] as? [[String: Any]] ?? []).compactMap({ $0["name"] as? String }) {
      for version in try ReliabilityTests.versions(store: store, model: model) {
        found.append(("\(model):\(version.number)", version.message))
      }
    }
    return found
  }
}
