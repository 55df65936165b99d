import Foundation
import RegistryCore
import ServingGRPC
import Testing

@testable import Server

@Suite("inference queue: bounded, with deadlines")
struct InferenceQueueTests {
  @Test("a full queue refuses at once with resource_exhausted; the calls already taken finish")
  func fullQueue() async throws {
    let queue = InferenceQueue(workers: 1, capacity: 1)
    let release = DispatchSemaphore(value: 0)
    // Runs before `stop()`, so a failed expectation cannot leave the worker blocked.
    defer { queue.stop() }
    defer { release.signal() }
    // Deadlines far beyond any scheduling delay, counted from each call: the tasks making the
    // calls may wait long for Swift's cooperative threads while other suites run, and a call
    // whose deadline passes before it starts is never run (the waits below would not see it).
    async let first = queue.run(deadline: .now + .seconds(600)) { () -> Int in
      release.wait()
      return 1
    }
    // Wait (bounded) until the worker holds the first call, then fill the one waiting place.
    for _ in 0..<6000 where queue.load.running == 0 { try await Task.sleep(for: .milliseconds(10)) }
    try #require(queue.load.running == 1, "the worker never started the first call")
    async let second = queue.run(deadline: .now + .seconds(600)) { 2 }
    for _ in 0..<6000 where queue.load.waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
    try #require(queue.load.waiting == 1, "the second call never reached the queue")
    await #expect {
      _ = try await queue.run(deadline: .now + .seconds(600)) { 3 }
    } throws: { error in
      (error as? ServingError)?.category == .resourceExhausted
    }
    release.signal()
    #expect(try await first == 1)
    #expect(try await second == 2)
  }

  @Test("a call still running at its deadline is answered deadline_exceeded; one not started never runs")
  func deadlines() async throws {
    let queue = InferenceQueue(workers: 1, capacity: 4)
    let release = DispatchSemaphore(value: 0)
    let ran = Locked(false)
    // Deadlines count from when each call is made, not from when the test began: the tasks that
    // make them may wait long for Swift's cooperative threads while other suites run. The worker
    // threads are the queue's own, so two seconds is ample for one to pick up the first call
    // (a call whose deadline passes before it starts is never run). The wait is bounded.
    let slow = Task { try await queue.run(deadline: .now + .seconds(2)) { release.wait() } }
    for _ in 0..<6000 where queue.load.running == 0 { try await Task.sleep(for: .milliseconds(10)) }
    #expect(queue.load.running == 1, "the worker never started the first call")
    let queued = Task { try await queue.run(deadline: .now + .milliseconds(300)) { ran.withLock { $0 = true } } }
    for task in [slow, queued] {
      await #expect {
        try await task.value
      } throws: { error in
        (error as? ServingError)?.category == .deadlineExceeded
      }
    }
    // Both were answered while the first call still held the worker: the deadline, not the call,
    // ended them. (No wall-clock bound: a loaded machine may run the timer late.)
    #expect(queue.load.running == 1)
    release.signal()
    queue.stop()
    #expect(ran.withLock { $0 } == false)
  }

  @Test("after stop, calls are refused as unavailable")
  func stopped() async throws {
    let queue = InferenceQueue(workers: 2, capacity: 4)
    queue.stop()
    await #expect {
      _ = try await queue.run(deadline: .now + .seconds(1)) { 1 }
    } throws: { error in
      (error as? ServingError)?.category == .unavailable
    }
  }

  /// What a request's closure captures (its input tensors) must be freed when the request is
  /// answered: a queue that kept taken jobs until it compacted held about a thousand requests'
  /// inputs, 550 MB of MobileNetV2 images under wrk (docs/benchmarks.md).
  @Test("an answered call's closure, and what it captured, is released")
  func releasesAnsweredCalls() async throws {
    final class Payload: Sendable {}
    let queue = InferenceQueue(workers: 1, capacity: 4)
    defer { queue.stop() }
    weak var watched: Payload?
    for _ in 0..<3 {
      let payload = Payload()
      watched = payload
      let value = try await queue.run(deadline: .now + .seconds(600)) { () -> Int in
        withExtendedLifetime(payload) { 1 }
      }
      #expect(value == 1)
    }
    // The worker lets go of the job right after answering it; wait for that, bounded.
    for _ in 0..<500 where watched != nil { try await Task.sleep(for: .milliseconds(10)) }
    #expect(watched == nil, "the queue still holds a finished call's closure")
  }
}
