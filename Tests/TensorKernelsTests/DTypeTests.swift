import Testing

@testable import TensorKernels

@Suite("DType")
struct DTypeTests {
  @Test("raw values are TensorFlow's DataType enum numbers")
  func enumNumbers() {
    let expected: [(DType, Int)] = [
      (.float32, 1), (.float64, 2), (.int32, 3), (.uint8, 4), (.int16, 5), (.int8, 6),
      (.string, 7), (.int64, 9), (.bool, 10), (.bfloat16, 14), (.uint16, 17), (.float16, 19),
      (.uint32, 22), (.uint64, 23), (.complex64, 8), (.complex128, 18),
    ]
    for (dtype, number) in expected {
      #expect(dtype.rawValue == number)
      #expect(DType(rawValue: number) == dtype)
    }
    #expect(DType.allCases.count == expected.count)
    #expect(DType(rawValue: 101) == nil)  // DT_FLOAT_REF is not an element type.
  }

  @Test("element sizes match the storage layout, and strings have none")
  func elementSizes() {
    #expect(DType.bool.elementSize == 1)
    #expect(DType.uint8.elementSize == 1)
    #expect(DType.float16.elementSize == 2)
    #expect(DType.bfloat16.elementSize == 2)
    #expect(DType.int32.elementSize == 4)
    #expect(DType.float64.elementSize == 8)
    #expect(DType.uint64.elementSize == 8)
    #expect(DType.string.elementSize == nil)
    #expect(DType.complex64.elementSize == 8)
    #expect(DType.complex128.elementSize == 16)
  }

  @Test("classification and names")
  func classification() {
    #expect(DType.bfloat16.isFloatingPoint)
    #expect(!DType.int8.isFloatingPoint)
    #expect(DType.uint64.isInteger)
    #expect(!DType.bool.isNumeric)
    #expect(!DType.string.isNumeric)
    #expect(DType.float16.tensorFlowName == "DT_HALF")
    #expect(DType.float32.description == "float32")
    #expect(DType.complex64.isComplex && !DType.complex64.isNumeric && !DType.complex64.isFloatingPoint)
    #expect(DType.complex64.complexPartType == .float32 && DType.complex128.complexPartType == .float64)
    #expect(DType.complex128.tensorFlowName == "DT_COMPLEX128")
  }
}
