import Testing

@testable import TensorKernels

/// A direct depthwise convolution: output channel c·M + m sees only input channel c.
private func referenceDepthwise(
  input: [Float], inputShape: [Int], filter: [Float], filterShape: [Int],
  strides: (Int, Int), dilations: (Int, Int), padding: Padding
) -> (shape: [Int], values: [Reference]) {
  let (batch, height, width, channels) = (
    inputShape[0], inputShape[1], inputShape[2], inputShape[3]
  )
  let (kernelHeight, kernelWidth, multiplier) = (filterShape[0], filterShape[1], filterShape[3])
  let rows = referenceWindow(
    input: height, kernel: kernelHeight, stride: strides.0, dilation: dilations.0, padding: padding)
  let columns = referenceWindow(
    input: width, kernel: kernelWidth, stride: strides.1, dilation: dilations.1, padding: padding)
  let depth = channels * multiplier
  let shape = [batch, rows.size, columns.size, depth]
  var output = [Reference](repeating: Reference(), count: Shape.elementCount(shape))
  for n in 0..<batch {
    for oy in 0..<rows.size {
      for ox in 0..<columns.size {
        for c in 0..<channels {
          for m in 0..<multiplier {
            var sum = Reference()
            for ky in 0..<kernelHeight {
              for kx in 0..<kernelWidth {
                let y = oy * strides.0 - rows.before + ky * dilations.0
                let x = ox * strides.1 - columns.before + kx * dilations.1
                guard y >= 0, y < height, x >= 0, x < width else { continue }
                let value = input[((n * height + y) * width + x) * channels + c]
                let weight = filter[((ky * kernelWidth + kx) * channels + c) * multiplier + m]
                sum.add(Double(value) * Double(weight))
              }
            }
            output[((n * rows.size + oy) * columns.size + ox) * depth + c * multiplier + m] = sum
          }
        }
      }
    }
  }
  return (shape, output)
}

@Suite("DepthwiseConv2dNative")
struct DepthwiseConv2DTests {
  @Test("channel multiplier 2: output channel c·2 + m uses filter[:, :, c, m]")
  func multiplierTwo() throws {
    // Channel 0 holds 1…9, channel 1 holds 10…90.
    var input: [Float] = []
    for value in 1...9 { input += [Float(value), Float(value * 10)] }
    // Filter [2, 2, 2, 2] indexed [kh][kw][c][m]: channel 0 sums its window (m = 0) and twice it
    // (m = 1); channel 1 picks the top-left (m = 0) and the bottom-right (m = 1) tap.
    let filter: [Float] = [
      1, 2, 1, 0,
      1, 2, 0, 0,
      1, 2, 0, 0,
      1, 2, 0, 1,
    ]
    let result = try DepthwiseConv2D.apply(
      Tensor(float32: input, shape: [1, 3, 3, 2]),
      filter: Tensor(float32: filter, shape: [2, 2, 2, 2]),
      strides: [1, 1, 1, 1], padding: .valid)
    #expect(result.shape == [1, 2, 2, 4])
    #expect(
      try result.floats() == [
        12, 24, 10, 50,
        16, 32, 20, 60,
        24, 48, 40, 80,
        28, 56, 50, 90,
      ])
  }

  @Test("SAME padding, strides and dilations match a direct loop on random inputs")
  func randomAgainstNaive() throws {
    let cases: [([Int], [Int], (Int, Int), (Int, Int), Padding)] = [
      ([2, 7, 8, 3], [3, 3, 3, 2], (1, 1), (1, 1), .same),
      ([1, 9, 9, 4], [3, 3, 4, 1], (2, 2), (1, 1), .same),
      ([2, 10, 7, 2], [3, 2, 2, 3], (1, 2), (2, 1), .same),
      ([1, 6, 6, 5], [2, 2, 5, 2], (2, 1), (1, 1), .valid),
      ([1, 40, 40, 16], [3, 3, 16, 1], (1, 1), (1, 1), .same),
    ]
    for (index, (inputShape, filterShape, strides, dilations, padding)) in cases.enumerated() {
      let input = randomFloats(Shape.elementCount(inputShape), seed: UInt64(700 + index))
      let filter = randomFloats(Shape.elementCount(filterShape), seed: UInt64(800 + index))
      let reference = referenceDepthwise(
        input: input, inputShape: inputShape, filter: filter, filterShape: filterShape,
        strides: strides, dilations: dilations, padding: padding)
      let result = try DepthwiseConv2D.apply(
        Tensor(float32: input, shape: inputShape),
        filter: Tensor(float32: filter, shape: filterShape),
        strides: [1, strides.0, strides.1, 1], padding: padding,
        dilations: [1, dilations.0, dilations.1, 1])
      #expect(result.shape == reference.shape, "case \(index)")
      expectMatches(try result.floats(), reference.values)
    }
  }

  @Test("the filter depth must equal the input depth")
  func errors() {
    let input = Tensor(float32: [Float](repeating: 0, count: 8), shape: [1, 2, 2, 2])
    let filter = Tensor(float32: [Float](repeating: 0, count: 3), shape: [1, 1, 3, 1])
    #expect(throws: TensorError.self) {
      try DepthwiseConv2D.apply(input, filter: filter, strides: [1, 1, 1, 1], padding: .same)
    }
    #expect(throws: TensorError.dtypeMismatch(op: "DepthwiseConv2dNative", .float32, .float64)) {
      try DepthwiseConv2D.apply(
        input, filter: Tensor(float64: [1, 1], shape: [1, 1, 2, 1]), strides: [1, 1, 1, 1],
        padding: .same)
    }
  }
}
