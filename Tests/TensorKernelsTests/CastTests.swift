import Testing

@testable import TensorKernels

@Suite("Cast")
struct CastTests {
  @Test("float to integer truncates toward zero; NaN gives 0 and out of range saturates")
  func floatToInteger() throws {
    let x = Tensor(float32: [-2.7, 2.7, -0.5, 0.5, 1e10, -1e10, .nan, 127.9], shape: [8])
    let int32 = try Cast.apply(x, to: .int32)
    #expect(int32.dtype == .int32)
    #expect(try int32.int32s() == [-2, 2, 0, 0, Int32.max, Int32.min, 0, 127])
    #expect(try Cast.apply(x, to: .int8).int8s() == [-2, 2, 0, 0, 127, -128, 0, 127])
    #expect(try Cast.apply(x, to: .uint8).uint8s() == [0, 2, 0, 0, 255, 0, 0, 127])
    let big = Tensor(float64: [9.3e18, -9.3e18, 4.5e15 + 0.5], shape: [3])
    #expect(
      try Cast.apply(big, to: .int64).int64s() == [Int64.max, Int64.min, 4_500_000_000_000_000])
  }

  @Test("integer narrowing wraps modulo 2^bits, widening sign-extends")
  func integerConversions() throws {
    let x = Tensor(int32: [300, -129, -1], shape: [3])
    #expect(try Cast.apply(x, to: .int8).int8s() == [44, 127, -1])
    #expect(try Cast.apply(x, to: .uint8).uint8s() == [44, 127, 255])
    #expect(try Cast.apply(x, to: .int64).int64s() == [300, -129, -1])
    #expect(try Cast.apply(x, to: .uint64).uint64s() == [300, UInt64.max - 128, UInt64.max])
    let unsigned = Tensor(uint64: [UInt64.max], shape: [1])
    #expect(try Cast.apply(unsigned, to: .int64).int64s() == [-1])
  }

  @Test("anything to bool is x != 0, with NaN true; bool to numbers is 0 or 1")
  func bools() throws {
    let x = Tensor(float32: [0, -0.0, 0.1, .nan, -3], shape: [5])
    #expect(try Cast.apply(x, to: .bool).bools() == [false, false, true, true, true])
    #expect(try Cast.apply(Tensor(int64: [0, 5], shape: [2]), to: .bool).bools() == [false, true])
    let flags = Tensor(bool: [true, false], shape: [2])
    #expect(try Cast.apply(flags, to: .float32).floats() == [1, 0])
    #expect(try Cast.apply(flags, to: .int32).int32s() == [1, 0])
    #expect(try Cast.apply(flags, to: .float16).floats() == [1, 0])
  }

  @Test("integers to floats round to nearest")
  func integerToFloat() throws {
    let x = Tensor(int64: [16_777_217, -3, Int64.max], shape: [3])
    #expect(try Cast.apply(x, to: .float32).floats() == [16_777_216, -3, 9.223372e18])
    #expect(try Cast.apply(Tensor(int32: [7], shape: [1]), to: .float64).doubles() == [7])
  }

  @Test("floats narrow with round-to-nearest-even, through float32 for 16-bit targets")
  func floatNarrowing() throws {
    let x = Tensor(float64: [0.1, 1 + 0x1p-24, 65520], shape: [3])
    let single = try Cast.apply(x, to: .float32).floats()
    #expect(single == [0.1, 1, 65520])
    #expect(try Cast.apply(x, to: .float16).floats() == [Float(Float16(0.1)), 1, .infinity])
    #expect(try Cast.apply(x, to: .bfloat16).floats() == [0.10009765625, 1, 65536])
    let h = Tensor(float16: [0.333], shape: [1])
    #expect(try Cast.apply(h, to: .float64).doubles() == [Double(Float16(0.333))])
    // float16(0.333) is 0.3330078125, exactly halfway between two bfloat16 values: ties to even.
    #expect(try Cast.apply(h, to: .bfloat16).floats() == [0.33203125])
  }

  @Test("casting to the same dtype returns the tensor unchanged; strings cannot be cast")
  func identityAndStrings() throws {
    let x = Tensor(int32: [1], shape: [1])
    #expect(try Cast.apply(x, to: .int32) == x)
    #expect(throws: TensorError.unsupportedDType(op: "Cast", .string)) {
      try Cast.apply(x, to: .string)
    }
    #expect(throws: TensorError.unsupportedDType(op: "Cast", .string)) {
      try Cast.apply(Tensor(strings: ["1"], shape: [1]), to: .int32)
    }
    #expect(try Cast.apply(Tensor(strings: ["1"], shape: [1]), to: .string).dtype == .string)
  }

  @Test("every dtype pair converts small integers exactly")
  func allPairs() throws {
    let numeric = DType.allCases.filter(\.isNumeric)
    for source in numeric {
      let start = try Cast.apply(Tensor(int32: [0, 1, 2, 100], shape: [2, 2]), to: source)
      for destination in numeric {
        let converted = try Cast.apply(start, to: destination)
        #expect(converted.dtype == destination)
        #expect(converted.shape == [2, 2])
        #expect(
          try Cast.apply(converted, to: .int32).int32s() == [0, 1, 2, 100],
          "\(source) → \(destination)")
      }
    }
  }
}
