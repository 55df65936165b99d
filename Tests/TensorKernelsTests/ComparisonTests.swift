import Testing

@testable import TensorKernels

@Suite("Comparisons, logical ops and Select")
struct ComparisonTests {
  let x = Tensor(float32: [1, 2, 3], shape: [3])
  let two = Tensor(float32: [2], shape: [])

  @Test("the six comparisons against a broadcast scalar give bool tensors")
  func comparisons() throws {
    #expect(try Comparison.apply(.equal, x, two).bools() == [false, true, false])
    #expect(try Comparison.apply(.notEqual, x, two).bools() == [true, false, true])
    #expect(try Comparison.apply(.less, x, two).bools() == [true, false, false])
    #expect(try Comparison.apply(.lessEqual, x, two).bools() == [true, true, false])
    #expect(try Comparison.apply(.greater, x, two).bools() == [false, false, true])
    #expect(try Comparison.apply(.greaterEqual, x, two).bools() == [false, true, true])
    #expect(try Comparison.apply(.less, x, two).dtype == .bool)
  }

  @Test("NaN is unequal to everything, itself included")
  func nan() throws {
    let n = Tensor(float32: [.nan], shape: [1])
    #expect(try Comparison.apply(.equal, n, n).bools() == [false])
    #expect(try Comparison.apply(.notEqual, n, n).bools() == [true])
    #expect(try Comparison.apply(.less, n, two).bools() == [false])
    #expect(try Comparison.apply(.greaterEqual, n, two).bools() == [false])
  }

  @Test("integers, bools and strings compare; bools and strings only for equality")
  func otherTypes() throws {
    let a = Tensor(int64: [1, 5], shape: [2, 1])
    let b = Tensor(int64: [1, 4, 6], shape: [3])
    let less = try Comparison.apply(.less, a, b)
    #expect(less.shape == [2, 3])
    #expect(try less.bools() == [false, true, true, false, false, true])
    let flags = Tensor(bool: [true, false], shape: [2])
    #expect(
      try Comparison.apply(.equal, flags, Tensor(bool: [true], shape: [])).bools() == [true, false])
    let words = Tensor(strings: ["cat", "dog", ""], shape: [3])
    let dog = Tensor(strings: ["dog"], shape: [])
    #expect(try Comparison.apply(.equal, words, dog).bools() == [false, true, false])
    #expect(try Comparison.apply(.notEqual, words, dog).bools() == [true, false, true])
    #expect(throws: TensorError.unsupportedDType(op: "Less", .string)) {
      try Comparison.apply(.less, words, dog)
    }
    #expect(throws: TensorError.unsupportedDType(op: "Greater", .bool)) {
      try Comparison.apply(.greater, flags, flags)
    }
    let half = try Comparison.apply(
      .greater, Tensor(float16: [1, 3], shape: [2]), Tensor(float16: [2], shape: []))
    #expect(try half.bools() == [false, true])
  }

  @Test("comparison operands must share a dtype and broadcast")
  func comparisonErrors() {
    #expect(throws: TensorError.dtypeMismatch(op: "Equal", .float32, .float64)) {
      try Comparison.apply(.equal, x, Tensor(float64: [1], shape: [1]))
    }
    #expect(throws: TensorError.incompatibleShapes(op: "Less", [3], [2])) {
      try Comparison.apply(.less, x, Tensor(float32: [1, 2], shape: [2]))
    }
  }

  @Test("LogicalAnd, LogicalOr broadcast and LogicalNot negates")
  func logical() throws {
    let a = Tensor(bool: [true, false], shape: [2, 1])
    let b = Tensor(bool: [true, false], shape: [2])
    #expect(try Logical.and(a, b).bools() == [true, false, false, false])
    #expect(try Logical.or(a, b).bools() == [true, true, true, false])
    #expect(try Logical.not(b).bools() == [false, true])
    #expect(throws: TensorError.unsupportedDType(op: "LogicalAnd", .int32)) {
      try Logical.and(Tensor(int32: [1], shape: [1]), b)
    }
    #expect(throws: TensorError.unsupportedDType(op: "LogicalNot", .float32)) { try Logical.not(x) }
  }

  @Test("Select with a same-shape condition picks elementwise")
  func selectElementwise() throws {
    let condition = Tensor(bool: [true, false, true], shape: [3])
    let other = Tensor(float32: [10, 20, 30], shape: [3])
    #expect(try Select.apply(condition: condition, x, other).floats() == [1, 20, 3])
  }

  @Test("Select with a vector condition picks whole rows")
  func selectRows() throws {
    let condition = Tensor(bool: [false, true], shape: [2])
    let a = Tensor(int32: [1, 2, 3, 4], shape: [2, 2])
    let b = Tensor(int32: [5, 6, 7, 8], shape: [2, 2])
    #expect(try Select.apply(condition: condition, a, b).int32s() == [5, 6, 3, 4])
    #expect(throws: TensorError.self) {
      try Select.apply(condition: Tensor(bool: [true, false, true], shape: [3]), a, b)
    }
    #expect(throws: TensorError.incompatibleShapes(op: "Select", [2, 2], [4])) {
      try Select.apply(condition: condition, a, Tensor(int32: [1, 2, 3, 4], shape: [4]))
    }
  }

  @Test("Select and SelectV2 with a scalar condition take all of x or all of y (tf.vectorized_map)")
  func selectScalarCondition() throws {
    let a = Tensor(int32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
    let b = Tensor(int32: [-1, -2, -3, -4, -5, -6], shape: [2, 3])
    for flag in [true, false] {
      let condition = Tensor(bool: [flag], shape: [])
      let picked = try Select.apply(condition: condition, a, b)
      #expect(picked == (flag ? a : b))
      #expect(try Select.applyV2(condition: condition, a, b) == (flag ? a : b))
    }
    let empty = Tensor(float32: [], shape: [0, 3])
    #expect(try Select.apply(condition: Tensor(bool: [true], shape: []), empty, empty).shape == [0, 3])
    let scalars = try Select.apply(
      condition: Tensor(bool: [false], shape: []), Tensor(float32: [.nan], shape: []), Tensor(float32: [2], shape: []))
    #expect(try scalars.floats() == [2])
  }

  @Test("SelectV2 broadcasts condition, x and y together")
  func selectV2() throws {
    let condition = Tensor(bool: [true, false], shape: [2, 1])
    let a = Tensor(float64: [1, 2, 3], shape: [3])
    let b = Tensor(float64: [-1], shape: [])
    let result = try Select.applyV2(condition: condition, a, b)
    #expect(result.shape == [2, 3])
    #expect(try result.doubles() == [1, 2, 3, -1, -1, -1])
    let strings = try Select.applyV2(
      condition: Tensor(bool: [false, true], shape: [2]), Tensor(strings: ["a", "b"], shape: [2]),
      Tensor(strings: ["z"], shape: []))
    #expect(try strings.strings() == [Array("z".utf8), Array("b".utf8)])
    #expect(throws: TensorError.unsupportedDType(op: "SelectV2", .int32)) {
      try Select.applyV2(condition: Tensor(int32: [1], shape: [1]), a, b)
    }
    #expect(throws: TensorError.dtypeMismatch(op: "SelectV2", .float64, .float32)) {
      try Select.applyV2(condition: condition, a, Tensor(float32: [1], shape: []))
    }
  }

  @Test("TensorFlow op names map to comparison ops")
  func names() {
    #expect(ComparisonOp(tensorFlowName: "GreaterEqual") == .greaterEqual)
    #expect(ComparisonOp(tensorFlowName: "Greatest") == nil)
  }
}
