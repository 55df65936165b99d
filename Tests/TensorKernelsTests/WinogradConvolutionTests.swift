import Testing

@testable import TensorKernels

@Suite("Winograd F(2×2, 3×3) convolutions")
struct WinogradConvolutionTests {
  struct Case: CustomStringConvertible {
    let input: [Int]
    let outChannels: Int
    let padding: Padding
    /// Which way the tiles are expected to run, so both are covered.
    let banded: Bool

    var description: String { "\(input) → \(outChannels) channels, \(padding)" }
  }

  static let cases = [
    // Odd output sizes: the last tile row and column hang over the edge.
    Case(input: [1, 15, 17, 16], outChannels: 16, padding: .same, banded: false),
    Case(input: [2, 18, 16, 24], outChannels: 20, padding: .valid, banded: false),
    Case(
      input: [1, 14, 15, 16], outChannels: 17, padding: .explicit(top: 2, bottom: 0, left: 1, right: 3), banded: false),
    // Bands that run across the boundary between two images.
    Case(input: [3, 30, 30, 16], outChannels: 32, padding: .same, banded: true),
    Case(input: [1, 47, 45, 19], outChannels: 40, padding: .same, banded: true),
  ]

  private func window(_ test: Case) throws -> Window2D {
    try Window2D(
      op: "Conv2D", input: test.input, kernelHeight: 3, kernelWidth: 3, strides: [1, 1, 1, 1],
      dilations: [1, 1, 1, 1], padding: test.padding)
  }

  @Test("matches a direct 7-loop convolution, in bands and as one band", arguments: cases)
  func againstDirect(_ test: Case) throws {
    let window = try window(test)
    #expect(WinogradConvolution.suits(window, outChannels: test.outChannels))
    #expect(WinogradConvolution.runsInBands(window) == test.banded)
    let filterShape = [3, 3, test.input[3], test.outChannels]
    let input = randomFloats(Shape.elementCount(test.input), seed: 900)
    let filter = randomFloats(Shape.elementCount(filterShape), seed: 901)
    let reference = referenceConv2D(
      input: input, inputShape: test.input, filter: filter, filterShape: filterShape, strides: (1, 1),
      dilations: (1, 1), padding: test.padding)
    let result = try #require(
      WinogradConvolution.convolve(
        Tensor(float32: input, shape: test.input), Tensor(float32: filter, shape: filterShape), window,
        test.outChannels, epilogue: nil))
    #expect(result.shape == reference.shape)
    expectMatches(try result.floats(), reference.values)
  }

  @Test("Conv2D.apply takes this path for the layers it suits, and a fused epilogue sees every output")
  func throughApplyWithEpilogue() throws {
    let inputShape = [2, 20, 21, 16]
    let filterShape = [3, 3, 16, 24]
    let input = Tensor(float32: randomFloats(Shape.elementCount(inputShape), seed: 910), shape: inputShape)
    let filter = Tensor(float32: randomFloats(Shape.elementCount(filterShape), seed: 911), shape: filterShape)
    let bias = Tensor(float32: randomFloats(24, seed: 912), shape: [24])
    let epilogue = try #require(ChannelEpilogue([.add(bias), .relu], channels: 24, outputRank: 4))
    let fused = try Conv2D.apply(input, filter: filter, strides: [1, 1, 1, 1], padding: .same, epilogue: epilogue)
    let plain = try Conv2D.apply(
      input, filter: filter, strides: [1, 1, 1, 1], padding: .same, dilations: [1, 1, 1, 1],
      columnBudget: Conv2D.defaultColumnBudget)
    let biases = try bias.floats()
    let expected = try plain.floats().enumerated().map { index, value in max(value + biases[index % 24], 0) }
    expectClose(try fused.floats(), expected, relative: 1e-5, absolute: 1e-5)
    // The result is Winograd's, not im2col's: the two round differently somewhere.
    let winograd = try Conv2D.apply(input, filter: filter, strides: [1, 1, 1, 1], padding: .same).floats()
    let im2col = try plain.floats()
    #expect(winograd != im2col)
  }

  @Test("an input or filter with NaN, an infinity or a huge value goes to im2col, bit for bit")
  func valuesOutsideTheTransformsGoToIm2col() throws {
    let inputShape = [1, 16, 16, 16]
    let filterShape = [3, 3, 16, 16]
    let cleanInput = randomFloats(Shape.elementCount(inputShape), seed: 920)
    let cleanFilter = randomFloats(Shape.elementCount(filterShape), seed: 921)
    for (name, value) in [("NaN", Float.nan), ("+∞", Float.infinity), ("-∞", -Float.infinity), ("1e20", 1e20)] {
      for inFilter in [false, true] {
        var input = cleanInput
        var filter = cleanFilter
        if inFilter { filter[5 * 16 + 3] = value } else { input[(7 * 16 + 8) * 16 + 2] = value }
        let inputTensor = Tensor(float32: input, shape: inputShape)
        let filterTensor = Tensor(float32: filter, shape: filterShape)
        let result = try Conv2D.apply(inputTensor, filter: filterTensor, strides: [1, 1, 1, 1], padding: .same)
        let im2col = try Conv2D.apply(
          inputTensor, filter: filterTensor, strides: [1, 1, 1, 1], padding: .same, dilations: [1, 1, 1, 1],
          columnBudget: Conv2D.defaultColumnBudget)
        let (actual, expected) = (try result.floats(), try im2col.floats())
        #expect(
          actual.map(\.bitPattern) == expected.map(\.bitPattern), "\(name) in the \(inFilter ? "filter" : "input")")
        if !inFilter, !value.isFinite {
          // As in TensorFlow, only the 3×3 outputs around the bad pixel (7, 8) see it.
          let farIsFinite = actual[((7 * 16 + 10) * 16)..<((7 * 16 + 11) * 16)].allSatisfy { $0.isFinite }
          #expect(farIsFinite, "\(name): output (7, 10) is finite")
        }
      }
    }
  }

  @Test("the transformed filter is kept with the filter's buffer, and a reshape of it is not mixed up")
  func transformedFilterKept() throws {
    let filterShape = [3, 3, 16, 32]
    let filter = Tensor(float32: randomFloats(Shape.elementCount(filterShape), seed: 931), shape: filterShape)
    guard case .dense(let buffer) = filter.storage else { throw TensorError.unsupportedDType(op: "test", .string) }
    let before = buffer.winogradFilter.load()
    #expect(before == nil)
    for (inputShape, filter) in [
      ([1, 16, 16, 16], filter), ([1, 16, 16, 32], try filter.reshaped(to: [3, 3, 32, 16])),
    ] {
      let channels = inputShape[3]
      let input = randomFloats(Shape.elementCount(inputShape), seed: 930)
      let reference = referenceConv2D(
        input: input, inputShape: inputShape, filter: try filter.floats(), filterShape: filter.shape,
        strides: (1, 1), dilations: (1, 1), padding: .same)
      for _ in 0..<2 {
        let result = try Conv2D.apply(
          Tensor(float32: input, shape: inputShape), filter: filter, strides: [1, 1, 1, 1], padding: .same)
        expectMatches(try result.floats(), reference.values)
        // The first shape's transform stays; the reshaped filter's is made on each call.
        let loaded = buffer.winogradFilter.load()
        let kept = try #require(loaded)
        #expect(kept.channels == 16 && kept.outChannels == 32, "after a call with \(channels) channels")
      }
    }
  }

  @Test("3×3 layers with stride, dilation, few or very many channels or small outputs stay on im2col")
  func suitsOnlyWhereItPays() throws {
    func suits(_ input: [Int], outChannels: Int = 16, strides: [Int] = [1, 1, 1, 1], dilations: [Int] = [1, 1, 1, 1])
      throws -> Bool
    {
      let window = try Window2D(
        op: "Conv2D", input: input, kernelHeight: 3, kernelWidth: 3, strides: strides, dilations: dilations,
        padding: .same)
      return WinogradConvolution.suits(window, outChannels: outChannels)
    }
    #expect(try suits([1, 14, 14, 16]))
    #expect(try !suits([1, 14, 14, 16], strides: [1, 2, 2, 1]))
    #expect(try !suits([1, 14, 14, 16], dilations: [1, 2, 2, 1]))
    #expect(try !suits([1, 14, 14, 8]))
    #expect(try !suits([1, 14, 14, 16], outChannels: 8))
    #expect(try !suits([32, 13, 14, 16]))
    #expect(try suits([1, 14, 14, 2048], outChannels: 2048))
    #expect(try !suits([1, 14, 14, 2049]))
    #expect(try !suits([1, 14, 14, 16], outChannels: 2049))
  }
}
