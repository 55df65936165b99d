import Testing

@testable import TensorKernels

/// Edge cases of the 3-D kernels; their agreement with TensorFlow on real shapes is the
/// `volumetric` fixture's (ConformanceTests).
@Suite("Conv3D, its transpose, MaxPool3D and AvgPool3D")
struct VolumetricTests {
  /// `[1, depth, 1, 1, 1]` holding `values`.
  static func column(_ values: [Float]) -> Tensor { Tensor(float32: values, shape: [1, values.count, 1, 1, 1]) }

  @Test("AvgPool3D SAME divides a border window by its real elements along depth")
  func averageBorders() throws {
    let result = try Volumetric.avgPool3D(
      Self.column([1, 2, 3]), ksize: [1, 3, 1, 1, 1], strides: [1, 1, 1, 1, 1], padding: .same)
    #expect(try result.floats() == [1.5, 2, 2.5])
  }

  @Test("MaxPool3D skips the padding (a negative volume never gives 0) and ignores NaN")
  func maximum() throws {
    let negative = try Volumetric.maxPool3D(
      Self.column([-3, -1, -2]), ksize: [1, 2, 1, 1, 1], strides: [1, 2, 1, 1, 1], padding: .same)
    #expect(try negative.floats() == [-1, -2])
    let withNaN = try Volumetric.maxPool3D(
      Self.column([.nan, 4, .nan, .nan]), ksize: [1, 2, 1, 1, 1], strides: [1, 2, 1, 1, 1], padding: .valid)
    let values = try withNaN.floats()
    #expect(values[0] == 4)
    #expect(values[1] == -Float.greatestFiniteMagnitude, "a window of only NaN gives the lowest float, as in 2-D")
  }

  @Test("Conv3D along depth with SAME, strides and dilations sums the right planes")
  func convolutionAlongDepth() throws {
    let input = Self.column([1, 2, 3, 4, 5])
    let filter = Tensor(float32: [1, 10, 100], shape: [3, 1, 1, 1, 1])
    let same = try Volumetric.conv3D(input, filter: filter, strides: [1, 1, 1, 1, 1], padding: .same)
    #expect(try same.floats() == [210, 321, 432, 543, 54])
    let strided = try Volumetric.conv3D(input, filter: filter, strides: [1, 2, 1, 1, 1], padding: .valid)
    #expect(try strided.floats() == [321, 543])
    let dilated = try Volumetric.conv3D(
      input, filter: filter, strides: [1, 1, 1, 1, 1], padding: .valid, dilations: [1, 2, 1, 1, 1])
    #expect(try dilated.floats() == [531])
  }

  @Test("the transpose scatters each output back onto the depths its window read")
  func transpose() throws {
    let filter = Tensor(float32: [1, 10, 100], shape: [3, 1, 1, 1, 1])
    let gradient = Tensor(float32: [1, 2], shape: [1, 2, 1, 1, 1])
    let result = try Volumetric.conv3DBackpropInput(
      inputSizes: [1, 5, 1, 1, 1], filter: filter, outputBackprop: gradient, strides: [1, 2, 1, 1, 1],
      padding: .valid)
    // Output 0 read depths 0, 1, 2; output 1 read depths 2, 3, 4.
    #expect(try result.floats() == [1, 10, 102, 20, 200])
  }

  @Test("empty volumes, half precision and refusals")
  func edges() throws {
    let empty = Tensor(float32: [], shape: [0, 2, 2, 2, 1])
    let filter = Tensor(float32: [Float](repeating: 1, count: 8), shape: [2, 2, 2, 1, 1])
    #expect(
      try Volumetric.conv3D(empty, filter: filter, strides: [1, 1, 1, 1, 1], padding: .same).shape == [0, 2, 2, 2, 1])
    let half = Tensor(float16: [1, 2, 3, 4], shape: [1, 4, 1, 1, 1])
    let pooled = try Volumetric.avgPool3D(half, ksize: [1, 2, 1, 1, 1], strides: [1, 2, 1, 1, 1], padding: .valid)
    #expect(pooled.dtype == .float16 && pooled.shape == [1, 2, 1, 1, 1])
    #expect(throws: TensorError.self) {
      try Volumetric.maxPool3D(
        Tensor(float32: [1], shape: [1, 1, 1, 1]), ksize: [1, 1, 1, 1, 1], strides: [1, 1, 1, 1, 1], padding: .valid)
    }
    #expect(throws: TensorError.self) {
      try Volumetric.conv3D(Self.column([1]), filter: filter, strides: [2, 1, 1, 1, 1], padding: .same)
    }
    #expect(throws: TensorError.self) {
      try Volumetric.avgPool3D(
        Self.column([1]), ksize: [1, 1, 1, 1, 1], strides: [1, 1, 1, 1, 1],
        padding: .explicit(top: 0, bottom: 0, left: 0, right: 0))
    }
    #expect(throws: TensorError.self) {
      try Volumetric.maxPool3D(
        Tensor(int32: [1], shape: [1, 1, 1, 1, 1]), ksize: [1, 1, 1, 1, 1], strides: [1, 1, 1, 1, 1], padding: .valid)
    }
  }
}
