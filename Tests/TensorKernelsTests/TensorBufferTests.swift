import Testing

@testable import TensorKernels

@Suite("tensor buffers")
struct TensorBufferTests {
  @Test("a freed buffer of 32 MiB or more is reused for the next one of its size, zeroed again")
  func largeBuffersAreReused() {
    let count = LargeBlocks.minimumSize / MemoryLayout<Float>.stride + 12_345  // a size no other test uses
    var first: TensorBuffer? = TensorBuffer(count: count, of: Float.self)
    let address = first!.base
    first!.base.storeBytes(of: 7, toByteOffset: 4 * (count - 1), as: Float.self)
    first = nil
    let second = TensorBuffer(count: count, of: Float.self)
    #expect(second.base == address)
    #expect(second.base.load(fromByteOffset: 4 * (count - 1), as: Float.self) == 0)
    #expect(LargeBlocks.take(1 << 20) == nil, "small blocks are left to malloc")
  }
}
