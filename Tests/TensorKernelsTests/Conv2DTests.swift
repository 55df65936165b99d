import Testing

@testable import TensorKernels

/// A direct 7-loop NHWC/HWIO convolution, the reference for the im2col + GEMM path.
func referenceConv2D(
  input: [Float], inputShape: [Int], filter: [Float], filterShape: [Int],
  strides: (Int, Int), dilations: (Int, Int), padding: Padding
) -> (shape: [Int], values: [Reference]) {
  let (batch, height, width, channels) = (
    inputShape[0], inputShape[1], inputShape[2], inputShape[3]
  )
  let (kernelHeight, kernelWidth, outChannels) = (filterShape[0], filterShape[1], filterShape[3])
  var explicitRows = (0, 0)
  var explicitColumns = (0, 0)
  if case .explicit(let top, let bottom, let left, let right) = padding {
    explicitRows = (top, bottom)
    explicitColumns = (left, right)
  }
  let rows = referenceWindow(
    input: height, kernel: kernelHeight, stride: strides.0, dilation: dilations.0, padding: padding,
    explicit: explicitRows)
  let columns = referenceWindow(
    input: width, kernel: kernelWidth, stride: strides.1, dilation: dilations.1, padding: padding,
    explicit: explicitColumns)
  let shape = [batch, rows.size, columns.size, outChannels]
  var output = [Reference](repeating: Reference(), count: Shape.elementCount(shape))
  for n in 0..<batch {
    for oy in 0..<rows.size {
      for ox in 0..<columns.size {
        for o in 0..<outChannels {
          var sum = Reference()
          for ky in 0..<kernelHeight {
            for kx in 0..<kernelWidth {
              for c in 0..<channels {
                let y = oy * strides.0 - rows.before + ky * dilations.0
                let x = ox * strides.1 - columns.before + kx * dilations.1
                guard y >= 0, y < height, x >= 0, x < width else { continue }
                let value = input[((n * height + y) * width + x) * channels + c]
                let weight = filter[((ky * kernelWidth + kx) * channels + c) * outChannels + o]
                sum.add(Double(value) * Double(weight))
              }
            }
          }
          output[((n * rows.size + oy) * columns.size + ox) * outChannels + o] = sum
        }
      }
    }
  }
  return (shape, output)
}

@Suite("Conv2D")
struct Conv2DTests {
  private let ones3x3 = Tensor(float32: [Float](repeating: 1, count: 9), shape: [3, 3, 1, 1])

  @Test("SAME padding with stride 2 on an odd 5×5 input pads one on each side")
  func sameStride2Odd() throws {
    let input = Tensor(float32: (1...25).map(Float.init), shape: [1, 5, 5, 1])
    let result = try Conv2D.apply(input, filter: ones3x3, strides: [1, 2, 2, 1], padding: .same)
    #expect(result.shape == [1, 3, 3, 1])
    #expect(try result.floats() == [16, 33, 28, 69, 117, 87, 76, 123, 88])
  }

  @Test("SAME padding with stride 2 on an even 4×4 input pads only after (TF's rule)")
  func sameStride2EvenPadsAfter() throws {
    let input = Tensor(float32: (1...16).map(Float.init), shape: [1, 4, 4, 1])
    let result = try Conv2D.apply(input, filter: ones3x3, strides: [1, 2, 2, 1], padding: .same)
    #expect(result.shape == [1, 2, 2, 1])
    #expect(try result.floats() == [54, 45, 72, 54])
  }

  @Test("VALID padding keeps only full windows")
  func valid() throws {
    let input = Tensor(float32: (1...16).map(Float.init), shape: [1, 4, 4, 1])
    let result = try Conv2D.apply(input, filter: ones3x3, strides: [1, 1, 1, 1], padding: .valid)
    #expect(result.shape == [1, 2, 2, 1])
    #expect(try result.floats() == [54, 63, 90, 99])
  }

  @Test("dilation 2 spreads a 2×2 kernel over a 3×3 area")
  func dilation() throws {
    let input = Tensor(float32: (1...25).map(Float.init), shape: [1, 5, 5, 1])
    let filter = Tensor(float32: [1, 1, 1, 1], shape: [2, 2, 1, 1])
    let result = try Conv2D.apply(
      input, filter: filter, strides: [1, 1, 1, 1], padding: .valid, dilations: [1, 2, 2, 1])
    #expect(result.shape == [1, 3, 3, 1])
    #expect(try result.floats() == [28, 32, 36, 48, 52, 56, 68, 72, 76])
  }

  @Test("explicit padding pads exactly as given")
  func explicit() throws {
    let input = Tensor(float32: [1, 2, 3, 4], shape: [1, 2, 2, 1])
    let filter = Tensor(float32: [1], shape: [1, 1, 1, 1])
    let result = try Conv2D.apply(
      input, filter: filter, strides: [1, 1, 1, 1],
      padding: .explicit(top: 1, bottom: 0, left: 0, right: 2))
    #expect(result.shape == [1, 3, 4, 1])
    #expect(try result.floats() == [0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0])
  }

  @Test("a 1×1 convolution mixes channels like a matrix product")
  func pointwise() throws {
    let input = Tensor(float32: [1, 2, 3, 4], shape: [1, 1, 2, 2])
    let filter = Tensor(float32: [1, 10, 100, 1000, 0, 1], shape: [1, 1, 2, 3])
    let result = try Conv2D.apply(input, filter: filter, strides: [1, 1, 1, 1], padding: .valid)
    #expect(result.shape == [1, 1, 2, 3])
    #expect(try result.floats() == [2001, 10, 102, 4003, 30, 304])
  }

  @Test("im2col + GEMM matches a direct 7-loop convolution on random inputs")
  func randomAgainstNaive() throws {
    struct Case {
      let input: [Int]
      let filter: [Int]
      let strides: (Int, Int)
      let dilations: (Int, Int)
      let padding: Padding
    }
    let cases = [
      Case(
        input: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: (1, 1), dilations: (1, 1),
        padding: .same),
      Case(
        input: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: (2, 2), dilations: (1, 1),
        padding: .same),
      Case(
        input: [1, 8, 8, 2], filter: [3, 2, 2, 5], strides: (2, 3), dilations: (1, 1),
        padding: .valid),
      Case(
        input: [3, 9, 10, 2], filter: [3, 3, 2, 3], strides: (1, 2), dilations: (2, 3),
        padding: .same),
      Case(
        input: [1, 6, 5, 4], filter: [2, 4, 4, 2], strides: (1, 1), dilations: (2, 1),
        padding: .valid),
      Case(
        input: [2, 5, 6, 3], filter: [3, 3, 3, 2], strides: (2, 1), dilations: (1, 1),
        padding: .explicit(top: 2, bottom: 0, left: 1, right: 3)),
      Case(
        input: [1, 4, 4, 8], filter: [1, 1, 8, 16], strides: (1, 1), dilations: (1, 1),
        padding: .same),
      Case(
        input: [1, 5, 5, 8], filter: [1, 1, 8, 3], strides: (2, 2), dilations: (1, 1),
        padding: .valid),
      Case(
        input: [1, 3, 3, 1], filter: [5, 5, 1, 2], strides: (1, 1), dilations: (1, 1),
        padding: .same),
    ]
    for (index, test) in cases.enumerated() {
      let input = randomFloats(Shape.elementCount(test.input), seed: UInt64(300 + index))
      let filter = randomFloats(Shape.elementCount(test.filter), seed: UInt64(400 + index))
      let reference = referenceConv2D(
        input: input, inputShape: test.input, filter: filter, filterShape: test.filter,
        strides: test.strides, dilations: test.dilations, padding: test.padding)
      let result = try Conv2D.apply(
        Tensor(float32: input, shape: test.input),
        filter: Tensor(float32: filter, shape: test.filter),
        strides: [1, test.strides.0, test.strides.1, 1], padding: test.padding,
        dilations: [1, test.dilations.0, test.dilations.1, 1])
      #expect(result.shape == reference.shape, "case \(index)")
      expectMatches(try result.floats(), reference.values)
    }
  }

  @Test("a tiny column budget splits the GEMM into many chunks without changing the result")
  func chunking() throws {
    let inputShape = [3, 11, 13, 4]
    let filterShape = [3, 3, 4, 6]
    let input = randomFloats(Shape.elementCount(inputShape), seed: 500)
    let filter = randomFloats(Shape.elementCount(filterShape), seed: 501)
    let whole = try Conv2D.apply(
      Tensor(float32: input, shape: inputShape),
      filter: Tensor(float32: filter, shape: filterShape),
      strides: [1, 1, 1, 1], padding: .same)
    for budget in [1, 36 * 4 * 7, 36 * 4 * 100] {
      let chunked = try Conv2D.apply(
        Tensor(float32: input, shape: inputShape),
        filter: Tensor(float32: filter, shape: filterShape),
        strides: [1, 1, 1, 1], padding: .same, dilations: [1, 1, 1, 1], columnBudget: budget)
      expectClose(try chunked.floats(), try whole.floats(), relative: 1e-6, absolute: 1e-6)
    }
  }

  @Test("a larger convolution that fills im2col on several cores matches the reference")
  func largeParallel() throws {
    let inputShape = [2, 32, 32, 8]
    let filterShape = [3, 3, 8, 16]
    let input = randomFloats(Shape.elementCount(inputShape), seed: 600)
    let filter = randomFloats(Shape.elementCount(filterShape), seed: 601)
    let reference = referenceConv2D(
      input: input, inputShape: inputShape, filter: filter, filterShape: filterShape,
      strides: (1, 1), dilations: (1, 1), padding: .same)
    let result = try Conv2D.apply(
      Tensor(float32: input, shape: inputShape),
      filter: Tensor(float32: filter, shape: filterShape),
      strides: [1, 1, 1, 1], padding: .same)
    expectMatches(try result.floats(), reference.values)
  }

  @Test("float64 runs on dgemm and float16 through float32")
  func otherTypes() throws {
    let input = Tensor(float64: (1...25).map(Double.init), shape: [1, 5, 5, 1])
    let filter = Tensor(float64: [Double](repeating: 1, count: 9), shape: [3, 3, 1, 1])
    let result = try Conv2D.apply(input, filter: filter, strides: [1, 2, 2, 1], padding: .same)
    #expect(try result.doubles() == [16, 33, 28, 69, 117, 87, 76, 123, 88])
    let half = try Conv2D.apply(
      Tensor(float16: (1...25).map(Float.init), shape: [1, 5, 5, 1]),
      filter: Tensor(float16: [Float](repeating: 1, count: 9), shape: [3, 3, 1, 1]),
      strides: [1, 2, 2, 1], padding: .same)
    #expect(half.dtype == .float16)
    #expect(try half.floats() == [16, 33, 28, 69, 117, 87, 76, 123, 88])
  }

  @Test("bad shapes, strides and paddings throw before computing")
  func errors() {
    let input = Tensor(float32: [Float](repeating: 0, count: 16), shape: [1, 4, 4, 1])
    #expect(throws: TensorError.self) {
      try Conv2D.apply(input, filter: ones3x3, strides: [2, 1, 1, 1], padding: .same)
    }
    #expect(throws: TensorError.self) {
      try Conv2D.apply(input, filter: ones3x3, strides: [1, 1], padding: .same)
    }
    #expect(throws: TensorError.self) {
      try Conv2D.apply(input, filter: ones3x3, strides: [1, 0, 1, 1], padding: .same)
    }
    let twoChannels = Tensor(float32: [Float](repeating: 0, count: 18), shape: [3, 3, 2, 1])
    #expect(throws: TensorError.self) {
      try Conv2D.apply(input, filter: twoChannels, strides: [1, 1, 1, 1], padding: .same)
    }
    let small = Tensor(float32: [1], shape: [1, 1, 1, 1])
    #expect(
      throws: TensorError.invalidArgument(
        op: "Conv2D",
        reason:
          "computed output size would be negative: -1 [input: 1, effective filter: 3, stride: 1]")
    ) {
      try Conv2D.apply(small, filter: ones3x3, strides: [1, 1, 1, 1], padding: .valid)
    }
    #expect(throws: TensorError.unsupportedDType(op: "Conv2D", .int32)) {
      try Conv2D.apply(
        Tensor(int32: [1], shape: [1, 1, 1, 1]), filter: Tensor(int32: [1], shape: [1, 1, 1, 1]),
        strides: [1, 1, 1, 1], padding: .valid)
    }
    #expect(throws: TensorError.self) {
      try Conv2D.apply(
        ones3x3.reshaped(to: [9]), filter: ones3x3, strides: [1, 1, 1, 1], padding: .same)
    }
  }

  @Test("TensorFlow padding attributes convert, EXPLICIT from its eight values")
  func paddingAttributes() throws {
    #expect(try Padding(tensorFlowName: "SAME") == .same)
    #expect(try Padding(tensorFlowName: "VALID") == .valid)
    #expect(
      try Padding(tensorFlowName: "EXPLICIT", explicitPaddings: [0, 0, 1, 2, 3, 4, 0, 0])
        == .explicit(top: 1, bottom: 2, left: 3, right: 4))
    #expect(throws: TensorError.self) {
      try Padding(tensorFlowName: "EXPLICIT", explicitPaddings: [1, 0, 1, 2, 3, 4, 0, 0])
    }
    #expect(throws: TensorError.self) { try Padding(tensorFlowName: "FULL") }
  }

  /// Expected values from TensorFlow 2.21 (`tf.nn.conv2d` with a filter of input depth 2 on a
  /// 4-channel input: two groups).
  @Test("a filter shallower than the input is a grouped convolution, as TensorFlow runs it")
  func grouped() throws {
    let input = Tensor(float32: (0..<36).map { (Float($0) - 17) / 4 }, shape: [1, 3, 3, 4])
    let filter = Tensor(float32: (0..<32).map { (Float($0) - 15) / 8 }, shape: [2, 2, 2, 4])
    let valid = try Conv2D.apply(input, filter: filter, strides: [1, 1, 1, 1], padding: .valid)
    #expect(valid.shape == [1, 2, 2, 4])
    #expect(
      try valid.floats() == [
        16.375, 14.25, 12.625, 11.0, 15.375, 14.25, 13.625, 13.0, 13.375, 14.25, 15.625, 17.0, 12.375, 14.25, 16.625,
        19.0,
      ])
    let same = try Conv2D.apply(input, filter: filter, strides: [1, 2, 2, 1], padding: .same)
    #expect(
      try same.floats() == [
        16.375, 14.25, 12.625, 11.0, 7.6875, 7.375, 6.3125, 6.25, -9.5625, -8.375, -8.9375, -7.5, -12.53125, -11.5625,
        -11.96875, -10.875,
      ])
    // One group per channel is a depthwise convolution with multiplier 1.
    let depthwiseFilter = Tensor(float32: (0..<16).map { Float($0) - 8 }, shape: [2, 2, 1, 4])
    let depthwise = try DepthwiseConv2D.apply(
      input, filter: try depthwiseFilter.reshaped(to: [2, 2, 4, 1]), strides: [1, 1, 1, 1], padding: .valid)
    #expect(try Conv2D.apply(input, filter: depthwiseFilter, strides: [1, 1, 1, 1], padding: .valid) == depthwise)
    // Output channels that do not split into the groups, and a depth that is no divisor.
    #expect(throws: TensorError.self) {
      try Conv2D.apply(
        input, filter: Tensor(float32: [Float](repeating: 1, count: 6), shape: [1, 1, 2, 3]), strides: [1, 1, 1, 1],
        padding: .valid)
    }
    #expect(throws: TensorError.self) {
      try Conv2D.apply(
        input, filter: Tensor(float32: [Float](repeating: 1, count: 9), shape: [1, 1, 3, 3]), strides: [1, 1, 1, 1],
        padding: .valid)
    }
  }
}
