import Testing

@testable import TensorKernels

@Suite("Binary elementwise ops")
struct BinaryOpTests {
  let x = Tensor(float32: [1, -2, 3.5, 0], shape: [4])
  let y = Tensor(float32: [2, 3, -0.5, 4], shape: [4])

  @Test("float32 arithmetic: Add, Sub, Mul, RealDiv, SquaredDifference")
  func floatArithmetic() throws {
    #expect(try Elementwise.apply(.add, x, y).floats() == [3, 1, 3, 4])
    #expect(try Elementwise.apply(.sub, x, y).floats() == [-1, -5, 4, -4])
    #expect(try Elementwise.apply(.mul, x, y).floats() == [2, -6, -1.75, 0])
    #expect(try Elementwise.apply(.realDiv, x, y).floats() == [0.5, -2 / 3, -7, 0])
    #expect(try Elementwise.apply(.squaredDifference, x, y).floats() == [1, 25, 16, 16])
  }

  @Test("Maximum and Minimum pick elementwise and propagate NaN")
  func maximumMinimum() throws {
    #expect(try Elementwise.apply(.maximum, x, y).floats() == [2, 3, 3.5, 4])
    #expect(try Elementwise.apply(.minimum, x, y).floats() == [1, -2, -0.5, 0])
    let withNaN = Tensor(float32: [.nan, 1], shape: [2])
    let other = Tensor(float32: [0, .nan], shape: [2])
    #expect(try Elementwise.apply(.maximum, withNaN, other).floats().allSatisfy { $0.isNaN })
    #expect(try Elementwise.apply(.minimum, other, withNaN).floats().allSatisfy { $0.isNaN })
    let ints = try Elementwise.apply(
      .maximum, Tensor(int32: [1, -5], shape: [2]), Tensor(int32: [-1], shape: []))
    #expect(try ints.int32s() == [1, -1])
  }

  @Test("Pow on floats, including fractional and negative exponents")
  func floatPow() throws {
    let result = try Elementwise.apply(
      .pow, Tensor(float32: [2, 4, 9, 0], shape: [4]), Tensor(float32: [3, 0.5, -1, 0], shape: [4]))
    expectClose(try result.floats(), [8, 2, 1.0 / 9, 1])
  }

  @Test("Pow on integers uses exact repeated squaring and rejects negative exponents")
  func integerPow() throws {
    let result = try Elementwise.apply(
      .pow, Tensor(int64: [3, -2, 7, 0], shape: [4]), Tensor(int64: [4, 3, 0, 0], shape: [4]))
    #expect(try result.int64s() == [81, -8, 1, 1])
    #expect(
      throws: TensorError.invalidArgument(
        op: "Pow", reason: "integers to negative integer powers are not allowed")
    ) {
      try Elementwise.apply(.pow, Tensor(int32: [2], shape: [1]), Tensor(int32: [-1], shape: [1]))
    }
  }

  @Test("FloorDiv and FloorMod round toward negative infinity on floats and integers")
  func floorDivision() throws {
    let a: [Float] = [7, -7, 7, -7]
    let b: [Float] = [2, 2, -2, -2]
    let fa = Tensor(float32: a, shape: [4])
    let fb = Tensor(float32: b, shape: [4])
    #expect(try Elementwise.apply(.floorDiv, fa, fb).floats() == [3, -4, -4, 3])
    #expect(try Elementwise.apply(.floorMod, fa, fb).floats() == [1, 1, -1, -1])
    let ia = Tensor(int32: a.map { Int32($0) }, shape: [4])
    let ib = Tensor(int32: b.map { Int32($0) }, shape: [4])
    #expect(try Elementwise.apply(.floorDiv, ia, ib).int32s() == [3, -4, -4, 3])
    #expect(try Elementwise.apply(.floorMod, ia, ib).int32s() == [1, 1, -1, -1])
  }

  @Test("integer Div and RealDiv truncate toward zero")
  func integerDivision() throws {
    let a = Tensor(int64: [7, -7, 6], shape: [3])
    let b = Tensor(int64: [2, 2, -4], shape: [3])
    #expect(try Elementwise.apply(.div, a, b).int64s() == [3, -3, -1])
    #expect(try Elementwise.apply(.realDiv, a, b).int64s() == [3, -3, -1])
  }

  @Test("integer division by zero throws instead of trapping")
  func integerDivisionByZero() {
    for op in [BinaryOp.div, .realDiv, .floorDiv, .floorMod] {
      #expect(
        throws: TensorError.invalidArgument(
          op: op.tensorFlowName, reason: "integer division by zero")
      ) {
        try Elementwise.apply(
          op, Tensor(int32: [1, 2], shape: [2]), Tensor(int32: [1, 0], shape: [2]))
      }
    }
    let overflow = try? Elementwise.apply(
      .div, Tensor(int32: [Int32.min], shape: [1]), Tensor(int32: [-1], shape: [1]))
    #expect(overflow != nil)  // Int32.min / -1 wraps rather than trapping.
  }

  @Test("integer arithmetic wraps on overflow")
  func integerWrapping() throws {
    let big = Tensor(int32: [Int32.max, Int32.min], shape: [2])
    let one = Tensor(int32: [1], shape: [])
    #expect(try Elementwise.apply(.add, big, one).int32s() == [Int32.min, Int32.min + 1])
    #expect(try Elementwise.apply(.sub, big, one).int32s() == [Int32.max - 1, Int32.max])
    let bytes = try Elementwise.apply(
      .mul, Tensor(uint8: [16], shape: [1]), Tensor(uint8: [17], shape: [1]))
    #expect(try bytes.uint8s() == [16])
  }

  @Test("float64, int32 and int64 give the same results as float32 where exact")
  func otherTypes() throws {
    let d = try Elementwise.apply(
      .squaredDifference, Tensor(float64: [1, -2], shape: [2]), Tensor(float64: [4, 2], shape: [2]))
    #expect(try d.doubles() == [9, 16])
    let i = try Elementwise.apply(
      .squaredDifference, Tensor(int32: [1, -2], shape: [2]), Tensor(int32: [4, 2], shape: [2]))
    #expect(try i.int32s() == [9, 16])
    let l = try Elementwise.apply(
      .minimum, Tensor(int64: [1, -2], shape: [2]), Tensor(int64: [4, -3], shape: [2]))
    #expect(try l.int64s() == [1, -3])
  }

  @Test("float16 and bfloat16 compute in float32 and round the result back")
  func halfTypes() throws {
    let half = try Elementwise.apply(
      .add, Tensor(float16: [1.5, 2.25], shape: [2]), Tensor(float16: [0.25, 0.125], shape: [2]))
    #expect(half.dtype == .float16)
    #expect(try half.floats() == [1.75, 2.375])
    // 256 + 1 = 257 is halfway between the bfloat16 values 256 and 258: ties to even, 256.
    let bfloat = try Elementwise.apply(
      .add, Tensor(bfloat16: [256, 256], shape: [2]), Tensor(bfloat16: [1, 3], shape: [2]))
    #expect(bfloat.dtype == .bfloat16)
    #expect(try bfloat.floats() == [256, 260])
  }

  @Test("operands of different dtypes throw a dtype mismatch")
  func dtypeMismatch() {
    #expect(throws: TensorError.dtypeMismatch(op: "Add", .float32, .int32)) {
      try Elementwise.apply(.add, Tensor(float32: [1], shape: [1]), Tensor(int32: [1], shape: [1]))
    }
    #expect(
      TensorError.dtypeMismatch(op: "Add", .float32, .int32).description
        == "Add: dtypes float32 and int32 do not match")
  }

  @Test("bool and string operands are unsupported")
  func unsupported() {
    #expect(throws: TensorError.unsupportedDType(op: "Add", .bool)) {
      try Elementwise.apply(
        .add, Tensor(bool: [true], shape: [1]), Tensor(bool: [true], shape: [1]))
    }
    #expect(throws: TensorError.unsupportedDType(op: "Mul", .string)) {
      try Elementwise.apply(
        .mul, Tensor(strings: ["a"], shape: [1]), Tensor(strings: ["b"], shape: [1]))
    }
  }

  @Test("TensorFlow op names map to ops, AddV2 included")
  func names() {
    #expect(BinaryOp(tensorFlowName: "AddV2") == .add)
    #expect(BinaryOp(tensorFlowName: "SquaredDifference") == .squaredDifference)
    #expect(BinaryOp(tensorFlowName: "Conv2D") == nil)
    for op in BinaryOp.allCases { #expect(BinaryOp(tensorFlowName: op.tensorFlowName) == op) }
  }
}
