import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Splits loops across the machine's cores when there is enough work to pay for it.
///
/// The policy: below `minimumWork` element-operations a loop runs on the calling thread (a thread
/// hop costs a few microseconds, more than a small loop); above it, the range is cut into
/// contiguous pieces, at most four per core so uneven pieces even out, and run with
/// `DispatchQueue.concurrentPerform`. Kernels never call OpenBLAS from inside such a loop, so the
/// two thread pools do not compete (see `BLAS`).
enum Parallel {
  /// The number of online processors, at least 1.
  static let coreCount: Int = {
    let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    return online > 0 ? Int(online) : 1
  }()

  /// The amount of work (items times cost per item) below which a loop stays on one thread.
  static let minimumWork = 1 << 15

  /// Calls `body` with contiguous ranges that together cover `0..<count`, concurrently when the
  /// work (`count * costPerItem`) is large.
  ///
  /// `body` must only write to memory that belongs to its range. A `costPerItem` of 0 keeps the
  /// loop on the calling thread, for bodies that write to shared Swift values.
  static func forEachRange(
    _ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void
  ) {
    guard count > 0 else { return }
    let (work, overflow) = count.multipliedReportingOverflow(by: max(costPerItem, 0))
    let pieces = overflow ? count : min(count, work / minimumWork)
    let chunks = min(pieces, coreCount * 4)
    guard coreCount > 1, chunks > 1 else {
      body(0..<count)
      return
    }
    withoutActuallyEscaping(body) { body in
      let shared = SharedBody(body: body)
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = count * chunk / chunks
        let end = count * (chunk + 1) / chunks
        if start < end { shared.body(start..<end) }
      }
    }
  }

  /// Carries a loop body into `concurrentPerform`, which wants a `@Sendable` closure.
  ///
  /// `@unchecked Sendable` is safe here because `concurrentPerform` returns only after every
  /// iteration has finished (so the closure never outlives the call) and each iteration touches
  /// only the memory of its own range, which `forEachRange`'s contract requires of `body`.
  private struct SharedBody: @unchecked Sendable {
    let body: (Range<Int>) -> Void
  }
}
