import Foundation
import RegistryTestSupport
import Testing

/// Containers limited to one CPU and small VMs are common: no command may depend on a second
/// thread making progress. Each command runs pinned to one CPU (`taskset -c 0`) under a time limit
/// (`timeout`, which exits 124 when it has to stop the command).
@Suite("one CPU")
struct OneCPUTests {
  static func pinned(_ arguments: String...) throws -> CommandLineTests.Result { try pinned(arguments) }

  static func pinned(_ arguments: [String]) throws -> CommandLineTests.Result {
    try CommandLineTests.start(arguments, through: ["/usr/bin/timeout", "120", "taskset", "-c", "0"]).finish()
  }

  @Test(
    "push, pull, run, fsck and gc finish on one CPU",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset")))
  func oneCPU() throws {
    let scratch = try makeTemporaryDirectory("one-cpu")
    let store = scratch.appendingPathComponent("store").path
    let model = try Repository.Fixtures.model("mobilenet_v2").path
    let push = try Self.pinned("--store", store, "push", model, "--name", "m")
    #expect(push.status == 0, "push: \(push.status) \(push.stderr)")
    let pull = try Self.pinned("--store", store, "pull", "m", "--to", scratch.appendingPathComponent("out").path)
    #expect(pull.status == 0, "pull: \(pull.status) \(pull.stderr)")
    let input = try Repository.path("Fixtures/mobilenet_v2/reference/inputs")
    let signature = try #require(try FileManager.default.contentsOfDirectory(atPath: input.path).sorted().first)
    let files = try FileManager.default.contentsOfDirectory(atPath: input.appendingPathComponent(signature).path)
    let inputs = files.sorted().flatMap { file in
      ["--input", "\(file.dropLast(4))=\(input.appendingPathComponent("\(signature)/\(file)").path)"]
    }
    let run = try Self.pinned(["--store", store, "run", "m", "--signature", signature] + inputs)
    #expect(run.status == 0, "run: \(run.status) \(run.stderr)")
    let fsck = try Self.pinned("--store", store, "fsck")
    #expect(fsck.status == 0, "fsck: \(fsck.status) \(fsck.stderr)")
    let gc = try Self.pinned("--store", store, "gc", "--grace", "0s")
    #expect(gc.status == 0, "gc: \(gc.status) \(gc.stderr)")
  }
}
