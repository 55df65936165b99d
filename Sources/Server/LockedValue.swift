import Synchronization

/// A value behind a mutex that closures can share: `Mutex` is non-copyable, so an escaping
/// closure cannot capture one directly.
public final class LockedValue<Value: Sendable>: Sendable {
  private let mutex: Mutex<Value>

  public init(_ value: Value) { mutex = Mutex(value) }

  /// Runs `body` with the value locked.
  public func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
    mutex.withLock { value in body(&value) }
  }
}
