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
  /// and trim thresholds keeps freed buffers in the heap, where the next op of the same size
  /// picks them up warm. Set once, on the first allocation.
  private static let allocatorTuned: Void = {
    #if canImport(Glibc)
      _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
      _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
    #endif
  }()

  /// The first byte; aligned to 64 bytes (a cache line, and enough for any SIMD load).
  let base: UnsafeMutableRawPointer
  /// The number of bytes that belong to the tensor.
  let byteCount: Int

  /// Allocates room for `count` elements of `Element`, all bits zero.
  init<Element: TensorElement>(count: Int, of _: Element.Type) {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
    precondition(!overflow, "tensor of \(count) elements is too large")
    byteCount = bytes
    _ = Self.allocatorTuned
    base = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
    base.initializeMemory(as: UInt8.self, repeating: 0, count: max(bytes, 1))
    base.bindMemory(to: Element.self, capacity: count)
  }

  deinit {
    base.deallocate()
  }
}
