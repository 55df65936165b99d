import CThreadPool
import Dispatch
import Testing

@testable import TensorKernels

/// `CThreadPool` runs every chunk exactly once, however fast loops follow each other, when loops
/// nest and when several threads start loops at once; `Parallel.forEachRange` covers its range
/// exactly once on top of it.
@Suite("Thread pool")
struct ThreadPoolTests {
  /// Runs `loops` loops of `chunks` chunks back to back and returns how many chunks did not run
  /// exactly once.
  private static func miscounted(loops: Int, chunks: Int) -> Int {
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: chunks)
    defer { counts.deallocate() }
    var wrong = 0
    for _ in 0..<loops {
      counts.initialize(repeating: 0, count: chunks)
      threadpool_run(chunks, countChunk, counts)
      wrong += (0..<chunks).filter { counts[$0] != 1 }.count
    }
    return wrong
  }

  @Test("every chunk runs once, over thousands of loops in a row")
  func everyChunkOnce() {
    #expect(threadpool_width() >= 1)
    #expect(Self.miscounted(loops: 5000, chunks: 7) == 0)
    #expect(Self.miscounted(loops: 200, chunks: 1000) == 0)
    #expect(Self.miscounted(loops: 10, chunks: 1) == 0)
    threadpool_run(0, countChunk, nil)  // no chunk: the body is never called
  }

  @Test("a loop started inside a chunk runs to completion")
  func nested() {
    let outer = 8
    let inner = innerChunks
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: outer * inner)
    defer { counts.deallocate() }
    counts.initialize(repeating: 0, count: outer * inner)
    threadpool_run(outer, countInnerChunks, counts)
    #expect((0..<outer * inner).allSatisfy { counts[$0] == 1 })
  }

  @Test("threads that start loops at the same time each get all their chunks run once")
  func concurrentSubmitters() {
    let threads = 4
    let wrong = UnsafeMutablePointer<Int>.allocate(capacity: threads)
    defer { wrong.deallocate() }
    wrong.initialize(repeating: -1, count: threads)
    let results = UnsafeMutableSendablePointer(wrong)
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      results.pointer[thread] = Self.miscounted(loops: 500, chunks: 13)
    }
    #expect((0..<threads).map { wrong[$0] } == [Int](repeating: 0, count: threads))
  }

  @Test("forEachRange covers its range exactly once", arguments: [1, 2, 3, 97, 1 << 16, 1_000_003])
  func forEachRangeCovers(count: Int) {
    let counts = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
    defer { counts.deallocate() }
    counts.initialize(repeating: 0, count: count)
    let shared = UnsafeMutableSendablePointer(counts)
    Parallel.forEachRange(count, costPerItem: 64) { range in
      for index in range { shared.pointer[index] &+= 1 }
    }
    #expect((0..<count).allSatisfy { counts[$0] == 1 })
  }
}

/// Adds 1 to `counts[chunk]`: a chunk run twice, or never, shows as a count other than 1.
private func countChunk(_ context: UnsafeMutableRawPointer?, _ chunk: Int) {
  context!.assumingMemoryBound(to: Int.self)[chunk] += 1
}

private let innerChunks = 16

/// Runs a loop of `innerChunks` chunks of `countChunk` on the counts of outer chunk `chunk`.
private func countInnerChunks(_ context: UnsafeMutableRawPointer?, _ chunk: Int) {
  threadpool_run(innerChunks, countChunk, context!.assumingMemoryBound(to: Int.self) + chunk * innerChunks)
}

/// A pointer the test hands to other threads, each of which writes only its own elements.
private struct UnsafeMutableSendablePointer<T>: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<T>
  init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
