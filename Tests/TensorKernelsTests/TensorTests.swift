import Testing

@testable import TensorKernels

@Suite("Tensor")
struct TensorTests {
  @Test("array constructors round-trip through the typed accessors")
  func roundTrips() throws {
    #expect(try Tensor(float32: [1, 2.5], shape: [2]).floats() == [1, 2.5])
    #expect(try Tensor(float64: [1, -2], shape: [2, 1]).doubles() == [1, -2])
    #expect(try Tensor(int8: [-128, 127], shape: [2]).int8s() == [-128, 127])
    #expect(try Tensor(int16: [-3], shape: []).int16s() == [-3])
    #expect(try Tensor(int32: [1, 2, 3, 4, 5, 6], shape: [2, 3]).int32s() == [1, 2, 3, 4, 5, 6])
    #expect(try Tensor(int64: [Int64.min], shape: [1]).int64s() == [Int64.min])
    #expect(try Tensor(uint8: [255], shape: [1]).uint8s() == [255])
    #expect(try Tensor(uint16: [65535], shape: [1]).uint16s() == [65535])
    #expect(try Tensor(uint32: [7], shape: [1]).uint32s() == [7])
    #expect(try Tensor(uint64: [UInt64.max], shape: [1]).uint64s() == [UInt64.max])
    #expect(try Tensor(bool: [true, false], shape: [2]).bools() == [true, false])
    #expect(
      try Tensor(strings: ["a", "héllo", ""], shape: [3]).strings() == [
        [97], Array("héllo".utf8), [],
      ])
    #expect(try Tensor(float16: [0.5, -2], shape: [2]).floats() == [0.5, -2])
    #expect(try Tensor(bfloat16: [0.5, -2], shape: [2]).floats() == [0.5, -2])
  }

  @Test("shape, rank and element count, including scalars and empty tensors")
  func shapes() {
    let scalar = Tensor(float32: [3], shape: [])
    #expect(scalar.rank == 0)
    #expect(scalar.elementCount == 1)
    let empty = Tensor(int32: [], shape: [2, 0, 3])
    #expect(empty.elementCount == 0)
    #expect(empty.rank == 3)
  }

  @Test("an accessor for another dtype throws naming the accessor and dtype")
  func wrongAccessor() {
    let tensor = Tensor(int32: [1], shape: [1])
    #expect(throws: TensorError.unsupportedDType(op: "floats()", .int32)) { try tensor.floats() }
    #expect(throws: TensorError.unsupportedDType(op: "int64s()", .int32)) { try tensor.int64s() }
    #expect(throws: TensorError.unsupportedDType(op: "strings()", .int32)) { try tensor.strings() }
  }

  @Test("raw bytes are little-endian, row-major")
  func rawBytesLayout() throws {
    let int32 = try Tensor(raw: [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff], dtype: .int32, shape: [2])
    #expect(try int32.int32s() == [1, -1])
    let float = try Tensor(raw: [0, 0, 0x80, 0x3f], dtype: .float32, shape: [])
    #expect(try float.floats() == [1])
    let half = try Tensor(raw: [0x00, 0x3c, 0x00, 0xc0], dtype: .float16, shape: [2])
    #expect(try half.floats() == [1, -2])
    let bfloat = try Tensor(raw: [0x80, 0x3f], dtype: .bfloat16, shape: [1])
    #expect(try bfloat.floats() == [1])
    let values = Tensor(int64: [1, -2, 300], shape: [3])
    #expect(try Tensor(raw: values.rawBytes(), dtype: .int64, shape: [3]) == values)
    #expect(try Tensor(float32: [1], shape: [1]).rawBytes() == [0, 0, 0x80, 0x3f])
  }

  @Test("raw bool bytes other than 0 read as true")
  func rawBools() throws {
    let tensor = try Tensor(raw: [0, 1, 2, 255], dtype: .bool, shape: [4])
    #expect(try tensor.bools() == [false, true, true, true])
    #expect(try tensor.rawBytes() == [0, 1, 1, 1])
  }

  @Test("raw bytes accept any collection of bytes, such as a slice")
  func rawFromSlice() throws {
    let bytes: [UInt8] = [9, 9, 2, 0, 9]
    let tensor = try Tensor(raw: bytes[2..<4], dtype: .int16, shape: [])
    #expect(try tensor.int16s() == [2])
  }

  @Test("raw bytes of the wrong length throw with dtype, shape and both lengths")
  func rawLengthMismatch() {
    #expect(
      throws: TensorError.byteCountMismatch(
        dtype: .float32, shape: [2, 3], expected: 24, actual: 20)
    ) {
      try Tensor(raw: [UInt8](repeating: 0, count: 20), dtype: .float32, shape: [2, 3])
    }
    let message = TensorError.byteCountMismatch(
      dtype: .float32, shape: [2, 3], expected: 24, actual: 20
    )
    .description
    #expect(message == "a float32 tensor of shape [2, 3] needs 24 bytes, got 20")
  }

  @Test("raw bytes reject strings and negative dimensions")
  func rawRejects() {
    #expect(throws: TensorError.unsupportedDType(op: "Tensor(raw:)", .string)) {
      try Tensor(raw: [UInt8](), dtype: .string, shape: [0])
    }
    #expect(throws: TensorError.self) { try Tensor(raw: [UInt8](), dtype: .int8, shape: [-1]) }
    #expect(throws: TensorError.unsupportedDType(op: "rawBytes()", .string)) {
      try Tensor(strings: ["x"], shape: [1]).rawBytes()
    }
  }

  @Test("reshape keeps the elements, infers one -1, and rejects a count mismatch")
  func reshape() throws {
    let tensor = Tensor(int32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
    let reshaped = try tensor.reshaped(to: [3, -1])
    #expect(reshaped.shape == [3, 2])
    #expect(try reshaped.int32s() == [1, 2, 3, 4, 5, 6])
    #expect(try tensor.reshaped(to: [6]).shape == [6])
    #expect(throws: TensorError.self) { try tensor.reshaped(to: [4]) }
    #expect(throws: TensorError.self) { try tensor.reshaped(to: [-1, -1]) }
    #expect(throws: TensorError.self) { try tensor.reshaped(to: [4, -1]) }
    #expect(try Tensor(float32: [], shape: [0, 3]).reshaped(to: [3, 0]).shape == [3, 0])
  }

  @Test("tensors are values: equality compares dtype, shape and bits")
  func equality() {
    let a = Tensor(float32: [1, 2], shape: [2])
    #expect(a == Tensor(float32: [1, 2], shape: [2]))
    #expect(a != Tensor(float32: [1, 2], shape: [1, 2]))
    #expect(a != Tensor(float64: [1, 2], shape: [2]))
    #expect(Tensor(float32: [.nan], shape: [1]) == Tensor(float32: [.nan], shape: [1]))
    #expect(Tensor(float32: [0], shape: [1]) != Tensor(float32: [-0.0], shape: [1]))
    #expect(Tensor(strings: ["a"], shape: [1]) == Tensor(strings: [[97]], shape: [1]))
  }

  @Test("the description shows dtype, shape and the first elements")
  func description() {
    #expect(Tensor(int32: [1, 2], shape: [2]).description == "Tensor<int32[2]>(1, 2)")
    let long = Tensor(int64: (0..<20).map(Int64.init), shape: [20]).description
    #expect(long.hasSuffix(", …)"))
  }
}
