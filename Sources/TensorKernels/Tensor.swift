#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An immutable, dense, row-major tensor: a dtype, a shape, and the elements.
///
/// Numeric and bool elements live in one contiguous, 64-byte-aligned buffer; `string` elements are
/// byte strings. A tensor is a value: nothing mutates it after construction, so copies (and
/// `reshaped(to:)`) share the buffer and can be passed between threads freely.
///
/// ```swift
/// let x = Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
/// let y = try Elementwise.apply(.add, x, Tensor(float32: [10], shape: []))
/// try y.floats()  // [11, 12, 13, 14, 15, 16]
/// ```
///
/// `float16` and `bfloat16` are storage formats: they are built from and read as `Float`, and
/// kernels compute on them in `Float` and round the result back.
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
  /// The element type.
  public let dtype: DType
  /// The dimensions, outermost first; `[]` for a scalar.
  public let shape: [Int]
  /// The elements. Replaced only by `withUniqueBuffer`, which needs to drop this reference for
  /// a moment; otherwise never changed.
  var storage: Storage

  /// Where the elements live.
  enum Storage: Sendable {
    /// Numeric and bool elements, bound to the dtype's `TensorElement` type.
    case dense(TensorBuffer)
    /// One byte string per element.
    case strings([[UInt8]])
  }

  /// The number of dimensions.
  public var rank: Int { shape.count }

  /// The number of elements (1 for a scalar, 0 when any dimension is 0).
  public var elementCount: Int { Shape.elementCount(shape) }

  init(dtype: DType, shape: [Int], storage: Storage) {
    self.dtype = dtype
    self.shape = shape
    self.storage = storage
  }

  // MARK: Building from Swift arrays

  /// Creates a `float32` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(float32 values: [Float], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates a `float64` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(float64 values: [Double], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates a `float16` tensor, rounding each value to the nearest binary16 (ties to even).
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(float16 values: [Float], shape: [Int]) {
    self = Tensor.from(
      values.map { Float16Bits(bitPattern: HalfPrecision.halfBits($0)) }, shape: shape)
  }

  /// Creates a `bfloat16` tensor, rounding each value to the nearest bfloat16 (ties to even).
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(bfloat16 values: [Float], shape: [Int]) {
    self = Tensor.from(
      values.map { BFloat16Bits(bitPattern: HalfPrecision.bfloat16Bits($0)) }, shape: shape)
  }

  /// Creates an `int8` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(int8 values: [Int8], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates an `int16` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(int16 values: [Int16], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates an `int32` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(int32 values: [Int32], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates an `int64` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(int64 values: [Int64], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates a `uint8` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(uint8 values: [UInt8], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates a `uint16` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(uint16 values: [UInt16], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates a `uint32` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(uint32 values: [UInt32], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates a `uint64` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(uint64 values: [UInt64], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates a `complex64` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(complex64 values: [Complex64], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates a `complex128` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(complex128 values: [Complex128], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates a `bool` tensor.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(bool values: [Bool], shape: [Int]) { self = Tensor.from(values, shape: shape) }

  /// Creates a `string` tensor whose elements are arbitrary byte strings.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(strings values: [[UInt8]], shape: [Int]) {
    let count = Shape.elementCount(shape)
    precondition(values.count == count, "\(values.count) values for shape \(Shape.format(shape))")
    self.init(dtype: .string, shape: shape, storage: .strings(values))
  }

  /// Creates a `string` tensor from Swift strings, stored as their UTF-8 bytes.
  ///
  /// - Precondition: `values.count` equals the element count of `shape`.
  public init(strings values: [String], shape: [Int]) {
    self.init(strings: values.map { Array($0.utf8) }, shape: shape)
  }

  // MARK: Reading elements

  /// The elements of a `float32`, `float16` or `bfloat16` tensor as `Float`, in row-major order.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func floats() throws(TensorError) -> [Float] {
    switch dtype {
    case .float32: return elements(Float.self)
    case .float16:
      return elements(Float16Bits.self).map { HalfPrecision.float(halfBits: $0.bitPattern) }
    case .bfloat16:
      return elements(BFloat16Bits.self).map { HalfPrecision.float(bfloat16Bits: $0.bitPattern) }
    default: throw .unsupportedDType(op: "floats()", dtype)
    }
  }

  /// The elements of a `float64` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func doubles() throws(TensorError) -> [Double] { try checked(Double.self, "doubles()") }

  /// The elements of an `int8` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func int8s() throws(TensorError) -> [Int8] { try checked(Int8.self, "int8s()") }

  /// The elements of an `int16` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func int16s() throws(TensorError) -> [Int16] { try checked(Int16.self, "int16s()") }

  /// The elements of an `int32` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func int32s() throws(TensorError) -> [Int32] { try checked(Int32.self, "int32s()") }

  /// The elements of an `int64` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func int64s() throws(TensorError) -> [Int64] { try checked(Int64.self, "int64s()") }

  /// The elements of a `uint8` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func uint8s() throws(TensorError) -> [UInt8] { try checked(UInt8.self, "uint8s()") }

  /// The elements of a `uint16` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func uint16s() throws(TensorError) -> [UInt16] { try checked(UInt16.self, "uint16s()") }

  /// The elements of a `uint32` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func uint32s() throws(TensorError) -> [UInt32] { try checked(UInt32.self, "uint32s()") }

  /// The elements of a `uint64` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func uint64s() throws(TensorError) -> [UInt64] { try checked(UInt64.self, "uint64s()") }

  /// The elements of a `complex64` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func complex64s() throws(TensorError) -> [Complex64] { try checked(Complex64.self, "complex64s()") }

  /// The elements of a `complex128` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func complex128s() throws(TensorError) -> [Complex128] { try checked(Complex128.self, "complex128s()") }

  /// The elements of a `bool` tensor.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func bools() throws(TensorError) -> [Bool] { try checked(Bool.self, "bools()") }

  /// The elements of a `string` tensor, as byte strings.
  ///
  /// - Throws: `TensorError.unsupportedDType` for any other dtype.
  public func strings() throws(TensorError) -> [[UInt8]] {
    guard case .strings(let values) = storage else {
      throw .unsupportedDType(op: "strings()", dtype)
    }
    return values
  }

  // MARK: Reshaping

  /// The same elements under another shape; one dimension may be -1 and is then inferred.
  ///
  /// Corresponds to the TensorFlow op `Reshape`. The result shares this tensor's storage.
  ///
  /// - Throws: `TensorError.invalidShape` when the element counts differ, more than one dimension
  ///   is -1, or a dimension is below -1.
  public func reshaped(to newShape: [Int]) throws(TensorError) -> Tensor {
    let count = elementCount
    var resolved = newShape
    let inferred = newShape.indices.filter { newShape[$0] == -1 }
    guard inferred.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
      throw .invalidShape(
        op: "Reshape", shape: newShape, reason: "at most one dimension may be -1, none below it")
    }
    if let axis = inferred.first {
      // Checked: the other dimensions come from input values and their product may overflow.
      let known = Shape.checkedElementCount(newShape.filter { $0 != -1 })
      guard let known, known > 0, count % known == 0 else {
        throw .invalidShape(
          op: "Reshape", shape: newShape,
          reason: "cannot infer the -1 dimension for \(count) elements from \(Shape.format(shape))")
      }
      resolved[axis] = count / known
    }
    guard Shape.checkedElementCount(resolved) == count else {
      throw .invalidShape(
        op: "Reshape", shape: newShape,
        reason: "\(count) elements of \(Shape.format(shape)) do not fit")
    }
    // An empty tensor can take any dimensions beside its zero; they must still fit the limits,
    // or the strides of the next kernel to read it would overflow.
    if count == 0 { try Shape.checkAllocation(resolved, dtype: dtype, op: "Reshape") }
    return Tensor(dtype: dtype, shape: resolved, storage: storage)
  }

  // MARK: Equality and description

  /// Whether two tensors have the same dtype, shape and element bits.
  ///
  /// Floating-point elements compare by bit pattern, so NaN equals the same NaN and `0` differs
  /// from `-0`; kernel tests that need a tolerance compare values instead.
  public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
    guard lhs.dtype == rhs.dtype, lhs.shape == rhs.shape else { return false }
    switch (lhs.storage, rhs.storage) {
    case (.strings(let a), .strings(let b)):
      return a == b
    case (.dense(let a), .dense(let b)):
      if a === b { return true }
      return a.byteCount == b.byteCount && memcmp(a.base, b.base, a.byteCount) == 0
    default:
      return false
    }
  }

  /// The dtype, the shape and up to the first 16 elements, for messages and test output.
  public var description: String {
    let limit = 16
    let values: [String]
    switch dtype {
    case .float32, .float16, .bfloat16:
      values = ((try? floats()) ?? []).prefix(limit).map { "\($0)" }
    case .float64: values = elements(Double.self).prefix(limit).map { "\($0)" }
    case .int8: values = elements(Int8.self).prefix(limit).map { "\($0)" }
    case .int16: values = elements(Int16.self).prefix(limit).map { "\($0)" }
    case .int32: values = elements(Int32.self).prefix(limit).map { "\($0)" }
    case .int64: values = elements(Int64.self).prefix(limit).map { "\($0)" }
    case .uint8: values = elements(UInt8.self).prefix(limit).map { "\($0)" }
    case .uint16: values = elements(UInt16.self).prefix(limit).map { "\($0)" }
    case .uint32: values = elements(UInt32.self).prefix(limit).map { "\($0)" }
    case .uint64: values = elements(UInt64.self).prefix(limit).map { "\($0)" }
    case .bool: values = elements(Bool.self).prefix(limit).map { "\($0)" }
    case .complex64:
      values = elements(Complex64.self).prefix(limit).map { "(\($0.real), \($0.imag))" }
    case .complex128:
      values = elements(Complex128.self).prefix(limit).map { "(\($0.real), \($0.imag))" }
    case .string:
      values = ((try? strings()) ?? []).prefix(limit).map {
        "\"\(String(decoding: $0, as: UTF8.self))\""
      }
    }
    let more = elementCount > limit ? ", …" : ""
    return "Tensor<\(dtype)\(Shape.format(shape))>(\(values.joined(separator: ", "))\(more))"
  }
}

// MARK: - Internal element access for kernels

extension Tensor {
  /// Builds a dense tensor of `Element`'s dtype, letting `fill` write every element.
  ///
  /// The buffer starts zeroed, so `fill` may accumulate into it.
  static func make<Element: TensorElement>(
    _: Element.Type, shape: [Int], _ fill: (UnsafeMutableBufferPointer<Element>) -> Void
  ) -> Tensor {
    let count = Shape.elementCount(shape)
    let buffer = TensorBuffer(count: count, of: Element.self)
    fill(
      UnsafeMutableBufferPointer(
        start: buffer.base.assumingMemoryBound(to: Element.self), count: count))
    return Tensor(dtype: Element.dtype, shape: shape, storage: .dense(buffer))
  }

  /// Builds a dense tensor of `Element`'s dtype whose every element `fill` writes: the buffer is
  /// not zeroed first (it may hold an earlier tensor's bytes), so `fill` must not skip any.
  static func makeOverwritten<Element: TensorElement>(
    _: Element.Type, shape: [Int], _ fill: (UnsafeMutableBufferPointer<Element>) -> Void
  ) -> Tensor {
    let count = Shape.elementCount(shape)
    let buffer = TensorBuffer(count: count, of: Element.self, zeroed: false)
    fill(
      UnsafeMutableBufferPointer(
        start: buffer.base.assumingMemoryBound(to: Element.self), count: count))
    return Tensor(dtype: Element.dtype, shape: shape, storage: .dense(buffer))
  }

  /// A dense tensor holding a copy of `values`.
  static func from<Element: TensorElement>(_ values: [Element], shape: [Int]) -> Tensor {
    precondition(
      values.count == Shape.elementCount(shape),
      "\(values.count) values for shape \(Shape.format(shape))")
    return make(Element.self, shape: shape) { destination in
      _ = destination.initialize(from: values)
    }
  }

  /// Calls `body` with the elements of a dense tensor whose storage type is `Element`.
  ///
  /// - Precondition: `Element.dtype == dtype`.
  func withElements<Element: TensorElement, Result, Failure: Error>(
    _: Element.Type, _ body: (UnsafeBufferPointer<Element>) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    guard case .dense(let buffer) = storage, Element.dtype == dtype else {
      preconditionFailure("\(dtype) tensor read as \(Element.self)")
    }
    let count = elementCount
    let result = try body(
      UnsafeBufferPointer(start: buffer.base.assumingMemoryBound(to: Element.self), count: count))
    withExtendedLifetime(buffer) {}
    return result
  }

  /// The elements as an array of their storage type.
  ///
  /// - Precondition: `Element.dtype == dtype`.
  func elements<Element: TensorElement>(_: Element.Type) -> [Element] {
    withElements(Element.self) { Array($0) }
  }

  private func checked<Element: TensorElement>(
    _: Element.Type, _ accessor: String
  ) throws(TensorError) -> [Element] {
    guard dtype == Element.dtype else { throw .unsupportedDType(op: accessor, dtype) }
    return elements(Element.self)
  }
}
