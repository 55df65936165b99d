import RegistryCore
import Synchronization

#if canImport(Glibc)
  import CMalloc
#endif

/// Aligned, zero-initialised storage for the elements of one dense tensor.
///
/// The memory is bound to the dtype's storage type (see `TensorElement`) when it is created and
/// never rebound. A buffer is written only by the code that creates it, before it is wrapped in a
/// `Tensor`; after that nothing mutates it, which is why sharing it between threads is safe and the
/// class is `@unchecked Sendable`.
final class TensorBuffer: @unchecked Sendable {
  /// glibc hands blocks over 128 KiB straight back to the kernel when they are freed, so every
  /// activation tensor of a convnet would cost fresh page faults on each call. Raising the mmap
  /// threshold to its ceiling (32 MiB on 64-bit glibc) and the trim threshold keeps freed
  /// buffers in the heap, where the next op of the same size picks them up warm; larger blocks
  /// go through `LargeBlocks`. Set once, on the first allocation.
  private static let allocatorTuned: Void = {
    #if canImport(Glibc)
      _ = mallopt(M_MMAP_THRESHOLD, Int32(LargeBlocks.minimumSize))
      _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
    #endif
  }()

  /// The first byte; aligned to 64 bytes (a cache line, and enough for any SIMD load).
  let base: UnsafeMutableRawPointer
  /// The number of bytes that belong to the tensor.
  let byteCount: Int
  /// These elements as a Winograd convolution filter (`WinogradConvolution`), made on first use
  /// and kept as long as the buffer, since they never change: a model's filters are the same
  /// buffers on every call.
  let winogradFilter = AtomicLazyReference<WinogradFilter>()

  /// Allocates room for `count` elements of `Element`, all bits zero.
  convenience init<Element: TensorElement>(count: Int, of type: Element.Type) {
    self.init(count: count, of: type, zeroed: true)
  }

  /// Allocates room for `count` elements of `Element`, zeroed only when `zeroed`: a kernel that
  /// writes every element itself skips a pass over memory, and must then write them all (a
  /// reused block holds an earlier tensor's bytes).
  init<Element: TensorElement>(count: Int, of _: Element.Type, zeroed: Bool) {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
    precondition(!overflow, "tensor of \(count) elements is too large")
    byteCount = bytes
    _ = Self.allocatorTuned
    base = LargeBlocks.take(bytes) ?? UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
    if zeroed { base.initializeMemory(as: UInt8.self, repeating: 0, count: max(bytes, 1)) }
    base.bindMemory(to: Element.self, capacity: count)
  }

  deinit {
    if !LargeBlocks.keep(base, bytes: byteCount) { base.deallocate() }
  }
}

/// Freed tensor buffers too large for glibc's heap (32 MiB and up: batched activations), kept
/// for the next tensor of the same size instead of being unmapped, so a call at batch 32 does not
/// fault in and clear hundreds of megabytes of fresh pages every time. Holds at most 1 GiB.
enum LargeBlocks {
  static let minimumSize = 32 << 20
  static let capacity = 1 << 30

  private struct State {
    /// Free blocks by byte count, as addresses.
    var free: [Int: [UInt]] = [:]
    var total = 0
  }

  private static let state = Locked(State())

  /// A kept block of exactly `bytes` bytes (64-byte aligned), if there is one.
  static func take(_ bytes: Int) -> UnsafeMutableRawPointer? {
    guard bytes >= minimumSize else { return nil }
    let address = state.withLock { state -> UInt? in
      guard let address = state.free[bytes]?.popLast() else { return nil }
      state.total -= bytes
      return address
    }
    return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
  }

  /// Keeps a freed block for reuse; `false` when it is too small or the cache is full, and the
  /// caller frees it.
  static func keep(_ block: UnsafeMutableRawPointer, bytes: Int) -> Bool {
    guard bytes >= minimumSize else { return false }
    return state.withLock { state in
      guard state.total + bytes <= capacity else { return false }
      state.free[bytes, default: []].append(UInt(bitPattern: block))
      state.total += bytes
      return true
    }
  }
}
