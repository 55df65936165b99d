import RegistryCore
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// `RaggedTensorToTensor`, `DenseBincount` and `Cumsum` on literal tensors; expected values come
/// from TensorFlow 2.21.
@Suite("ragged and counting ops on literal tensors")
struct RaggedOpTests {
  typealias H = GraphHarness

  func int64s(_ values: [Int64], _ shape: [Int]? = nil) -> Tensor {
    Tensor(int64: values, shape: shape ?? [values.count])
  }
  func int32s(_ values: [Int32], _ shape: [Int]? = nil) -> Tensor {
    Tensor(int32: values, shape: shape ?? [values.count])
  }
  func scalar(_ value: Int64) -> Tensor { Tensor(int64: [value], shape: []) }

  func toTensor(_ shape: Tensor, _ values: Tensor, _ defaultValue: Tensor, _ partitions: [Tensor], _ types: [String])
    throws -> Tensor
  {
    let attributes = [
      "row_partition_types": H.attribute(strings: types), "num_row_partition_tensors": H.attribute(partitions.count),
    ]
    return try #require(
      try H.run("RaggedTensorToTensor", [shape, values, defaultValue] + partitions, attributes).first)
  }

  @Test("value row ids with the first dimension size, as Keras's TextVectorization writes them")
  func valueRowIDs() throws {
    let values = int64s([1, 2, 3, 4, 5])
    let rows = [scalar(3), int64s([0, 0, 1, 2, 2])]
    let types = ["FIRST_DIM_SIZE", "VALUE_ROWIDS"]
    #expect(
      try toTensor(int64s([-1, 3]), values, scalar(0), rows, types) == int64s([1, 2, 0, 3, 0, 0, 4, 5, 0], [3, 3]))
    #expect(try toTensor(int64s([2, 1]), values, scalar(9), rows, types) == int64s([1, 3], [2, 1]))
    let empty = try toTensor(int64s([-1, 6]), int64s([]), scalar(0), [scalar(2), int64s([])], types)
    #expect(empty == int64s([Int64](repeating: 0, count: 12), [2, 6]))
    let words = Tensor(strings: ["a", "b", "c"], shape: [3])
    let padded = try toTensor(
      int64s([-1, -1]), words, Tensor(strings: ["?"], shape: []), [scalar(4), int64s([0, 2, 2])], types)
    #expect(padded == Tensor(strings: ["a", "?", "?", "?", "b", "c", "?", "?"], shape: [4, 2]))
  }

  @Test("row splits, padding past the data, unknown rank and a vector default")
  func rowSplits() throws {
    let values = int64s([1, 2, 3, 4, 5])
    let splits = [int64s([0, 2, 2, 5])]
    #expect(
      try toTensor(int64s([-1, -1]), values, scalar(0), splits, ["ROW_SPLITS"])
        == int64s([1, 2, 0, 0, 0, 0, 3, 4, 5], [3, 3]))
    let big = try toTensor(int64s([5, 4]), values, scalar(7), splits, ["ROW_SPLITS"])
    #expect(big == int64s([1, 2, 7, 7, 7, 7, 7, 7, 3, 4, 5, 7] + [Int64](repeating: 7, count: 8), [5, 4]))
    let none = try toTensor(int64s([-1, -1]), int64s([]), scalar(0), [int64s([0, 0, 0])], ["ROW_SPLITS"])
    #expect(none.shape == [2, 0])
    let pairs = Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [3, 2])
    let dense = try toTensor(
      scalar(-1), pairs, Tensor(float32: [0, -1], shape: [2]), [int64s([0, 1, 3])], ["ROW_SPLITS"])
    #expect(dense == Tensor(float32: [1, 2, 0, -1, 3, 4, 5, 6], shape: [2, 2, 2]))
  }

  @Test("hostile row partitions fail naming the node before anything is sized from them")
  func hostilePartitions() {
    func failure(_ shape: Tensor, _ values: Tensor, _ partitions: [Tensor], _ types: [String]) -> InferenceError? {
      HostileSizeTests.failure { _ = try toTensor(shape, values, scalar(0), partitions, types) }
    }
    let values = int64s([1, 2, 3, 4, 5])
    let expect = { (error: InferenceError?, category: ErrorCategory) in HostileSizeTests.expect(error, category) }
    // Differences that overflow, splits past the values, splits that go back or start elsewhere.
    expect(failure(scalar(-1), values, [int64s([Int64.min, Int64.max])], ["ROW_SPLITS"]), .invalidArgument)
    expect(failure(int64s([1, 1]), values, [int64s([0, 1_000_000_000_000])], ["ROW_SPLITS"]), .invalidArgument)
    expect(failure(scalar(-1), values, [int64s([0, 1_000_000_000_000])], ["ROW_SPLITS"]), .invalidArgument)
    expect(failure(scalar(-1), values, [int64s([0, 4, 2, 5])], ["ROW_SPLITS"]), .invalidArgument)
    expect(failure(scalar(-1), values, [int64s([1, 5])], ["ROW_SPLITS"]), .invalidArgument)
    // Nested: the outer splits describe a trillion rows of the inner level.
    let nested = [int64s([0, 1_000_000_000_000]), int64s([0, 5])]
    expect(failure(scalar(-1), values, nested, ["ROW_SPLITS", "ROW_SPLITS"]), .resourceExhausted)
    // A negative or huge first dimension, and a huge requested shape.
    let rowIDs = int64s([0, 0, 1, 2, 2])
    expect(failure(scalar(-1), values, [scalar(-1), rowIDs], ["FIRST_DIM_SIZE", "VALUE_ROWIDS"]), .invalidArgument)
    expect(
      failure(scalar(-1), values, [scalar(1_000_000_000_000), rowIDs], ["FIRST_DIM_SIZE", "VALUE_ROWIDS"]),
      .resourceExhausted)
    expect(
      failure(int64s([1_000_000, 1_000_000]), values, [int64s([0, 2, 5])], ["ROW_SPLITS"]), .resourceExhausted)
  }

  @Test("DenseBincount counts, sums weights or marks presence, per row for 2-D input")
  func bincount() throws {
    func count(_ input: Tensor, _ size: Tensor, _ weights: Tensor, binary: Bool = false) throws -> Tensor {
      try #require(try H.run("DenseBincount", [input, size, weights], ["binary_output": H.attribute(binary)]).first)
    }
    let size5 = Tensor(int32: [5], shape: [])
    #expect(try count(int32s([1, 1, 3, 7]), size5, int64s([])) == int64s([0, 2, 0, 1, 0]))
    #expect(
      try count(int32s([1, 1, 3]), Tensor(int32: [4], shape: []), Tensor(float32: [0.5, 0.25, 2], shape: [3]))
        == Tensor(float32: [0, 0.75, 0, 2], shape: [4]))
    #expect(
      try count(int64s([1, 1, 3]), scalar(4), Tensor(float32: [], shape: [0]), binary: true)
        == Tensor(float32: [0, 1, 0, 1], shape: [4]))
    let matrix = int32s([1, 1, 2, 0, 4, 9], [2, 3])
    #expect(
      try count(matrix, size5, Tensor(float32: [], shape: [0]))
        == Tensor(float32: [0, 2, 1, 0, 0, 1, 0, 0, 0, 1], shape: [2, 5]))
    #expect(
      try count(matrix, size5, Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [2, 3]))
        == Tensor(float32: [0, 3, 3, 0, 0, 4, 0, 0, 0, 5], shape: [2, 5]))
    #expect(
      try count(int64s([1, 1, 2, 0, 4, 9], [2, 3]), scalar(5), int32s([]), binary: true)
        == int32s([0, 1, 1, 0, 0, 1, 0, 0, 0, 1], [2, 5]))
    #expect(try count(Tensor(int32: [2], shape: []), size5, int32s([])) == int32s([0, 0, 1, 0, 0]))
    let negative = H.failure("DenseBincount", [int32s([1, -1]), size5, int32s([])])
    #expect(negative?.message.contains("must be non-negative") == true)
  }

  @Test("RaggedBincount counts per ragged row, empty rows included")
  func raggedBincount() throws {
    let splits = int64s([0, 3, 3, 5])
    let values = int64s([1, 1, 4, 0, 9])
    func count(_ weights: Tensor, binary: Bool = false) throws -> Tensor {
      try #require(
        try H.run("RaggedBincount", [splits, values, scalar(5), weights], ["binary_output": H.attribute(binary)]).first)
    }
    #expect(try count(int64s([])) == int64s([0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], [3, 5]))
    #expect(try count(int64s([]), binary: true) == int64s([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], [3, 5]))
    let weighted = try count(Tensor(float32: [0.5, 0.25, 2, 3, 4], shape: [5]))
    #expect(weighted == Tensor(float32: [0, 0.75, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0], shape: [3, 5]))
    let bad = H.failure("RaggedBincount", [int64s([0, 2]), values, scalar(5), int64s([])])
    #expect(bad?.message.contains("splits must end with the number of values, got 2 instead of 5") == true)
  }

  @Test("Cumsum inclusive, exclusive and reversed")
  func cumulativeSums() throws {
    let x = int32s([1, 2, 3, 4, 5, 6], [2, 3])
    let axis = Tensor(int32: [1], shape: [])
    #expect(try H.run("Cumsum", [x, axis]) == [int32s([1, 3, 6, 4, 9, 15], [2, 3])])
    #expect(
      try H.run("Cumsum", [x, axis], ["exclusive": H.attribute(true), "reverse": H.attribute(true)]) == [
        int32s([5, 3, 0, 11, 6, 0], [2, 3])
      ])
    #expect(
      try H.run("Cumsum", [Tensor(float32: [0.5, 0.25, 1], shape: [3]), Tensor(int32: [0], shape: [])]) == [
        Tensor(float32: [0.5, 0.75, 1.75], shape: [3])
      ])
  }
}
