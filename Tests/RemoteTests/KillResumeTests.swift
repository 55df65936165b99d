import Foundation
import Registry
import RegistryTestSupport
import Testing

@testable import Remote

/// `registry export` and `registry import` killed with SIGKILL half-way through (the proxy
/// slows every blob so the kill lands mid-transfer), then run again: the rerun completes,
/// moves only what is missing, and nothing half-done is ever visible.
@Suite("killed transfers resume", .serialized, needsRegistryAndPython)
struct KillResumeTests {
  static let model = "mobilenet_v2"

  /// Runs the binary; returns its status, stdout and stderr.
  static func registry(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
    try RemoteSupport.run(RegistryBinary.url.path, arguments)
  }

  /// Starts the binary in the background.
  static func start(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = RegistryBinary.url
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// Waits (at most 60 s) until `count` requests matching `request` have passed the proxy, then
  /// kills `process` with SIGKILL.
  static func kill(_ process: Process, after count: Int, passing request: String, through proxy: HelperServer) throws {
    for _ in 0..<1200 {
      let passed = FlakyProxyTests.log(proxy).filter { $0.request.hasPrefix(request) && $0.outcome.hasPrefix("passed") }
      if passed.count >= count { break }
      try #require(process.isRunning, "the transfer ended before it could be killed")
      usleep(50_000)
    }
    Foundation.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal)
  }

  static func json(_ output: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
  }

  @Test("an export killed half-way leaves no tag; the rerun sends only the missing blobs")
  func export() throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let proxy = try FlakyProxyTests.proxy(to: server)
    defer { proxy.stop() }
    let root = try makeTemporaryDirectory("kill-export")
    let store = root.appendingPathComponent("store").path
    let model = try Repository.Fixtures.model(Self.model).path
    #expect(try Self.registry(["--store", store, "push", model, "--name", "m"]).status == 0)

    try proxy.control(#"{"delay": 1.0}"#)
    let killed = try Self.start(["--store", store, "export", "m", "oci://\(proxy.host)/team/m", "--jobs", "1"])
    try Self.kill(killed, after: 2, passing: "PUT /v2/team/m/blobs/", through: proxy)
    // No manifest, so no tag: nobody can pull a half-sent artifact.
    let tags = try Self.registry(["tags", "oci://\(server.host)/team/m", "--json"])
    #expect(tags.status != 0 || !String(decoding: tags.stdout, as: UTF8.self).contains("\"1\""))

    let rerun = try Self.registry(["--store", store, "export", "m", "oci://\(server.host)/team/m", "--json"])
    #expect(rerun.status == 0, "\(rerun.stderr)")
    let result = try Self.json(rerun.stdout)
    let blobs = try #require(result["blobs"] as? Int)
    let uploaded = try #require(result["uploaded"] as? Int)
    let skipped = try #require(result["skipped"] as? Int)
    // At least the two blobs whose PUT passed are not sent again (a third may have been in the
    // proxy's hands when the client died).
    #expect(skipped >= 2 && uploaded >= 1 && uploaded + skipped == blobs, "\(result)")

    let target = root.appendingPathComponent("target").path
    let imported = try Self.registry(["--store", target, "import", "oci://\(server.host)/team/m:1"])
    #expect(imported.status == 0, "\(imported.stderr)")
    let source = try Registry(root: URL(fileURLWithPath: store), access: .readOnly)
    let copy = try Registry(root: URL(fileURLWithPath: target), access: .readOnly)
    #expect(try RemoteSupport.pulledFiles(copy, "m:1") == RemoteSupport.pulledFiles(source, "m:1"))
  }

  @Test("an import killed half-way leaves no version; the rerun fetches only the missing layers")
  func `import`() throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let proxy = try FlakyProxyTests.proxy(to: server)
    defer { proxy.stop() }
    let root = try makeTemporaryDirectory("kill-import")
    let store = root.appendingPathComponent("store").path
    let model = try Repository.Fixtures.model(Self.model).path
    #expect(try Self.registry(["--store", store, "push", model, "--name", "m"]).status == 0)
    let exported = try Self.registry(["--store", store, "export", "m", "oci://\(server.host)/team/m", "--json"])
    #expect(exported.status == 0, "\(exported.stderr)")
    let blobs = try #require(try Self.json(exported.stdout)["blobs"] as? Int)

    let target = root.appendingPathComponent("target").path
    try proxy.control(#"{"delay": 1.5}"#)
    let killed = try Self.start(["--store", target, "import", "oci://\(proxy.host)/team/m:1", "--jobs", "1"])
    // The config and two layers through; the client stores each layer as it arrives, well
    // within the 1.5 s the next one is held.
    try Self.kill(killed, after: 3, passing: "GET /v2/team/m/blobs/", through: proxy)
    let listed = try Self.registry(["--store", target, "list", "--json"])
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(!String(decoding: listed.stdout, as: UTF8.self).contains("\"m\""), "a version is visible after the kill")

    let rerun = try Self.registry(["--store", target, "import", "oci://\(server.host)/team/m:1", "--json"])
    #expect(rerun.status == 0, "\(rerun.stderr)")
    let result = try Self.json(rerun.stdout)
    let downloaded = try #require(result["downloaded"] as? Int)
    let skipped = try #require(result["skipped"] as? Int)
    #expect(result["created"] as? Bool == true)
    #expect(skipped >= 1 && downloaded + skipped == blobs - 1, "\(result)")

    let source = try Registry(root: URL(fileURLWithPath: store), access: .readOnly)
    let copy = try Registry(root: URL(fileURLWithPath: target), access: .readOnly)
    #expect(try RemoteSupport.pulledFiles(copy, "m:1") == RemoteSupport.pulledFiles(source, "m:1"))
    let fsck = try Self.registry(["--store", target, "fsck"])
    #expect(fsck.status == 0, "\(String(decoding: fsck.stdout, as: UTF8.self)) \(fsck.stderr)")
  }
}
