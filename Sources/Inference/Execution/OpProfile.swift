import Foundation
import RegistryCore

/// Time spent per op type, collected when `REGISTRY_PROFILE` is set and printed by
/// `OpProfile.report()`; for finding slow kernels.
final class OpProfile: Sendable {
  static let shared: OpProfile? = ProcessInfo.processInfo.environment["REGISTRY_PROFILE"] != nil ? OpProfile() : nil
  private let totals = Locked<[String: (calls: Int, nanoseconds: UInt64)]>([:])

  func record(_ op: String, _ nanoseconds: UInt64) {
    totals.withLock { totals in
      let current = totals[op] ?? (0, 0)
      totals[op] = (current.calls + 1, current.nanoseconds + nanoseconds)
    }
  }

  /// The per-op totals, slowest first, one line each.
  static func report() -> String {
    guard let shared else { return "" }
    return shared.totals.withLock { totals in
      totals.sorted { $0.value.nanoseconds > $1.value.nanoseconds }.map { op, total in
        op.padding(toLength: 28, withPad: " ", startingAt: 0)
          + String(format: " %6d calls %10.3f ms", total.calls, Double(total.nanoseconds) / 1e6)
      }.joined(separator: "\n")
    }
  }
}
