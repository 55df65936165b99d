import Foundation
import Registry
import RegistryTestSupport
import Testing

@testable import Remote

/// Export and import through a proxy (`Helpers/flaky_proxy.py`) in front of the real
/// docker-registry that answers 429 (with Retry-After), 500, 502 and 503, drops connections, and
/// cuts responses half-way through the body.
@Suite("through a misbehaving proxy", .serialized, needsRegistryAndPython)
struct FlakyProxyTests {
  static func proxy(to server: DockerRegistry) throws -> HelperServer {
    try HelperServer(script: "flaky_proxy.py", arguments: ["--upstream", server.host])
  }

  /// The proxy's log: (seconds, request, outcome) per request, without the client's plain-HTTP
  /// probes of `/v2/` (one per client, never failed).
  static func log(_ proxy: HelperServer) -> [(time: Double, request: String, outcome: String)] {
    proxy.lines("requests.log").compactMap { line in
      let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
      guard parts.count == 4, let time = Double(parts[0]), parts[2] != "/v2/" else { return nil }
      return (time, parts[1] + " " + parts[2], parts[3])
    }
  }

  @Test("429 with Retry-After, 5xx, dropped connections and bodies cut short are retried; the result is byte-exact")
  func retriesSucceed() async throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let proxy = try Self.proxy(to: server)
    defer { proxy.stop() }
    let source = try RemoteSupport.lineageStore()
    let target = try RemoteSupport.newStore("target")
    // One blob at a time, so which requests fail is the same on every run: every third one,
    // which a request (or an upload's POST and PUT) survives with one retry.
    var options = RegistryServerTests.options()
    options.jobs = 1
    try proxy.control(#"{"every": 3, "failures": [429, 500, 502, 503, "reset"], "limit": 10, "retry_after": "1"}"#)
    let endpoint = try Endpoint(parsing: "oci://\(proxy.host)/team/mlp:1")
    let exported = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: endpoint, tag: nil, options: options)
    #expect(exported.uploaded == exported.blobs)
    var log = Self.log(proxy)
    let outcomes = Set(log.map(\.outcome))
    #expect(outcomes.isSuperset(of: ["429", "500", "502", "503", "reset"]))
    // After a 429 with Retry-After: 1 the retry (the next request: one at a time) waits a second,
    // not the first backoff's 0.25 s.
    for (index, entry) in log.enumerated() where entry.outcome == "429" {
      let retry = try #require(log[(index + 1)...].first)
      #expect(retry.time - entry.time >= 0.9, "\(entry.request) retried after \(retry.time - entry.time) s")
    }

    // Import: failures again, and the first two downloads cut half-way through the body.
    try proxy.control(#"{"every": 3, "failures": [503, "reset", 500], "limit": 6, "reset_gets": 2}"#)
    let before = log.count
    let imported = try await Transfer.import(from: endpoint, into: target, name: nil, aliases: [], options: options)
    #expect(imported.created)
    log = Self.log(proxy)
    #expect(log[before...].filter { $0.outcome == "reset" && $0.request.hasPrefix("GET") }.count >= 2)
    #expect(log[before...].contains { $0.outcome == "503" })
    #expect(try RemoteSupport.pulledFiles(target, "mlp:1") == RemoteSupport.pulledFiles(source, "mlp:1"))
  }

  @Test("when every request fails: a clear error after bounded retries (exit 7), and nothing visible")
  func everyRequestFails() async throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let proxy = try Self.proxy(to: server)
    defer { proxy.stop() }
    let source = try RemoteSupport.lineageStore()
    let target = try RemoteSupport.newStore("target")
    let options = RegistryServerTests.options()
    try proxy.control(#"{"every": 1, "failures": [503]}"#)

    await #expect {
      try await Transfer.export(
        try Reference(parsing: "mlp:1"), from: source, to: try Endpoint(parsing: "oci://\(proxy.host)/team/mlp:1"),
        tag: nil, options: options)
    } throws: { error in
      let message = "\(error)"
      return (error as? RemoteError)?.category.exitStatus == 7 && message.contains(proxy.host)
        && message.contains("503") && message.contains("gave up after \(RegistryStore.maximumAttempts) attempts")
    }
    // Each of the first `jobs` HEADs tried at most maximumAttempts times; nothing reached the registry.
    let exportRequests = Self.log(proxy).count
    #expect(exportRequests >= RegistryStore.maximumAttempts)
    #expect(exportRequests <= options.jobs * RegistryStore.maximumAttempts)
    #expect(server.blobs().isEmpty)

    // The artifact in the registry, but the way to it failing: no version, no leftovers in ingest/.
    _ = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: try Endpoint(parsing: "oci://\(server.host)/team/mlp:1"),
      tag: nil, options: options)
    await #expect {
      try await Transfer.import(
        from: try Endpoint(parsing: "oci://\(proxy.host)/team/mlp:1"), into: target, name: nil, aliases: [],
        options: options)
    } throws: { error in
      (error as? RemoteError)?.category.exitStatus == 7 && "\(error)".contains("gave up after")
    }
    #expect(Self.log(proxy).count - exportRequests == RegistryStore.maximumAttempts)
    #expect(try target.models().isEmpty)
    let ingest = target.root.appendingPathComponent("ingest")
    #expect((try? FileManager.default.contentsOfDirectory(atPath: ingest.path))?.isEmpty ?? true)
  }
}
