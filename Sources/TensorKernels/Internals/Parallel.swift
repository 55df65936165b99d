import CThreadPool

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Splits loops across the machine's cores when there is enough work to pay for it.
///
/// The policy: below `minimumWork` element-operations a loop runs on the calling thread (a thread
/// hop costs a few microseconds, more than a small loop); above it, the range is cut into
/// contiguous pieces, at most four per core so uneven pieces even out, and run on `CThreadPool`,
/// whose workers spin briefly between loops: a call of a convnet or an LSTM runs hundreds of
/// these loops, a few microseconds apart, and waking a sleeping thread for each (as
/// `DispatchQueue.concurrentPerform` did) cost about a quarter of the CPU time of the LSTM at
/// batch 32. Kernels never call OpenBLAS from inside such a loop, so the two thread pools do not
/// compete (see `BLAS`).
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
      var loop = Loop(count: count, chunks: chunks, body: body)
      withUnsafeMutablePointer(to: &loop) { pointer in
        threadpool_run(
          chunks,
          { context, chunk in
            let loop = context!.assumingMemoryBound(to: Loop.self)
            let count = loop.pointee.count
            let chunks = loop.pointee.chunks
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            if start < end { loop.pointee.body(start..<end) }
          }, pointer)
      }
    }
  }

  /// What each chunk of a `threadpool_run` loop reads. `threadpool_run` returns only after every
  /// chunk has run, so the closure never outlives `forEachRange`, and each chunk touches only the
  /// memory of its own range, which `forEachRange`'s contract requires of `body`.
  private struct Loop {
    let count: Int
    let chunks: Int
    let body: (Range<Int>) -> Void
  }
}
