import Testing

@testable import TensorKernels

@Suite("Unary elementwise ops")
struct UnaryOpTests {
  private func apply(_ op: UnaryOp, _ values: [Float]) throws -> [Float] {
    try Elementwise.apply(op, Tensor(float32: values, shape: [values.count])).floats()
  }

  @Test("Neg, Abs, Square and Sign are exact")
  func exactOps() throws {
    #expect(try apply(.neg, [1, -2, 0]) == [-1, 2, -0.0])
    #expect(try apply(.abs, [1, -2, -0.0]) == [1, 2, 0])
    #expect(try apply(.square, [3, -0.5]) == [9, 0.25])
    let signs = try apply(.sign, [-3, 0, 2, .nan])
    #expect(signs[0..<3] == [-1, 0, 1])
    #expect(signs[3].isNaN)
  }

  @Test("Exp, Expm1, Log and Log1p match known values")
  func exponentials() throws {
    expectClose(try apply(.exp, [0, 1, -1]), [1, 2.7182817, 0.36787945])
    expectClose(try apply(.expm1, [0, 1e-10]), [0, 1e-10], relative: 1e-6, absolute: 0)
    expectClose(try apply(.log, [1, 2.7182817, 0]), [0, 1, -.infinity])
    expectClose(try apply(.log1p, [0, 1e-10]), [0, 1e-10], relative: 1e-6, absolute: 0)
    #expect(try apply(.log, [-1])[0].isNaN)
  }

  @Test("Sqrt, Rsqrt and Reciprocal")
  func roots() throws {
    #expect(try apply(.sqrt, [4, 2.25, 0]) == [2, 1.5, 0])
    #expect(try apply(.rsqrt, [4, 0.25]) == [0.5, 2])
    #expect(try apply(.rsqrt, [0]) == [.infinity])
    #expect(try apply(.reciprocal, [4, -0.5]) == [0.25, -2])
  }

  @Test("Floor, Ceil and Round (half to even)")
  func rounding() throws {
    #expect(try apply(.floor, [1.5, -1.5, 2]) == [1, -2, 2])
    #expect(try apply(.ceil, [1.5, -1.5, 2]) == [2, -1, 2])
    #expect(try apply(.round, [0.5, 1.5, 2.5, -0.5, -1.5, 2.6]) == [0, 2, 2, -0.0, -2, 3])
  }

  @Test("Erf and Tanh match known values and saturate")
  func erfTanh() throws {
    expectClose(try apply(.erf, [0, 1, -1, 10]), [0, 0.84270079, -0.84270079, 1])
    expectClose(try apply(.tanh, [0, 1, -1, 50]), [0, 0.76159416, -0.76159416, 1])
  }

  @Test("integer tensors accept Neg, Abs, Square, Sign, Relu and Relu6 only")
  func integerUnary() throws {
    let x = Tensor(int32: [-7, 0, 3, 9], shape: [4])
    #expect(try Elementwise.apply(.neg, x).int32s() == [7, 0, -3, -9])
    #expect(try Elementwise.apply(.abs, x).int32s() == [7, 0, 3, 9])
    #expect(try Elementwise.apply(.square, x).int32s() == [49, 0, 9, 81])
    #expect(try Elementwise.apply(.sign, x).int32s() == [-1, 0, 1, 1])
    #expect(try Elementwise.apply(.relu, x).int32s() == [0, 0, 3, 9])
    #expect(try Elementwise.apply(.relu6, x).int32s() == [0, 0, 3, 6])
    #expect(try Elementwise.apply(.neg, Tensor(int8: [-128], shape: [1])).int8s() == [-128])
    #expect(throws: TensorError.unsupportedDType(op: "Exp", .int32)) {
      try Elementwise.apply(.exp, x)
    }
    #expect(throws: TensorError.unsupportedDType(op: "Sqrt", .bool)) {
      try Elementwise.apply(.sqrt, Tensor(bool: [true], shape: [1]))
    }
  }

  @Test("float64 and float16 tensors keep their dtype")
  func otherFloatTypes() throws {
    let d = try Elementwise.apply(.sqrt, Tensor(float64: [2], shape: [1]))
    #expect(try d.doubles() == [Double(2).squareRoot()])
    let h = try Elementwise.apply(.exp, Tensor(float16: [1], shape: [1]))
    #expect(h.dtype == .float16)
    #expect(try h.floats() == [Float(Float16(2.7182817))])
  }

  @Test("large unary maps split across cores match a serial loop")
  func largeMap() throws {
    let values = randomFloats(150_001, seed: 9)
    let result = try apply(.square, values)
    #expect(result == values.map { $0 * $0 })
  }

  @Test("TensorFlow op names map to ops, Inv and LeakyRelu's alpha included")
  func names() {
    #expect(UnaryOp(tensorFlowName: "Rsqrt") == .rsqrt)
    #expect(UnaryOp(tensorFlowName: "Inv") == .reciprocal)
    #expect(UnaryOp(tensorFlowName: "LeakyRelu") == .leakyRelu(alpha: 0.2))
    #expect(UnaryOp(tensorFlowName: "LeakyRelu", alpha: 0.1) == .leakyRelu(alpha: 0.1))
    #expect(UnaryOp(tensorFlowName: "MatMul") == nil)
  }
}

@Suite("Activations")
struct ActivationTests {
  private func apply(_ op: UnaryOp, _ values: [Float]) throws -> [Float] {
    try Elementwise.apply(op, Tensor(float32: values, shape: [values.count])).floats()
  }

  @Test("Relu and Relu6 clamp and keep NaN")
  func relu() throws {
    #expect(try apply(.relu, [-1, 0, 2.5]) == [0, 0, 2.5])
    #expect(try apply(.relu6, [-1, 3, 7]) == [0, 3, 6])
    #expect(try apply(.relu, [.nan])[0].isNaN)
    #expect(try apply(.relu6, [.nan])[0].isNaN)
  }

  @Test("Sigmoid is 1/2 at 0 and stays finite for large magnitudes")
  func sigmoid() throws {
    let result = try apply(.sigmoid, [0, 2, -2, 100, -100, -1000])
    expectClose(
      Array(result[0..<5]), [0.5, 0.88079708, 0.11920292, 1, Float(3.7200760e-44 as Double)],
      absolute: .leastNonzeroMagnitude)
    #expect(result[5] == 0)
    #expect(result.allSatisfy { !$0.isNaN })
  }

  @Test("Elu and Selu use e^x - 1 below zero and TensorFlow's SELU constants")
  func eluSelu() throws {
    expectClose(try apply(.elu, [-1, 0, 2]), [-0.63212056, 0, 2])
    expectClose(try apply(.selu, [-1, 0, 2]), [-1.1113307, 0, 2.1014018])
  }

  @Test("LeakyRelu scales non-positive inputs by alpha, which may exceed 1")
  func leakyRelu() throws {
    #expect(try apply(.leakyRelu(alpha: 0.2), [-2, 0, 3]) == [-0.4, 0, 3])
    #expect(try apply(.leakyRelu(alpha: 2), [-2, 3]) == [-4, 3])
  }

  @Test("Softplus follows TensorFlow's thresholds: x when large, e^x when small")
  func softplus() throws {
    let result = try apply(.softplus, [0, 1, 100, -100, 14, -14])
    expectClose(
      result, [0.69314718, 1.3132616, 100, Float(3.7200760e-44 as Double), 14, 8.3152872e-7],
      absolute: .leastNonzeroMagnitude)
    #expect(result[4] == 14)  // Above -log(epsilon) - 2 ≈ 13.94, softplus(x) is x itself.
  }
}
