#if REGISTRY_TSAN
  import Glibc
#else
  import Synchronization
#endif

/// A value reachable only under a lock, shareable by reference (escaping closures, stored
/// properties, statics).
///
/// Why not `Synchronization.Mutex` directly: on Linux it locks with futexes that ThreadSanitizer
/// cannot see, so TSan reports every access made under it as a race and a TSan run can only
/// crash or pass (docs/security.md). Builds for TSan (`-D REGISTRY_TSAN`, which
/// `Scripts/sanitize.sh thread` passes) lock with a pthread mutex, which TSan understands; every
/// other build is a `Mutex`.
public final class Locked<Value>: @unchecked Sendable {
  #if REGISTRY_TSAN
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
      self.value = value
      mutex = .allocate(capacity: 1)
      mutex.initialize(to: pthread_mutex_t())
      pthread_mutex_init(mutex, nil)
    }

    deinit {
      pthread_mutex_destroy(mutex)
      mutex.deallocate()
    }

    /// Runs `body` with the value locked.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure)
      -> Result
    {
      pthread_mutex_lock(mutex)
      defer { pthread_mutex_unlock(mutex) }
      return try body(&value)
    }
  #else
    private let mutex: Mutex<Value>

    public init(_ value: sending Value) { mutex = Mutex(value) }

    /// Runs `body` with the value locked.
    public func withLock<Result, Failure: Error>(_ body: (inout sending Value) throws(Failure) -> sending Result)
      throws(Failure) -> sending Result
    {
      try mutex.withLock(body)
    }
  #endif
}
