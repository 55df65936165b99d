import Dispatch
import RegistryCore

/// Runs async library code (the remote commands) from the synchronous command tree and waits
/// for it; errors come through unchanged.
///
/// The work runs on its own dispatch queue (a task executor preference, inherited by child
/// tasks), never on Swift's cooperative pool: a caller that is itself on that pool (a test)
/// blocks one of its few threads here, and work queued behind it there would never run.
func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
  let outcome = Locked<Result<T, any Error>?>(nil)
  let done = DispatchSemaphore(value: 0)
  Task(executorPreference: DispatchTaskExecutor.shared) {
    do {
      let value = try await body()
      outcome.withLock { $0 = .success(value) }
    } catch {
      outcome.withLock { $0 = .failure(error) }
    }
    done.signal()
  }
  done.wait()
  return try outcome.withLock { $0! }.get()
}

/// A task executor on a concurrent dispatch queue, apart from the cooperative pool.
final class DispatchTaskExecutor: TaskExecutor {
  static let shared = DispatchTaskExecutor()
  private let queue = DispatchQueue(label: "registry.remote", attributes: .concurrent)

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
  }
}
