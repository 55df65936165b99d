/// Conversion between tensors and the little-endian byte layout of TensorFlow's tensor bundles and
/// `TensorProto.tensor_content`.
///
/// Format reference: `tensorflow/core/framework/tensor.proto` (`tensor_content`) and the bundle
/// format in `docs/savedmodel-format.md`: elements in row-major order, each little-endian, `bool`
/// one byte per element, `float16` and `bfloat16` as their 16-bit patterns.
extension Tensor {
  /// Creates a dense tensor from its raw little-endian bytes.
  ///
  /// Bool bytes other than 0 read as `true`. `string` tensors have their own encoding in bundles
  /// and protos and are not accepted here.
  ///
  /// - Parameters:
  ///   - bytes: exactly `elementCount(shape) * dtype.elementSize` bytes.
  ///   - dtype: the element type.
  ///   - shape: the dimensions; each must be non-negative.
  /// - Throws: `TensorError.unsupportedDType` for `string`, `TensorError.invalidShape` for a
  ///   negative or overflowing shape, `TensorError.byteCountMismatch` for a wrong length.
  public init<Bytes: Collection<UInt8>>(
    raw bytes: Bytes, dtype: DType, shape: [Int]
  ) throws(TensorError) {
    guard let size = dtype.elementSize else { throw .unsupportedDType(op: "Tensor(raw:)", dtype) }
    guard let count = Shape.checkedElementCount(shape) else {
      throw .invalidShape(
        op: "Tensor(raw:)", shape: shape, reason: "dimensions must be non-negative and fit in Int")
    }
    let (expected, overflow) = count.multipliedReportingOverflow(by: size)
    guard !overflow, bytes.count == expected else {
      throw .byteCountMismatch(dtype: dtype, shape: shape, expected: expected, actual: bytes.count)
    }
    // The bytes bound a non-empty shape; an empty one could still name dimensions whose
    // strides overflow.
    if count == 0 { try Shape.checkAllocation(shape, dtype: dtype, op: "Tensor(raw:)") }
    let buffer = TensorBuffer.make(dtype: dtype, count: count)
    let destination = UnsafeMutableRawBufferPointer(start: buffer.base, count: expected)
    let copied: Void? = bytes.withContiguousStorageIfAvailable { source in
      destination.copyMemory(from: UnsafeRawBufferPointer(source))
    }
    if copied == nil {
      Array(bytes).withUnsafeBytes { destination.copyMemory(from: $0) }
    }
    if dtype == .bool {
      for index in 0..<expected where destination[index] > 1 { destination[index] = 1 }
    }
    #if _endian(big)
      Tensor.reverseElementBytes(destination, size: dtype.complexPartType?.elementSize ?? size)
    #endif
    self.init(dtype: dtype, shape: shape, storage: .dense(buffer))
  }

  /// The elements as little-endian bytes in row-major order, the inverse of
  /// `init(raw:dtype:shape:)`.
  ///
  /// - Throws: `TensorError.unsupportedDType` for `string` tensors.
  public func rawBytes() throws(TensorError) -> [UInt8] {
    guard case .dense(let buffer) = storage, let size = dtype.elementSize else {
      throw .unsupportedDType(op: "rawBytes()", dtype)
    }
    var bytes = [UInt8](
      UnsafeRawBufferPointer(start: buffer.base, count: elementCount * size))
    withExtendedLifetime(buffer) {}
    #if _endian(big)
      bytes.withUnsafeMutableBytes {
        Tensor.reverseElementBytes($0, size: dtype.complexPartType?.elementSize ?? size)
      }
    #endif
    return bytes
  }

  #if _endian(big)
    /// Swaps each `size`-byte element between little- and big-endian order.
    private static func reverseElementBytes(_ bytes: UnsafeMutableRawBufferPointer, size: Int) {
      guard size > 1 else { return }
      var start = 0
      while start < bytes.count {
        var low = start
        var high = start + size - 1
        while low < high {
          bytes.swapAt(low, high)
          low += 1
          high -= 1
        }
        start += size
      }
    }
  #endif
}

extension TensorBuffer {
  /// A buffer for `count` elements of `dtype`, bound to its storage type; zeroed unless the
  /// caller writes every element itself (`zeroed: false`, see `TensorBuffer.init`).
  ///
  /// - Precondition: `dtype` is not `string`.
  static func make(dtype: DType, count: Int, zeroed: Bool = true) -> TensorBuffer {
    switch dtype {
    case .float32: TensorBuffer(count: count, of: Float.self, zeroed: zeroed)
    case .float64: TensorBuffer(count: count, of: Double.self, zeroed: zeroed)
    case .float16: TensorBuffer(count: count, of: Float16Bits.self, zeroed: zeroed)
    case .bfloat16: TensorBuffer(count: count, of: BFloat16Bits.self, zeroed: zeroed)
    case .int8: TensorBuffer(count: count, of: Int8.self, zeroed: zeroed)
    case .int16: TensorBuffer(count: count, of: Int16.self, zeroed: zeroed)
    case .int32: TensorBuffer(count: count, of: Int32.self, zeroed: zeroed)
    case .int64: TensorBuffer(count: count, of: Int64.self, zeroed: zeroed)
    case .uint8: TensorBuffer(count: count, of: UInt8.self, zeroed: zeroed)
    case .uint16: TensorBuffer(count: count, of: UInt16.self, zeroed: zeroed)
    case .uint32: TensorBuffer(count: count, of: UInt32.self, zeroed: zeroed)
    case .uint64: TensorBuffer(count: count, of: UInt64.self, zeroed: zeroed)
    case .bool: TensorBuffer(count: count, of: Bool.self, zeroed: zeroed)
    case .complex64: TensorBuffer(count: count, of: Complex64.self, zeroed: zeroed)
    case .complex128: TensorBuffer(count: count, of: Complex128.self, zeroed: zeroed)
    case .string: preconditionFailure("string tensors have no dense buffer")
    }
  }
}
