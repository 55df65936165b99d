import Testing

@testable import TensorKernels

@Suite("FusedBatchNormV3 and BiasAdd")
struct BatchNormTests {
  @Test("inference batch norm is (x - mean) · rsqrt(variance + epsilon) · scale + offset")
  func literal() throws {
    let x = Tensor(float32: [1, 2, 3, 4], shape: [1, 1, 2, 2])
    let result = try BatchNorm.fusedInference(
      x, scale: Tensor(float32: [2, 1], shape: [2]),
      offset: Tensor(float32: [0.5, -1], shape: [2]),
      mean: Tensor(float32: [1, 2], shape: [2]), variance: Tensor(float32: [4, 0.25], shape: [2]),
      epsilon: 0)
    #expect(result.shape == [1, 1, 2, 2])
    #expect(try result.floats() == [0.5, -1, 2.5, 3])
  }

  @Test("epsilon is added to the variance before the square root")
  func epsilon() throws {
    let result = try BatchNorm.fusedInference(
      Tensor(float64: [3], shape: [1, 1, 1, 1]), scale: Tensor(float64: [1], shape: [1]),
      offset: Tensor(float64: [0], shape: [1]), mean: Tensor(float64: [0], shape: [1]),
      variance: Tensor(float64: [0.75], shape: [1]), epsilon: 0.25)
    #expect(try result.doubles() == [3])
  }

  @Test("float16 inputs take float32 statistics and stay float16")
  func halfInput() throws {
    let result = try BatchNorm.fusedInference(
      Tensor(float16: [2, 4], shape: [1, 1, 1, 2]), scale: Tensor(float32: [1, 1], shape: [2]),
      offset: Tensor(float32: [0, 0], shape: [2]), mean: Tensor(float32: [1, 1], shape: [2]),
      variance: Tensor(float32: [1, 1], shape: [2]), epsilon: 0)
    #expect(result.dtype == .float16)
    #expect(try result.floats() == [1, 3])
  }

  @Test("statistics must be float vectors of the channel count")
  func errors() {
    let x = Tensor(float32: [1, 2], shape: [1, 1, 1, 2])
    let good = Tensor(float32: [1, 1], shape: [2])
    #expect(throws: TensorError.self) {
      try BatchNorm.fusedInference(
        x, scale: Tensor(float32: [1], shape: [1]), offset: good, mean: good, variance: good)
    }
    #expect(throws: TensorError.dtypeMismatch(op: "FusedBatchNormV3", .float64, .float32)) {
      try BatchNorm.fusedInference(
        x, scale: good, offset: good, mean: good, variance: Tensor(float64: [1, 1], shape: [2]))
    }
    #expect(throws: TensorError.unsupportedDType(op: "FusedBatchNormV3", .int32)) {
      try BatchNorm.fusedInference(
        Tensor(int32: [1], shape: [1]), scale: good, offset: good, mean: good, variance: good)
    }
  }

  @Test("BiasAdd adds the bias along the last dimension")
  func biasAdd() throws {
    let value = Tensor(float32: [1, 2, 3, 4], shape: [2, 2])
    let bias = Tensor(float32: [10, 20], shape: [2])
    #expect(try BiasAdd.apply(value, bias: bias).floats() == [11, 22, 13, 24])
    let image = Tensor(int32: [1, 2, 3, 4, 5, 6, 7, 8], shape: [1, 2, 2, 2])
    #expect(
      try BiasAdd.apply(image, bias: Tensor(int32: [0, 100], shape: [2])).int32s() == [
        1, 102, 3, 104, 5, 106, 7, 108,
      ])
  }

  @Test("BiasAdd rejects a bias of the wrong length, a 1-D value and mixed dtypes")
  func biasAddErrors() {
    let value = Tensor(float32: [1, 2, 3, 4], shape: [2, 2])
    #expect(throws: TensorError.self) {
      try BiasAdd.apply(value, bias: Tensor(float32: [1, 2, 3], shape: [3]))
    }
    #expect(throws: TensorError.self) {
      try BiasAdd.apply(
        Tensor(float32: [1, 2], shape: [2]), bias: Tensor(float32: [1, 2], shape: [2]))
    }
    #expect(throws: TensorError.dtypeMismatch(op: "BiasAdd", .float32, .float64)) {
      try BiasAdd.apply(value, bias: Tensor(float64: [1, 2], shape: [2]))
    }
    #expect(throws: TensorError.unsupportedDType(op: "BiasAdd", .bool)) {
      try BiasAdd.apply(
        Tensor(bool: [true, true], shape: [1, 2]), bias: Tensor(bool: [true, false], shape: [2]))
    }
  }
}
