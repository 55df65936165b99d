import Foundation
import Registry
import RegistryCore
import RegistryTestSupport
import Testing

@testable import Remote

/// Exports and imports with `gc` collecting (no grace period) the same store the whole time:
/// leases keep what an import in flight has stored, and an export reads only live objects.
@Suite("transfers beside a running collection", .serialized, needsRegistryAndPython)
struct ConcurrentCollectionTests {
  /// Collects `registry` with no grace period, again and again, until `done` is set; each round
  /// first makes some garbage (a version pushed and removed) so every collection has work.
  final class Collector: @unchecked Sendable {
    let done = Locked(false)
    let rounds = Locked(0)
    let failures = Locked<[String]>([])
    private var thread: Thread?

    init(_ registry: Registry) {
      let thread = Thread { [self] in
        var options = CollectionOptions()
        options.grace = 0
        var round = 0
        while !done.withLock({ $0 }) {
          round += 1
          do {
            if round % 3 == 1 {
              let pushed = try registry.push(
                try Repository.Fixtures.model("keras2_mlp"), PushOptions(model: "junk\(round)"))
              _ = try registry.remove(try Reference(parsing: pushed.reference))
            }
            _ = try registry.collect(options)
            rounds.withLock { $0 += 1 }
          } catch {
            failures.withLock { $0.append("\(error)") }
          }
        }
      }
      self.thread = thread
      thread.start()
    }

    func stop() throws {
      done.withLock { $0 = true }
      while thread?.isFinished == false { usleep(10_000) }
      #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
      #expect(rounds.withLock { $0 } > 0, "the collector never finished a round")
    }
  }

  @Test("an export while gc collects the source store is complete and byte-exact")
  func exportBesideCollection() async throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let proxy = try FlakyProxyTests.proxy(to: server)
    defer { proxy.stop() }
    let source = try RemoteSupport.lineageStore()
    // Slow blobs, so the export spans many collections.
    try proxy.control(#"{"delay": 0.2}"#)
    let collector = Collector(source)
    var options = RegistryServerTests.options()
    options.jobs = 2
    let endpoint = try Endpoint(parsing: "oci://\(proxy.host)/team/mlp")
    let exported = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: endpoint, tag: nil, options: options)
    try collector.stop()
    #expect(exported.uploaded == exported.blobs)

    let target = try RemoteSupport.newStore("target")
    let imported = try await Transfer.import(
      from: try Endpoint(parsing: "oci://\(server.host)/team/mlp:2"), into: target, name: nil, aliases: [],
      options: RegistryServerTests.options())
    #expect(imported.created)
    #expect(try RemoteSupport.pulledFiles(target, "mlp:1") == RemoteSupport.pulledFiles(source, "mlp:2"))
    #expect(try source.fsck(repair: false).isClean)
  }

  @Test("an import while gc collects the target store keeps every object it stored; the version is whole")
  func importBesideCollection() async throws {
    let server = try DockerRegistry()
    defer { server.stop() }
    let proxy = try FlakyProxyTests.proxy(to: server)
    defer { proxy.stop() }
    let source = try RemoteSupport.lineageStore()
    var options = RegistryServerTests.options()
    _ = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: try Endpoint(parsing: "oci://\(server.host)/team/mlp"),
      tag: nil, options: options)

    let target = try RemoteSupport.newStore("target")
    // Slow blobs: objects the import stored early sit unreferenced through many collections
    // with no grace period; only the import's lease keeps them.
    try proxy.control(#"{"delay": 0.2}"#)
    let collector = Collector(target)
    options.jobs = 1
    let imported = try await Transfer.import(
      from: try Endpoint(parsing: "oci://\(proxy.host)/team/mlp:2"), into: target, name: nil, aliases: [],
      options: options)
    try collector.stop()
    #expect(imported.created)
    #expect(imported.downloaded > 2)
    #expect(try RemoteSupport.pulledFiles(target, "mlp:1") == RemoteSupport.pulledFiles(source, "mlp:2"))
    #expect(try target.fsck(repair: false).isClean)
  }
}
