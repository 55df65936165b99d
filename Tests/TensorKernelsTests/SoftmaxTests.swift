import Testing

@testable import TensorKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite("Softmax and LogSoftmax")
struct SoftmaxTests {
  @Test("softmax of large logits is stable: [1000, 1001, 1002]")
  func largeLogits() throws {
    let logits = Tensor(float32: [1000, 1001, 1002, -1e30, 0, 1e30], shape: [2, 3])
    let result = try Softmax.softmax(logits).floats()
    expectClose(result, [0.09003057, 0.24472847, 0.66524096, 0, 0, 1])
  }

  @Test("log-softmax of large logits is stable")
  func logSoftmaxLarge() throws {
    let logits = Tensor(float32: [1000, 1001, 1002], shape: [3])
    let result = try Softmax.logSoftmax(logits).floats()
    expectClose(result, [-2.40760596, -1.40760596, -0.40760596], relative: 1e-6, absolute: 1e-6)
  }

  @Test("softmax works along the last axis only, each row summing to 1")
  func rows() throws {
    let logits = Tensor(float64: [0, 0, 1, 1, 2, 2, 0, 0], shape: [2, 2, 2])
    let result = try Softmax.softmax(logits).doubles()
    expectClose(result, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    let values = randomFloats(64 * 10, seed: 5).map { $0 * 20 }
    let random = try Softmax.softmax(Tensor(float32: values, shape: [64, 10])).floats()
    for row in 0..<64 {
      let sum = random[(row * 10)..<(row * 10 + 10)].reduce(0, +)
      #expect(Swift.abs(sum - 1) < 1e-5)
    }
  }

  @Test("softmax and log-softmax agree: log(softmax(x)) == logSoftmax(x)")
  func consistency() throws {
    let values = randomFloats(5 * 7, seed: 6).map { $0 * 5 }
    let x = Tensor(float32: values, shape: [5, 7])
    let soft = try Softmax.softmax(x).floats()
    let log = try Softmax.logSoftmax(x).floats()
    expectClose(soft.map { logf($0) }, log, relative: 1e-5, absolute: 1e-5)
  }

  @Test("a row with NaN gives NaN; scalars and integers are rejected")
  func edgeCases() throws {
    let result = try Softmax.softmax(Tensor(float32: [1, .nan, 2], shape: [3])).floats()
    #expect(result.allSatisfy { $0.isNaN })
    #expect(throws: TensorError.self) { try Softmax.softmax(Tensor(float32: [1], shape: [])) }
    #expect(throws: TensorError.unsupportedDType(op: "LogSoftmax", .int32)) {
      try Softmax.logSoftmax(Tensor(int32: [1], shape: [1]))
    }
    let half = try Softmax.softmax(Tensor(bfloat16: [0, 0], shape: [2]))
    #expect(half.dtype == .bfloat16)
    #expect(try half.floats() == [0.5, 0.5])
  }
}
