import Dispatch
import Foundation
import RegistryCore
import ServingGRPC

/// A fixed set of worker threads that run inference calls, fed from a bounded queue.
///
/// Inference is blocking, CPU-bound work: run on Swift's cooperative pool it would starve the
/// event loops and every other task, so it runs on `workers` threads of its own (`--workers`),
/// at most that many calls at once. A request that finds `capacity` calls already waiting is
/// refused at once (`resourceExhausted`, HTTP 429) rather than queued without bound; one that
/// is still waiting or running at its deadline is answered `deadlineExceeded` (HTTP 504), and a
/// call that has not started by then is dropped without running.
public final class InferenceQueue: Sendable {
  public let workers: Int
  public let capacity: Int

  private struct Job: Sendable {
    let deadline: ContinuousClock.Instant
    let run: @Sendable (_ expired: Bool) -> Void
  }

  private struct State {
    /// Waiting jobs from `head` on; a taken job's slot is emptied at once, so the request it
    /// captured (inputs, outputs) is freed when it is answered, not when the array is compacted.
    var jobs: [Job?] = []
    var head = 0
    var running = 0
    var stopped = false
    var waiting: Int { jobs.count - head }
  }

  private let state = Locked(State())
  private let available = DispatchSemaphore(value: 0)
  private let finished = DispatchSemaphore(value: 0)

  /// Starts `workers` threads.
  ///
  /// - Parameter capacity: how many calls may wait for a worker before new ones are refused.
  public init(workers: Int, capacity: Int) {
    precondition(workers > 0 && capacity >= 0, "an inference queue needs a worker and a capacity of 0 or more")
    self.workers = workers
    self.capacity = capacity
    for index in 0..<workers {
      let thread = Thread { [self] in work() }
      thread.name = "inference-\(index)"
      // Deep graphs recurse through function calls; give them the main thread's 8 MiB.
      thread.stackSize = 8 << 20
      thread.start()
    }
  }

  /// Calls waiting for a worker, and calls running.
  public var load: (waiting: Int, running: Int) {
    state.withLock { ($0.waiting, $0.running) }
  }

  /// Runs `body` on a worker and returns its result.
  ///
  /// - Throws: `ServingError` `resourceExhausted` when the queue is full, `deadlineExceeded` at
  ///   the deadline, `unavailable` after `stop()`; else whatever `body` throws.
  public func run<Result: Sendable>(
    deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () throws -> Result
  ) async throws -> Result {
    let pending = Locked(Pending<Result>())
    @Sendable func finish(_ result: Swift.Result<Result, any Error>) {
      let (continuation, timer) = pending.withLock { value in
        defer { value = Pending(isDone: true) }
        return (value.continuation, value.timer)
      }
      timer?.cancel()
      continuation?.resume(with: result)
    }
    return try await withCheckedThrowingContinuation { continuation in
      pending.withLock { $0.continuation = continuation }
      let job = Job(deadline: deadline) { expired in
        if expired {
          finish(.failure(Self.expired()))
          return
        }
        finish(Swift.Result { try body() })
      }
      let refusal: ServingError? = state.withLock { state in
        if state.stopped { return ServingError(.unavailable, "the server is shutting down") }
        guard state.waiting < capacity else {
          return ServingError(
            .resourceExhausted,
            "the inference queue is full (\(state.waiting) requests waiting for \(workers) workers); retry later")
        }
        if state.head > 1024, state.head * 2 > state.jobs.count {
          state.jobs.removeFirst(state.head)
          state.head = 0
        }
        state.jobs.append(job)
        return nil
      }
      if let refusal {
        finish(.failure(refusal))
        return
      }
      available.signal()
      // Answer at the deadline even if the call is still waiting or running; a running call
      // cannot be interrupted and finishes on its worker, unanswered. The timer is cancelled as
      // soon as the call is answered, so finished requests leave no sleeping tasks behind.
      let timer = Task {
        try? await Task.sleep(until: deadline, clock: .continuous)
        if !Task.isCancelled { finish(.failure(Self.expired())) }
      }
      let alreadyDone = pending.withLock { value in
        if !value.isDone { value.timer = timer }
        return value.isDone
      }
      if alreadyDone { timer.cancel() }
    }
  }

  /// One call's continuation and deadline timer, until it is answered.
  private struct Pending<Result: Sendable>: Sendable {
    var continuation: CheckedContinuation<Result, any Error>?
    var timer: Task<Void, Never>?
    var isDone = false
  }

  private static func expired() -> ServingError {
    ServingError(.deadlineExceeded, "the request did not finish before its deadline (--request-timeout)")
  }

  /// Lets the calls already running finish, refuses new ones and fails the waiting ones with
  /// `unavailable`, then stops the threads. Blocks until they have stopped.
  public func stop() {
    let waiting = state.withLock { state -> [Job] in
      state.stopped = true
      let jobs = state.jobs[state.head...].compactMap { $0 }
      state.jobs = []
      state.head = 0
      return jobs
    }
    for job in waiting { job.run(true) }
    for _ in 0..<workers { available.signal() }
    for _ in 0..<workers { finished.wait() }
  }

  private func work() {
    while true {
      available.wait()
      let next = state.withLock { state -> Job? in
        guard state.head < state.jobs.count else { return nil }
        let job = state.jobs[state.head]
        state.jobs[state.head] = nil
        state.head += 1
        state.running += 1
        return job
      }
      guard let next else {
        if state.withLock({ $0.stopped }) {
          finished.signal()
          return
        }
        continue
      }
      next.run(ContinuousClock.now >= next.deadline)
      state.withLock { $0.running -= 1 }
    }
  }
}
