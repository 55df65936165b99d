import Foundation
import RegistryCore
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// Hostile models from issue 12: sizes that come from a graph's constants, attributes or input
/// values. Each once crashed `registry run` (an allocation of terabytes, an `Int` overflow, a
/// negative count); each must now fail with an `InferenceError` naming the node, checked before
/// anything is allocated, so these tests never ask for the memory they describe.
@Suite("sizes from input are checked before anything is allocated")
struct HostileSizeTests {
  typealias H = GraphHarness

  /// Expects `error` to be of `category` and to name the node `op` (and `words`, if given).
  static func expect(
    _ error: InferenceError?, _ category: ErrorCategory, node: String = "op", mentioning words: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    guard let error else {
      Issue.record("expected a \(category) failure, but it ran", sourceLocation: sourceLocation)
      return
    }
    #expect(error.category == category, "\(error.message)", sourceLocation: sourceLocation)
    #expect(error.message.contains("\"\(node)\""), "\(error.message)", sourceLocation: sourceLocation)
    if let words {
      #expect(error.message.contains(words), "\(error.message)", sourceLocation: sourceLocation)
    }
  }

  /// The `InferenceError` `body` throws, or nil when it succeeds.
  static func failure(_ body: () throws -> Void) -> InferenceError? {
    do {
      try body()
      return nil
    } catch let error as InferenceError {
      return error
    } catch {
      return InferenceError(.internal, "\(error)")
    }
  }

  static func constant(
    _ dtype: Tensorflow_DataType, shape: [Int64], _ fill: (inout Tensorflow_TensorProto) -> Void = { _ in }
  ) -> [String: Tensorflow_AttrValue] {
    var proto = Tensorflow_TensorProto()
    proto.dtype = dtype
    proto.tensorShape.dim = shape.map { size in
      var dimension = Tensorflow_TensorShapeProto.Dim()
      dimension.size = size
      return dimension
    }
    fill(&proto)
    var value = Tensorflow_AttrValue()
    value.tensor = proto
    return ["value": value, "dtype": H.attribute(dtype)]
  }

  /// Runs one `Const` node named `c`.
  static func runConstant(_ attributes: [String: Tensorflow_AttrValue]) -> InferenceError? {
    var graph = GraphHarness()
    graph.add("c", "Const", [], attributes)
    return failure { _ = try graph.run(["c"]) }
  }

  func int64s(_ values: [Int64]) -> Tensor { Tensor(int64: values, shape: [values.count]) }
  func scalar(_ value: Int64) -> Tensor { Tensor(int64: [value], shape: []) }
  func float(_ value: Float) -> Tensor { Tensor(float32: [value], shape: []) }

  // MARK: - Constants

  @Test("a Const whose shape overflows, or that repeats one value to a huge shape, is resource_exhausted")
  func hugeConstants() {
    let overflowing = Self.constant(.dtFloat, shape: [1 << 32, 1 << 32]) { $0.floatVal = [1] }
    Self.expect(Self.runConstant(overflowing), .resourceExhausted, node: "c", mentioning: "TENSOR_ELEMENTS")
    // TensorFlow repeats a single value to fill the shape: 4 TB of float.
    let repeated = Self.constant(.dtFloat, shape: [1_000_000, 1_000_000]) { $0.floatVal = [1] }
    Self.expect(Self.runConstant(repeated), .resourceExhausted, node: "c", mentioning: "[1000000, 1000000]")
    let strings = Self.constant(.dtString, shape: [1_000_000_000_000]) { $0.stringVal = [Data("x".utf8)] }
    Self.expect(Self.runConstant(strings), .resourceExhausted, node: "c")
    let negative = Self.constant(.dtInt32, shape: [-1])
    Self.expect(Self.runConstant(negative), .invalidArgument, node: "c")
  }

  @Test("a Const that repeats one long string counts every copy's bytes")
  func longStringConstant() {
    // One million copies of a 10 kB string: 10 GB once any op writes them out.
    let long = Self.constant(.dtString, shape: [1_000_000]) { $0.stringVal = [Data(count: 10_000)] }
    Self.expect(Self.runConstant(long), .resourceExhausted, node: "c", mentioning: "TENSOR_BYTES")
    let fine = Self.constant(.dtString, shape: [3]) { $0.stringVal = [Data("a".utf8), Data("bc".utf8)] }
    #expect(Self.runConstant(fine) == nil)
  }

  // MARK: - Sizes from values

  @Test("Fill with negative or huge dims")
  func fill() throws {
    Self.expect(H.failure("Fill", [int64s([-1, 5]), float(1)]), .invalidArgument)
    Self.expect(H.failure("Fill", [int64s([1_000_000, 1_000_000]), float(1)]), .resourceExhausted)
    Self.expect(H.failure("Fill", [int64s([1 << 62, 1 << 62]), float(1)]), .resourceExhausted)
    let long = Tensor(strings: [[UInt8]](repeating: [UInt8](repeating: 65, count: 1_000_000), count: 1), shape: [])
    Self.expect(H.failure("Fill", [int64s([100_000]), long]), .resourceExhausted, mentioning: "TENSOR_BYTES")
    #expect(
      try H.run("Fill", [int64s([2, 3]), float(7)]) == [
        Tensor(float32: [Float](repeating: 7, count: 6), shape: [2, 3])
      ])
    #expect(try H.run("Fill", [int64s([0, 3]), float(7)]) == [Tensor(float32: [], shape: [0, 3])])
    #expect(
      try H.run("Fill", [int64s([2]), Tensor(strings: ["ab"], shape: [])]) == [
        Tensor(strings: ["ab", "ab"], shape: [2])
      ])
  }

  @Test("Tile with huge or negative multiples")
  func tile() throws {
    let pair = Tensor(float32: [1, 2], shape: [2])
    Self.expect(H.failure("Tile", [pair, int64s([1_000_000_000_000])]), .resourceExhausted)
    Self.expect(H.failure("Tile", [pair, int64s([Int64.max])]), .resourceExhausted)
    Self.expect(H.failure("Tile", [pair, int64s([-1])]), .invalidArgument)
    let matrix = Tensor(int32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
    #expect(
      try H.run("Tile", [matrix, int64s([2, 1])]) == [
        Tensor(int32: [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6], shape: [4, 3])
      ])
    #expect(
      try H.run("Tile", [Tensor(strings: ["a", "b"], shape: [2, 1]), int64s([1, 3])]) == [
        Tensor(strings: ["a", "a", "a", "b", "b", "b"], shape: [2, 3])
      ])
  }

  @Test("Range: huge counts, the full int64 span, tiny float deltas, NaN and infinity")
  func range() throws {
    Self.expect(H.failure("Range", [scalar(0), scalar(1_000_000_000_000), scalar(1)]), .resourceExhausted)
    Self.expect(H.failure("Range", [scalar(Int64.min), scalar(Int64.max), scalar(1)]), .resourceExhausted)
    Self.expect(H.failure("Range", [float(0), float(1), float(1e-30)]), .resourceExhausted)
    Self.expect(H.failure("Range", [float(0), float(.nan), float(1)]), .invalidArgument)
    Self.expect(H.failure("Range", [float(0), float(.infinity), float(1)]), .invalidArgument)
    Self.expect(H.failure("Range", [float(0), float(1), float(.nan)]), .invalidArgument)
    Self.expect(H.failure("Range", [scalar(0), scalar(5), scalar(0)]), .invalidArgument, mentioning: "delta != 0")
    Self.expect(H.failure("Range", [scalar(5), scalar(0), scalar(1)]), .invalidArgument, mentioning: "start <= limit")
    #expect(try H.run("Range", [scalar(1), scalar(10), scalar(4)]) == [int64s([1, 5, 9])])
    #expect(try H.run("Range", [scalar(5), scalar(0), scalar(-2)]) == [int64s([5, 3, 1])])
    let top = try H.run("Range", [scalar(Int64.max - 2), scalar(Int64.max), scalar(1)])
    #expect(top == [int64s([Int64.max - 2, Int64.max - 1])])
    #expect(
      try H.run("Range", [float(0), float(1), float(0.25)]) == [Tensor(float32: [0, 0.25, 0.5, 0.75], shape: [4])])
  }

  @Test("OneHot with a huge or negative depth, or an axis out of range")
  func oneHot() {
    let indices = Tensor(int32: [0, 2], shape: [2])
    let (on, off) = (float(1), float(0))
    Self.expect(H.failure("OneHot", [indices, scalar(1_000_000_000_000), on, off]), .resourceExhausted)
    Self.expect(H.failure("OneHot", [indices, scalar(-1), on, off]), .invalidArgument)
    Self.expect(H.failure("OneHot", [indices, scalar(3), on, off], ["axis": H.attribute(5)]), .invalidArgument)
  }

  @Test("Pad and PadV2 with huge or overflowing paddings")
  func pad() {
    let x = Tensor(float32: [1, 2], shape: [2])
    Self.expect(H.failure("Pad", [x, int64s([0, 1_000_000_000_000])]), .resourceExhausted)
    Self.expect(H.failure("Pad", [x, int64s([Int64.max, 1])]), .resourceExhausted)
    Self.expect(H.failure("PadV2", [x, int64s([Int64.max, Int64.max]), float(0)]), .resourceExhausted)
    Self.expect(H.failure("Pad", [x, int64s([-1, 0])]), .invalidArgument)
  }

  @Test("DenseBincount and RaggedBincount with a huge size")
  func bincount() {
    let input = Tensor(int32: [1, 2], shape: [2])
    let none = Tensor(int32: [], shape: [0])
    Self.expect(H.failure("DenseBincount", [input, scalar(1_000_000_000_000), none]), .resourceExhausted)
    Self.expect(
      H.failure("RaggedBincount", [int64s([0, 2]), int64s([1, 2]), scalar(1_000_000_000_000), int64s([])]),
      .resourceExhausted)
    Self.expect(
      H.failure("RaggedBincount", [int64s([0, 2, 1, 2]), int64s([1, 2]), scalar(3), int64s([])]), .invalidArgument,
      mentioning: "non-decreasing")
  }

  // MARK: - Outputs that outgrow their inputs

  static let million = 1_000_000
  static let column = Tensor(float32: [Float](repeating: 1, count: million), shape: [million, 1])
  static let row = Tensor(float32: [Float](repeating: 1, count: million), shape: [1, million])

  @Test("broadcasting, products and convolutions whose outputs outgrow their inputs")
  func outgrowingOutputs() {
    let (column, row) = (Self.column, Self.row)
    Self.expect(H.failure("AddV2", [column, row]), .resourceExhausted, mentioning: "[1000000, 1000000]")
    Self.expect(H.failure("Less", [column, row]), .resourceExhausted)
    Self.expect(H.failure("SelectV2", [Tensor(bool: [true], shape: [1, 1]), column, row]), .resourceExhausted)
    let flags = Tensor(bool: [Bool](repeating: true, count: Self.million), shape: [Self.million, 1])
    Self.expect(
      H.failure(
        "LogicalAnd", [flags, Tensor(bool: [Bool](repeating: true, count: Self.million), shape: [1, Self.million])]),
      .resourceExhausted)
    // An empty product of a million by a million zeros.
    let tall = Tensor(float32: [], shape: [Self.million, 0])
    let wide = Tensor(float32: [], shape: [0, Self.million])
    Self.expect(H.failure("MatMul", [tall, wide]), .resourceExhausted)
    let batch = Tensor(float32: [Float](repeating: 1, count: Self.million), shape: [Self.million, 1, 1, 1])
    let other = Tensor(float32: [Float](repeating: 1, count: Self.million), shape: [1, Self.million, 1, 1])
    Self.expect(H.failure("BatchMatMulV2", [batch, other]), .resourceExhausted)
    Self.expect(
      H.failure(
        "Einsum", [column.flattened, row.flattened], ["equation": H.attribute("i,j->ij"), "N": H.attribute(2)]),
      .resourceExhausted)
    let image = Tensor(float32: [Float](repeating: 1, count: Self.million), shape: [1, 1_000, 1_000, 1])
    let filter = Tensor(float32: [Float](repeating: 1, count: Self.million), shape: [1, 1, 1, Self.million])
    let convolution = ["strides": ints([1, 1, 1, 1]), "padding": H.attribute("VALID")]
    Self.expect(H.failure("Conv2D", [image, filter], convolution), .resourceExhausted)
    let small = Tensor(float32: [Float](repeating: 1, count: 9), shape: [3, 3, 1, 1])
    var dilated = convolution
    dilated["dilations"] = ints([1, 1 << 62, 1, 1])
    Self.expect(H.failure("Conv2D", [image, small], dilated), .invalidArgument)
    let depthwise = Tensor(float32: [Float](repeating: 1, count: Self.million), shape: [1, 1, 1, Self.million])
    Self.expect(H.failure("DepthwiseConv2dNative", [image, depthwise], convolution), .resourceExhausted)
  }

  func ints(_ values: [Int]) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.list.i = values.map(Int64.init)
    return value
  }

  @Test("gathers, joins, slices, splits and reshapes with hostile sizes")
  func rearranging() throws {
    let params = Tensor(float32: [Float](repeating: 1, count: Self.million), shape: [1, Self.million])
    let zeros = Tensor(int32: [Int32](repeating: 0, count: Self.million), shape: [Self.million])
    Self.expect(H.failure("GatherV2", [params, zeros, scalar(0)]), .resourceExhausted)
    let empty = Tensor(float32: [], shape: [1 << 62, 0])
    Self.expect(H.failure("ConcatV2", [empty, empty, scalar(0)]), .resourceExhausted)
    let vector = Tensor(float32: [1, 2, 3], shape: [3])
    Self.expect(H.failure("Pack", [vector, vector], ["axis": H.attribute(5), "N": H.attribute(2)]), .invalidArgument)
    Self.expect(H.failure("Slice", [vector, int64s([0, 0]), int64s([1, 1])]), .invalidArgument)
    Self.expect(H.failure("Slice", [vector, int64s([0]), int64s([-2])]), .invalidArgument)
    // x[0::2^63-1] is x's first element.
    #expect(
      try H.run("StridedSlice", [vector, int64s([0]), int64s([3]), int64s([Int64.max])]) == [
        Tensor(float32: [1], shape: [1])
      ])
    #expect(
      try H.run("StridedSlice", [vector, int64s([2]), int64s([-4]), int64s([Int64.min])]) == [
        Tensor(float32: [3], shape: [1])
      ])
    Self.expect(H.failure("SplitV", [vector, int64s([Int64.max, Int64.max]), scalar(0)]), .invalidArgument)
    Self.expect(
      H.failure("Split", [scalar(0), Tensor(float32: [], shape: [0])], ["num_split": H.attribute(1_000_000_000_000)]),
      .resourceExhausted)
    Self.expect(H.failure("Unpack", [Tensor(float32: [], shape: [1_000_000_000_000, 0])]), .resourceExhausted)
    Self.expect(H.failure("Reshape", [vector, int64s([1 << 40, 1 << 40, -1])]), .invalidArgument)
    Self.expect(
      H.failure("Reshape", [Tensor(float32: [], shape: [0]), int64s([0, 1 << 62, 1 << 62])]), .resourceExhausted)
    let image = Tensor(float32: [Float](repeating: 1, count: 16), shape: [1, 4, 4, 1])
    let noPadding = Tensor(int64: [0, 0, 0, 0], shape: [2, 2])
    Self.expect(
      H.failure("SpaceToBatchND", [image, int64s([0, 1]), noPadding]), .invalidArgument, mentioning: "block_shape")
    Self.expect(
      H.failure("BatchToSpaceND", [image, int64s([0, 1]), noPadding]), .invalidArgument, mentioning: "block_shape")
    Self.expect(
      H.failure("BatchToSpaceND", [image, int64s([1, 1]), Tensor(int64: [0, 9, 0, 0], shape: [2, 2])]),
      .invalidArgument)
  }

  @Test("tensor lists with hostile sizes")
  func tensorLists() {
    let unknown = Tensor(int32: [-1], shape: [])
    let attributes = ["element_dtype": H.attribute(.dtFloat)]
    Self.expect(H.failure("TensorListReserve", [unknown, scalar(1_000_000_000_000)], attributes), .resourceExhausted)
    Self.expect(H.failure("TensorListReserve", [unknown, scalar(-1)], attributes), .invalidArgument)
    // An unset item reads as zeros of the element shape the graph asks for.
    var graph = GraphHarness()
    graph.add("shape", "Placeholder")
    graph.add("count", "Placeholder")
    graph.add("index", "Placeholder")
    graph.add("list", "TensorListReserve", ["shape", "count"], attributes)
    graph.add("op", "TensorListGetItem", ["list", "index", "shape"], attributes)
    Self.expect(
      H.failure("TensorListFromTensor", [Tensor(float32: [], shape: [1_000_000_000_000, 0])], attributes),
      .resourceExhausted)
    let huge = Tensor(int64: [1_000_000, 1_000_000], shape: [2])
    let feeds = ["shape": huge, "count": scalar(2), "index": scalar(0)]
    Self.expect(Self.failure { _ = try graph.run(["op"], feeds: feeds) }, .resourceExhausted)
  }

  /// A graph that tiles the string `text` `times` times and applies `op` (with `inputs` after
  /// the tiled tensor) to it.
  static func tiledString(_ text: [UInt8], times: Int, _ op: String, _ inputs: [Tensor] = []) -> InferenceError? {
    var graph = GraphHarness()
    graph.add("text", "Placeholder")
    graph.add("times", "Placeholder")
    graph.add("tiled", "Tile", ["text", "times"])
    var feeds = ["text": Tensor(strings: [text], shape: [1]), "times": Tensor(int64: [Int64(times)], shape: [1])]
    for (index, input) in inputs.enumerated() {
      graph.add("input\(index)", "Placeholder")
      feeds["input\(index)"] = input
    }
    graph.add("op", op, ["tiled"] + inputs.indices.map { "input\($0)" })
    return failure { _ = try graph.run(["op"], feeds: feeds) }
  }

  @Test("string ops that would write a long string many times over")
  func stringWrites() throws {
    let long = [UInt8](repeating: 65, count: 1_000_000)
    // Ten thousand references to one megabyte are cheap; writing each out is 10 GB.
    Self.expect(Self.tiledString(long, times: 10_000, "StringLower"), .resourceExhausted, mentioning: "TENSOR_BYTES")
    Self.expect(Self.tiledString(long, times: 10_000, "StringUpper"), .resourceExhausted)
    Self.expect(
      Self.tiledString(long, times: 10_000, "StringSplitV2", [Tensor(strings: [" "], shape: [])]), .resourceExhausted)
    let many = Tensor(strings: [[UInt8]](repeating: [], count: 100_000), shape: [100_000])
    Self.expect(
      H.failure("StringJoin", [Tensor(strings: [long], shape: []), many], ["N": H.attribute(2)]), .resourceExhausted)
    let positions = Tensor(int32: [Int32](repeating: 0, count: 100_000), shape: [100_000])
    let lengths = Tensor(int32: [Int32](repeating: 1_000_000, count: 100_000), shape: [100_000])
    Self.expect(H.failure("Substr", [Tensor(strings: [long], shape: []), positions, lengths]), .resourceExhausted)
    let numbers = Tensor(float32: [1, 2, 3, 4, 5], shape: [5])
    Self.expect(H.failure("AsString", [numbers], ["width": H.attribute(2_000_000_000)]), .resourceExhausted)
    #expect(
      try H.run("AsString", [numbers], ["width": H.attribute(3)]) == [
        Tensor(strings: ["1.000000", "2.000000", "3.000000", "4.000000", "5.000000"], shape: [5])
      ])
  }
}

extension Tensor {
  /// The same elements as a vector.
  fileprivate var flattened: Tensor { (try? reshaped(to: [elementCount])) ?? self }
}
