import Testing

@testable import TensorKernels

@Suite("MaxPool and AvgPool")
struct PoolingTests {
  let grid = Tensor(float32: (1...9).map(Float.init), shape: [1, 3, 3, 1])

  @Test("AvgPool SAME divides border windows by their count of real elements")
  func avgPoolSameBorders() throws {
    let result = try Pooling.avgPool(
      grid, ksize: [1, 3, 3, 1], strides: [1, 1, 1, 1], padding: .same)
    #expect(result.shape == [1, 3, 3, 1])
    #expect(try result.floats() == [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7])
  }

  @Test("AvgPool VALID averages full windows")
  func avgPoolValid() throws {
    let result = try Pooling.avgPool(
      grid, ksize: [1, 2, 2, 1], strides: [1, 1, 1, 1], padding: .valid)
    #expect(try result.floats() == [3, 4, 6, 7])
  }

  @Test("MaxPool SAME with stride 2 pads after and never picks a padded zero")
  func maxPoolSame() throws {
    let result = try Pooling.maxPool(
      grid, ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: .same)
    #expect(result.shape == [1, 2, 2, 1])
    #expect(try result.floats() == [5, 6, 8, 9])
    let negative = Tensor(float32: (1...9).map { -Float($0) }, shape: [1, 3, 3, 1])
    let negativeResult = try Pooling.maxPool(
      negative, ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: .same)
    #expect(try negativeResult.floats() == [-1, -3, -7, -9])
  }

  @Test("pooling works per channel and per image")
  func channelsAndBatch() throws {
    // Two images, two channels: channel 1 is channel 0 times -1.
    var values: [Float] = []
    for image in 0..<2 {
      for index in 0..<4 {
        let value = Float(image * 10 + index)
        values += [value, -value]
      }
    }
    let input = Tensor(float32: values, shape: [2, 2, 2, 2])
    let maximum = try Pooling.maxPool(
      input, ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: .valid)
    #expect(maximum.shape == [2, 1, 1, 2])
    #expect(try maximum.floats() == [3, 0, 13, -10])
    let mean = try Pooling.avgPool(
      input, ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: .valid)
    #expect(try mean.floats() == [1.5, -1.5, 11.5, -11.5])
  }

  /// Expected values from TensorFlow 2.21 (`tf.nn.max_pool2d` on the CPU).
  @Test("MaxPool ignores NaN as TensorFlow does; only NaN or -inf gives the lowest float; dtypes kept")
  func nanAndTypes() throws {
    let withNaN = Tensor(float32: [1, .nan, 3, 4], shape: [1, 2, 2, 1])
    let result = try Pooling.maxPool(
      withNaN, ksize: [1, 2, 2, 1], strides: [1, 1, 1, 1], padding: .valid)
    #expect(try result.floats() == [4])
    // [[nan, 1, nan, nan], [nan, nan, nan, nan]] in 2x2 windows: [1, lowest].
    let windows = Tensor(float32: [.nan, 1, .nan, .nan, .nan, .nan, .nan, .nan], shape: [1, 2, 4, 1])
    let pooled = try Pooling.maxPool(windows, ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: .valid)
    #expect(try pooled.floats() == [1, -Float.greatestFiniteMagnitude])
    let infinite = Tensor(float32: [-.infinity, -.infinity, -.infinity, -.infinity], shape: [1, 2, 2, 1])
    let allNaN = Tensor(float32: [.nan, .nan, .nan, .nan], shape: [1, 2, 2, 1])
    #expect(
      try Pooling.maxPool(infinite, ksize: [1, 2, 2, 1], strides: [1, 1, 1, 1], padding: .valid).floats() == [
        -Float.greatestFiniteMagnitude
      ])
    #expect(
      try Pooling.maxPool(allNaN, ksize: [1, 3, 3, 1], strides: [1, 1, 1, 1], padding: .same).floats()
        == [Float](repeating: -Float.greatestFiniteMagnitude, count: 4))
    let double = try Pooling.maxPool(
      Tensor(float64: [.nan, .nan, .nan, .nan], shape: [1, 2, 2, 1]), ksize: [1, 2, 2, 1], strides: [1, 1, 1, 1],
      padding: .valid)
    #expect(try double.doubles() == [-Double.greatestFiniteMagnitude])
    // float16 and bfloat16: the lowest float32 rounds to -inf, which is what TensorFlow gives.
    for half in [
      Tensor(float16: [.nan, .nan, .nan, .nan], shape: [1, 2, 2, 1]),
      Tensor(bfloat16: [.nan, .nan, .nan, .nan], shape: [1, 2, 2, 1]),
    ] {
      let pooledHalf = try Pooling.maxPool(half, ksize: [1, 2, 2, 1], strides: [1, 1, 1, 1], padding: .valid)
      #expect(try pooledHalf.floats() == [-.infinity])
    }
    // AvgPool propagates NaN.
    #expect(
      try Pooling.avgPool(withNaN, ksize: [1, 2, 2, 1], strides: [1, 1, 1, 1], padding: .valid).floats()[0].isNaN)
    let d = try Pooling.avgPool(
      Tensor(float64: [1, 2, 3, 4], shape: [1, 2, 2, 1]), ksize: [1, 2, 2, 1],
      strides: [1, 1, 1, 1],
      padding: .valid)
    #expect(try d.doubles() == [2.5])
    let h = try Pooling.maxPool(
      Tensor(float16: [1, 2, 3, 4], shape: [1, 2, 2, 1]), ksize: [1, 2, 2, 1],
      strides: [1, 1, 1, 1],
      padding: .valid)
    #expect(h.dtype == .float16)
    #expect(try h.floats() == [4])
  }

  @Test("large pools spread over cores match a direct loop")
  func largeParallel() throws {
    let shape = [2, 64, 64, 8]
    let values = randomFloats(Shape.elementCount(shape), seed: 900)
    let result = try Pooling.avgPool(
      Tensor(float32: values, shape: shape), ksize: [1, 3, 3, 1], strides: [1, 2, 2, 1],
      padding: .same)
    #expect(result.shape == [2, 32, 32, 8])
    let window = referenceWindow(input: 64, kernel: 3, stride: 2, dilation: 1, padding: .same)
    var expected: [Float] = []
    for n in 0..<2 {
      for oy in 0..<32 {
        for ox in 0..<32 {
          for c in 0..<8 {
            var sum: Float = 0
            var count = 0
            for y in (oy * 2 - window.before)..<(oy * 2 - window.before + 3) where y >= 0 && y < 64 {
              for x in (ox * 2 - window.before)..<(ox * 2 - window.before + 3)
              where x >= 0 && x < 64 {
                sum += values[((n * 64 + y) * 64 + x) * 8 + c]
                count += 1
              }
            }
            expected.append(sum / Float(count))
          }
        }
      }
    }
    expectClose(try result.floats(), expected, relative: 1e-6, absolute: 1e-6)
  }

  @Test("pooling over batch or depth, bad strides and explicit AvgPool padding are rejected")
  func errors() {
    #expect(throws: TensorError.self) {
      try Pooling.maxPool(grid, ksize: [1, 2, 2, 2], strides: [1, 1, 1, 1], padding: .valid)
    }
    #expect(throws: TensorError.self) {
      try Pooling.maxPool(grid, ksize: [1, 2, 2, 1], strides: [1, 1, 1], padding: .valid)
    }
    #expect(throws: TensorError.self) {
      try Pooling.avgPool(
        grid, ksize: [1, 2, 2, 1], strides: [1, 1, 1, 1],
        padding: .explicit(top: 1, bottom: 1, left: 1, right: 1))
    }
    #expect(throws: TensorError.unsupportedDType(op: "MaxPool", .int32)) {
      try Pooling.maxPool(
        Tensor(int32: [1], shape: [1, 1, 1, 1]), ksize: [1, 1, 1, 1], strides: [1, 1, 1, 1],
        padding: .valid)
    }
  }
}
