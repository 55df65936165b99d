import TFProto
import TensorKernels
import Testing

@testable import Inference

/// Ranking, gathers and scatters, segments and friends. Expected values were printed by
/// TensorFlow 2.21 on the CPU (`tf.math.top_k`, `tf.gather_nd`, `tf.scatter_nd`,
/// `tf.tensor_scatter_nd_*`, `tf.math.segment_*`, `tf.math.unsorted_segment_*`, `Bucketize`,
/// `tf.unique`, `tf.math.invert_permutation`, `BroadcastArgs`, `tf.broadcast_to`).
@Suite("indexing ops")
struct IndexingOpTests {
  typealias H = GraphHarness
  func f(_ values: [Float], _ shape: [Int]? = nil) -> Tensor { Tensor(float32: values, shape: shape ?? [values.count]) }
  func i(_ values: [Int32], _ shape: [Int]? = nil) -> Tensor { Tensor(int32: values, shape: shape ?? [values.count]) }
  func scalar(_ value: Int32) -> Tensor { Tensor(int32: [value], shape: []) }

  @Test("TopKV2: largest first, ties by index, k = 0, k past the row refused, -inf and inf")
  func topK() throws {
    let ties = try H.run("TopKV2", [i([1, 3, 3, 2, 5, 5, 5, 5], [2, 4]), scalar(2)])
    #expect(ties == [i([3, 3, 5, 5], [2, 2]), i([1, 2, 0, 1], [2, 2])])
    let infinite = try H.run("TopKV2", [f([-.infinity, 1, .infinity, -.infinity]), scalar(4)])
    #expect(infinite == [f([.infinity, 1, -.infinity, -.infinity]), i([2, 1, 0, 3])])
    let none = try H.run("TopKV2", [f([1, 2]), scalar(0)])
    #expect(none.map(\.shape) == [[0], [0]])
    #expect(H.failure("TopKV2", [f([1, 2]), scalar(3)])?.message.contains("at least k columns") == true)
    #expect(H.failure("TopKV2", [f([1, 2]), scalar(-1)]) != nil)
    // tf.argsort ascending compiles to TopKV2 of the negation: stable, so ties keep index order.
    let ascending = try H.run("TopKV2", [i([-3, -1, -3, -1]), scalar(4)])
    #expect(ascending[1] == i([1, 3, 0, 2]))
    let long = try H.run("TopKV2", [f([1, 2]), scalar(1)], ["index_type": H.attribute(.dtInt64)])
    #expect(long[1] == Tensor(int64: [1], shape: [1]))
    // An empty batch of rows.
    #expect(try H.run("TopKV2", [f([], [0, 3]), scalar(2)]).map(\.shape) == [[0, 2], [0, 2]])
  }

  @Test("GatherNd: elements, slices, strings, out-of-range refused")
  func gatherNd() throws {
    let params = i([0, 1, 2, 3, 4, 5], [2, 3])
    #expect(try H.run("GatherNd", [params, i([1, 2, 0, 0], [2, 2])]) == [i([5, 0])])
    #expect(try H.run("GatherNd", [params, i([1], [1, 1])]) == [i([3, 4, 5], [1, 3])])
    let strings = Tensor(strings: ["a", "b"], shape: [2])
    #expect(try H.run("GatherNd", [strings, i([1, 0], [2, 1])]) == [Tensor(strings: ["b", "a"], shape: [2])])
    #expect(H.failure("GatherNd", [params, i([2, 0], [1, 2])])?.message.contains("does not index into") == true)
    #expect(H.failure("GatherNd", [params, i([0, 0, 0], [1, 3])]) != nil)
    #expect(try H.run("GatherNd", [params, i([], [0, 2])]) == [i([], [0])])
  }

  @Test("ScatterNd adds repeated indices; TensorScatter* update, add, subtract, min and max")
  func scatter() throws {
    #expect(try H.run("ScatterNd", [i([1, 1, 0], [3, 1]), f([1, 2, 3]), i([3])]) == [f([3, 3, 0])])
    #expect(H.failure("ScatterNd", [i([3], [1, 1]), f([1]), i([3])])?.message.contains("does not index into") == true)
    let zeros = f([0, 0, 0])
    #expect(try H.run("TensorScatterUpdate", [zeros, i([1, 1], [2, 1]), f([5, 7])]) == [f([0, 7, 0])])
    #expect(try H.run("TensorScatterAdd", [f([1, 1, 1]), i([0, 0], [2, 1]), f([5, 7])]) == [f([13, 1, 1])])
    #expect(try H.run("TensorScatterSub", [f([1, 1, 1]), i([2], [1, 1]), f([5])]) == [f([1, 1, -4])])
    let withNaN = f([1, .nan, 3])
    let maxima = try H.run("TensorScatterMax", [withNaN, i([0, 1, 2], [3, 1]), f([.nan, 2, 1])])[0].floats()
    #expect(maxima[0].isNaN && maxima[1].isNaN && maxima[2] == 3)
    let minima = try H.run("TensorScatterMin", [withNaN, i([0, 1, 2], [3, 1]), f([.nan, 2, 1])])[0].floats()
    #expect(minima[0].isNaN && minima[1].isNaN && minima[2] == 1)
    // Rows: a whole row updated; integers wrap.
    #expect(
      try H.run(
        "TensorScatterAdd",
        [Tensor(int8: [127, 0], shape: [1, 2]), i([0], [1, 1]), Tensor(int8: [1, -128], shape: [1, 2])])
        == [Tensor(int8: [-128, -128], shape: [1, 2])])
    #expect(
      try H.run(
        "TensorScatterUpdate",
        [Tensor(strings: ["a", "b"], shape: [2]), i([0], [1, 1]), Tensor(strings: ["z"], shape: [1])])
        == [Tensor(strings: ["z", "b"], shape: [2])])
    #expect(H.failure("TensorScatterAdd", [zeros, i([0], [1, 1]), f([1, 2])]) != nil)
  }

  @Test("Segment reductions: empty segments, NaN, integer means, unsorted ids refused")
  func segments() throws {
    let maxNaN = try H.run("SegmentMax", [f([1, .nan, 3, 2]), i([0, 0, 1, 1])])[0].floats()
    #expect(maxNaN[0].isNaN && maxNaN[1] == 3)
    #expect(try H.run("SegmentMax", [f([1, 2]), i([0, 2])]) == [f([1, 0, 2])])
    #expect(try H.run("SegmentMin", [i([1, 2]), i([0, 2])]) == [i([1, 0, 2])])
    #expect(try H.run("SegmentMean", [i([1, 2, 4]), i([0, 0, 0])]) == [i([2])])
    #expect(try H.run("SegmentProd", [f([3, 2]), i([1, 1])]) == [f([1, 6])])
    #expect(try H.run("SegmentSum", [f([1, 2, 3, 4], [2, 2]), i([0, 0])]) == [f([4, 6], [1, 2])])
    #expect(H.failure("SegmentSum", [f([3, 2]), i([1, 0])])?.message.contains("not increasing") == true)
    #expect(try H.run("SegmentSum", [f([], [0, 2]), i([])]) == [f([], [0, 2])])
  }

  @Test("Unsorted segment reductions: identities for empty segments, negative ids dropped, NaN kept")
  func unsortedSegments() throws {
    let maxima = try H.run("UnsortedSegmentMax", [f([1, .nan]), i([0, 0]), scalar(3)])[0].floats()
    #expect(
      maxima[0].isNaN && maxima[1] == -Float.greatestFiniteMagnitude && maxima[2] == -Float.greatestFiniteMagnitude)
    #expect(
      try H.run("UnsortedSegmentMin", [i([1, 2]), i([2, -1]), scalar(3)]) == [i([Int32.max, Int32.max, 1])])
    #expect(try H.run("UnsortedSegmentSum", [f([1, 2]), i([-1, 1]), scalar(2)]) == [f([0, 2])])
    #expect(
      try H.run("UnsortedSegmentProd", [f([1, 2, 3, 4], [2, 2]), i([1, 1]), scalar(3)]) == [
        f([1, 1, 3, 8, 1, 1], [3, 2])
      ])
    #expect(
      H.failure("UnsortedSegmentSum", [f([1, 2]), i([0, 5]), scalar(2)])?.message.contains("is out of range [0, 2)")
        == true)
    // Ids of rank 2 over the leading two dimensions.
    #expect(
      try H.run("UnsortedSegmentSum", [f([1, 2, 3, 4], [2, 2]), i([0, 1, 1, 0], [2, 2]), scalar(2)]) == [f([5, 5])])
  }

  @Test("hostile sizes: huge segment ids and num_segments, huge ScatterNd shapes, huge blocks over empty tensors")
  func hostileSizes() {
    let huge = Tensor(int64: [0, .max], shape: [2])
    #expect(H.failure("SegmentSum", [f([1, 2]), huge])?.category == .resourceExhausted)
    #expect(
      H.failure("SegmentSum", [f([1, 2]), Tensor(int64: [0, 1 << 40], shape: [2])])?.category == .resourceExhausted)
    #expect(
      H.failure("UnsortedSegmentSum", [f([1, 2]), i([0, 1]), Tensor(int64: [1 << 40], shape: [])])?.category
        == .resourceExhausted)
    #expect(
      H.failure("ScatterNd", [i([0], [1, 1]), f([1]), Tensor(int64: [1 << 40], shape: [1])])?.category
        == .resourceExhausted)
    #expect(
      H.failure("BroadcastTo", [f([1]), Tensor(int64: [1 << 40, 1 << 40], shape: [2])])?.category == .resourceExhausted)
    let empty = Tensor(float32: [], shape: [1, 0, 1])
    let blocks = Tensor(int64: [1 << 62], shape: [1])
    #expect(H.failure("SpaceToBatchND", [empty, blocks, Tensor(int64: [0, 0], shape: [1, 2])]) != nil)
    #expect(
      H.failure("MatrixDiagV3", [i([1, 2]), Tensor(int64: [.min], shape: []), i([-1], []), i([-1], []), i([0], [])])
        != nil)
    #expect(
      H.failure("MatrixDiagV3", [i([1, 2]), i([0], []), Tensor(int64: [1 << 40], shape: []), i([-1], []), i([0], [])])
        != nil)
  }

  func boundaries(_ values: [Float]) -> [String: Tensorflow_AttrValue] {
    var attribute = Tensorflow_AttrValue()
    attribute.list.f = values
    return ["boundaries": attribute]
  }

  @Test("Bucketize counts the boundaries at or below each value; NaN past them all")
  func bucketize() throws {
    #expect(
      try H.run("Bucketize", [f([-1, 0, 0.5, 1, .nan, .infinity, -.infinity])], boundaries([0, 1])) == [
        i([0, 1, 1, 2, 2, 2, 0])
      ])
    #expect(try H.run("Bucketize", [i([-5, 0, 1, 7])], boundaries([0, 1.5])) == [i([0, 1, 1, 2])])
    #expect(H.failure("Bucketize", [f([1])], boundaries([1, 0])) != nil)
  }

  @Test("BroadcastTo, BroadcastArgs, InvertPermutation and Unique")
  func misc() throws {
    #expect(try H.run("BroadcastTo", [i([1, 2]), i([2, 2])]) == [i([1, 2, 1, 2], [2, 2])])
    #expect(H.failure("BroadcastTo", [i([1, 2]), i([3])]) != nil)
    #expect(try H.run("BroadcastArgs", [i([2, 1, 3]), i([4, 1])]) == [i([2, 4, 3])])
    #expect(H.failure("BroadcastArgs", [i([2]), i([3])]) != nil)
    #expect(try H.run("InvertPermutation", [i([2, 0, 1])]) == [i([1, 2, 0])])
    #expect(H.failure("InvertPermutation", [i([2, 2, 1])])?.message.contains("is duplicated in the input") == true)
    #expect(H.failure("InvertPermutation", [i([3, 0, 1])]) != nil)
    let unique = try H.run("Unique", [f([1, .nan, .nan, -0.0, 0, 1])])
    let values = try unique[0].floats()
    #expect(values.count == 4 && values[0] == 1 && values[1].isNaN && values[2].isNaN && values[3] == 0)
    #expect(values[3].sign == .minus)
    #expect(unique[1] == i([0, 1, 2, 3, 3, 0]))
    let wide = try H.run("Unique", [i([3, 1, 3])], ["out_idx": H.attribute(.dtInt64)])
    #expect(wide == [i([3, 1]), Tensor(int64: [0, 1, 0], shape: [3])])
    let words = try H.run("Unique", [Tensor(strings: ["b", "a", "b"], shape: [3])])
    #expect(words == [Tensor(strings: ["b", "a"], shape: [2]), i([0, 1, 0])])
    #expect(try H.run("Unique", [f([])]) == [f([]), i([])])
  }

  /// Expected values from TensorFlow 2.21 (`tf.pad(..., "REFLECT" / "SYMMETRIC")`).
  @Test("MirrorPad reflects and mirrors; paddings past the edge are refused")
  func mirrorPad() throws {
    let x = i([0, 1, 2, 3, 4, 5], [2, 3])
    #expect(
      try H.run("MirrorPad", [x, i([1, 1, 2, 2], [2, 2])], ["mode": H.attribute("REFLECT")]) == [
        i([5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0, 5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0], [4, 7])
      ])
    #expect(
      try H.run("MirrorPad", [x, i([2, 0, 0, 3], [2, 2])], ["mode": H.attribute("SYMMETRIC")]) == [
        i([3, 4, 5, 5, 4, 3, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 3, 4, 5, 5, 4, 3], [4, 6])
      ])
    #expect(
      H.failure("MirrorPad", [x, i([2, 0, 0, 0], [2, 2])], ["mode": H.attribute("REFLECT")])?.message.contains(
        "not less than 2") == true)
  }
}
