import Foundation
import Registry
import RegistryCore
import RegistryTestSupport
import Testing

@testable import Remote

@Suite("blob bytes held in memory")
struct ByteBudgetTests {
  @Test("concurrent holders never exceed the budget; a blob larger than it goes alone")
  func bounded() async throws {
    let budget = ByteBudget(limit: 100)
    let peak = Locked<Int64>(0)
    let sizes: [Int64] = [40, 40, 40, 30, 70, 250, 10, 60, 60, 5]
    _ = try await Transfer.forEach(sizes, jobs: 8) { size throws(RemoteError) in
      try await budget.holding(size) { () throws(RemoteError) in
        let held = await budget.held
        peak.withLock { $0 = max($0, held) }
        // Alone when over the budget; within it otherwise.
        if size > 100 { #expect(held == size) } else { #expect(held <= 100) }
        try? await Task.sleep(for: .milliseconds(5))
      }
    }
    #expect(peak.withLock { $0 } <= 250)
    #expect(await budget.held == 0)
  }

  @Test("a failing holder gives its bytes back")
  func releasedOnError() async throws {
    let budget = ByteBudget(limit: 10)
    await #expect(throws: RemoteError.self) {
      try await budget.holding(8) { () throws(RemoteError) in throw RemoteError(.unavailable, "lost") }
    }
    #expect(await budget.held == 0)
  }

  @Test("an export and import with a budget smaller than any blob still complete, byte-exact")
  func tinyBudget() async throws {
    let source = try RemoteSupport.lineageStore()
    let layout = try makeTemporaryDirectory("layout").path
    var options = LayoutTests.options(threshold: 1024)
    options.memoryBytes = 1
    options.jobs = 8
    _ = try await Transfer.export(
      try Reference(parsing: "mlp:2"), from: source, to: .layout(directory: layout, tag: nil), tag: nil,
      options: options)
    let target = try RemoteSupport.newStore("target")
    _ = try await Transfer.import(
      from: .layout(directory: layout, tag: "2"), into: target, name: nil, aliases: [], options: options)
    #expect(try RemoteSupport.pulledFiles(target, "mlp:1") == RemoteSupport.pulledFiles(source, "mlp:2"))
  }
}
