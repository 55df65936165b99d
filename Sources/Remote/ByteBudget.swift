/// Bounds the blob bytes a transfer holds in memory at once: `--jobs` blobs of a model with
/// half-gigabyte tensors would otherwise hold gigabytes. A blob waits until its bytes fit beside
/// those in flight; one larger than the whole budget goes alone.
actor ByteBudget {
  /// What a transfer may hold at once by default.
  static let defaultLimit: Int64 = 512 << 20

  private let limit: Int64
  private var inUse: Int64 = 0
  private var waiting: [(bytes: Int64, continuation: CheckedContinuation<Void, Never>)] = []

  init(limit: Int64 = ByteBudget.defaultLimit) { self.limit = max(1, limit) }

  /// Waits until `bytes` more fit (or nothing else is held), then holds them.
  func acquire(_ bytes: Int64) async {
    if fits(bytes), waiting.isEmpty {
      inUse += bytes
      return
    }
    await withCheckedContinuation { waiting.append((bytes, $0)) }
  }

  /// Gives back what `acquire` took, and lets waiters in, first come first served.
  func release(_ bytes: Int64) {
    inUse -= bytes
    while let first = waiting.first, fits(first.bytes) {
      waiting.removeFirst()
      inUse += first.bytes
      first.continuation.resume()
    }
  }

  /// Held bytes, for tests.
  var held: Int64 { inUse }

  private func fits(_ bytes: Int64) -> Bool { inUse == 0 || inUse + bytes <= limit }

  /// Runs `body` holding `bytes` of the budget.
  nonisolated func holding<Result: Sendable>(
    _ bytes: Int64, _ body: () async throws(RemoteError) -> Result
  ) async throws(RemoteError) -> Result {
    await acquire(bytes)
    do {
      let result = try await body()
      await release(bytes)
      return result
    } catch {
      await release(bytes)
      throw error
    }
  }
}
