import Foundation
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// Single ops run through the graph layer on literal tensors, with expectations worked out by
/// hand from TensorFlow's documented semantics.
@Suite("graph ops on literal tensors")
struct OpTests {
  /// Builds a graph of one `Const` per input feeding `op`, runs it, returns its outputs.
  func run(_ op: String, _ inputs: [Tensor], attributes: [String: Tensorflow_AttrValue] = [:]) throws -> [Tensor] {
    var graph = Tensorflow_GraphDef()
    for (index, _) in inputs.enumerated() {
      var node = Tensorflow_NodeDef()
      node.name = "input\(index)"
      node.op = "Placeholder"
      graph.node.append(node)
    }
    var node = Tensorflow_NodeDef()
    node.name = "op"
    node.op = op
    node.input = inputs.indices.map { "input\($0)" }
    node.attr = attributes
    graph.node.append(node)
    let function = try GraphFunction(graph: graph, signatures: OpSignatures(opList: .init(), library: .init()))
    var registry = OpRegistry()
    OpCatalog.registerAll(into: &registry)
    let runtime = Runtime(functions: [:], kernels: registry) { key throws(InferenceError) in
      throw InferenceError(.invalidArgument, "no checkpoint (\(key))")
    }
    var feeds: [Int: [Value]] = [:]
    for (index, tensor) in inputs.enumerated() { feeds[index] = [.tensor(tensor)] }
    let values = try runtime.evaluate(function, targets: [inputs.count], arguments: [], feeds: feeds)
    return try (values[inputs.count] ?? []).map { try $0.tensor("test") }
  }

  func int(_ value: Int) -> Tensorflow_AttrValue {
    var attribute = Tensorflow_AttrValue()
    attribute.i = Int64(value)
    return attribute
  }

  let matrix = Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
  func ints(_ values: [Int32]) -> Tensor { Tensor(int32: values, shape: [values.count]) }
  func scalar(_ value: Int32) -> Tensor { Tensor(int32: [value], shape: []) }

  @Test("Split, SplitV and Unpack cut along an axis")
  func splitting() throws {
    let halves = try run(
      "Split", [scalar(1), Tensor(float32: [1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 4])], attributes: ["num_split": int(2)])
    #expect(halves == [Tensor(float32: [1, 2, 5, 6], shape: [2, 2]), Tensor(float32: [3, 4, 7, 8], shape: [2, 2])])
    let uneven = try run("SplitV", [matrix, ints([1, -1]), scalar(1)])
    #expect(uneven == [Tensor(float32: [1, 4], shape: [2, 1]), Tensor(float32: [2, 3, 5, 6], shape: [2, 2])])
    let rows = try run("Unpack", [matrix], attributes: ["axis": int(0)])
    #expect(rows == [Tensor(float32: [1, 2, 3], shape: [3]), Tensor(float32: [4, 5, 6], shape: [3])])
    let columns = try run("Unpack", [matrix], attributes: ["axis": int(-1)])
    #expect(columns.count == 3 && columns[2] == Tensor(float32: [3, 6], shape: [2]))
  }

  @Test("OneHot puts on and off values at the index, on the chosen axis")
  func oneHot() throws {
    let last = try run(
      "OneHot", [ints([0, 2, 5]), scalar(3), Tensor(float32: [1], shape: []), Tensor(float32: [0], shape: [])])
    #expect(last == [Tensor(float32: [1, 0, 0, 0, 0, 1, 0, 0, 0], shape: [3, 3])])
    let first = try run(
      "OneHot", [ints([1, 0]), scalar(2), Tensor(float32: [5], shape: []), Tensor(float32: [-1], shape: [])],
      attributes: ["axis": int(0)])
    #expect(first == [Tensor(float32: [-1, 5, 5, -1], shape: [2, 2])])
  }

  @Test("ClipByValue, Pad, Transpose, Tile, ConcatV2 and GatherV2")
  func rearranging() throws {
    #expect(
      try run("ClipByValue", [matrix, Tensor(float32: [2], shape: []), Tensor(float32: [5], shape: [])])
        == [Tensor(float32: [2, 2, 3, 4, 5, 5], shape: [2, 3])])
    #expect(
      try run("Pad", [Tensor(float32: [1, 2], shape: [1, 2]), Tensor(int32: [1, 0, 0, 2], shape: [2, 2])])
        == [Tensor(float32: [0, 0, 0, 0, 1, 2, 0, 0], shape: [2, 4])])
    #expect(try run("Transpose", [matrix, ints([1, 0])]) == [Tensor(float32: [1, 4, 2, 5, 3, 6], shape: [3, 2])])
    #expect(
      try run("Tile", [Tensor(float32: [1, 2], shape: [1, 2]), ints([2, 2])]) == [
        Tensor(float32: [1, 2, 1, 2, 1, 2, 1, 2], shape: [2, 4])
      ])
    #expect(
      try run("ConcatV2", [matrix, Tensor(float32: [7, 8], shape: [2, 1]), scalar(-1)])
        == [Tensor(float32: [1, 2, 3, 7, 4, 5, 6, 8], shape: [2, 4])])
    #expect(
      try run("GatherV2", [matrix, ints([2, 0]), scalar(1)]) == [Tensor(float32: [3, 1, 6, 4], shape: [2, 2])])
    #expect(try run("Reshape", [matrix, ints([-1])]) == [Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [6])])
  }

  @Test("StridedSlice follows Python slicing: negative strides, masks, shrink")
  func stridedSlice() throws {
    let vector = Tensor(int32: [0, 1, 2, 3, 4, 5], shape: [6])
    // x[::-2]
    #expect(
      try run(
        "StridedSlice", [vector, ints([0]), ints([0]), ints([-2])],
        attributes: ["begin_mask": int(1), "end_mask": int(1)])
        == [Tensor(int32: [5, 3, 1], shape: [3])])
    // x[1:-1]
    #expect(
      try run("StridedSlice", [vector, ints([1]), ints([-1]), ints([1])]) == [Tensor(int32: [1, 2, 3, 4], shape: [4])])
    // matrix[:, 1] (shrink axis 1)
    #expect(
      try run(
        "StridedSlice", [matrix, ints([0, 1]), ints([0, 2]), ints([1, 1])],
        attributes: ["begin_mask": int(1), "end_mask": int(1), "shrink_axis_mask": int(2)])
        == [Tensor(float32: [2, 5], shape: [2])])
    // matrix[..., 1] (ellipsis, then shrink)
    #expect(
      try run(
        "StridedSlice", [matrix, ints([0, 1]), ints([0, 2]), ints([1, 1])],
        attributes: ["ellipsis_mask": int(1), "shrink_axis_mask": int(2)])
        == [Tensor(float32: [2, 5], shape: [2])])
    // matrix[:, None] (new axis)
    #expect(
      try run(
        "StridedSlice", [matrix, ints([0, 0]), ints([0, 0]), ints([1, 1])],
        attributes: ["begin_mask": int(1), "end_mask": int(1), "new_axis_mask": int(2)])
        == [Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [2, 1, 3])])
    // matrix[None, ..., 0]
    #expect(
      try run(
        "StridedSlice", [matrix, ints([0, 0, 0]), ints([0, 0, 1]), ints([1, 1, 1])],
        attributes: ["new_axis_mask": int(1), "ellipsis_mask": int(2), "shrink_axis_mask": int(4)])
        == [Tensor(float32: [1, 4], shape: [1, 2])])
    // matrix[..., None] with the ellipsis covering both axes
    #expect(
      try run(
        "StridedSlice", [matrix, ints([0, 0]), ints([0, 0]), ints([1, 1])],
        attributes: ["ellipsis_mask": int(1), "new_axis_mask": int(2)])
        == [Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [2, 3, 1])])
  }

  @Test("SpaceToBatchND and BatchToSpaceND move 2x2 blocks into the batch and back")
  func spaceToBatch() throws {
    let image = Tensor(float32: (0..<16).map(Float.init), shape: [1, 4, 4, 1])
    let noPadding = Tensor(int32: [0, 0, 0, 0], shape: [2, 2])
    let batched = try run("SpaceToBatchND", [image, ints([2, 2]), noPadding])
    #expect(batched == [Tensor(float32: [0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15], shape: [4, 2, 2, 1])])
    #expect(try run("BatchToSpaceND", [batched[0], ints([2, 2]), noPadding]) == [image])
    let padded = try run(
      "SpaceToBatchND",
      [
        Tensor(float32: [1, 2, 3, 4], shape: [1, 2, 2, 1]), ints([2, 2]), Tensor(int32: [1, 1, 1, 1], shape: [2, 2]),
      ])
    #expect(padded.first?.shape == [4, 2, 2, 1])
    #expect(
      try run("BatchToSpaceND", [padded[0], ints([2, 2]), Tensor(int32: [1, 1, 1, 1], shape: [2, 2])])
        == [Tensor(float32: [1, 2, 3, 4], shape: [1, 2, 2, 1])])
  }

  /// Expected values from TensorFlow 2.21 (`tf.space_to_batch_nd`, `tf.batch_to_space`).
  @Test("SpaceToBatchND and BatchToSpaceND with one spatial dimension (dilated Conv1D) and with three")
  func spaceToBatchAnyRank() throws {
    let sequence = Tensor(float32: (0..<10).map(Float.init), shape: [1, 5, 2])
    let pad = Tensor(int32: [1, 0], shape: [1, 2])
    let batched = try run("SpaceToBatchND", [sequence, ints([2]), pad])
    #expect(batched == [Tensor(float32: [0, 0, 2, 3, 6, 7, 0, 1, 4, 5, 8, 9], shape: [2, 3, 2])])
    #expect(try run("BatchToSpaceND", [batched[0], ints([2]), pad]) == [sequence])
    let volume = Tensor(int32: (0..<32).map(Int32.init), shape: [2, 2, 4, 2, 1])
    let paddings = Tensor(int32: [0, 0, 0, 0, 1, 1], shape: [3, 2])
    let blocks = try run("SpaceToBatchND", [volume, ints([1, 2, 2]), paddings])
    #expect(
      blocks == [
        Tensor(
          int32: [
            0, 1, 0, 5, 0, 9, 0, 13, 0, 17, 0, 21, 0, 25, 0, 29, 0, 0, 4, 0, 8, 0, 12, 0, 16, 0, 20, 0, 24, 0, 28, 0, 0,
            3,
            0, 7, 0, 11, 0, 15, 0, 19, 0, 23, 0, 27, 0, 31, 2, 0, 6, 0, 10, 0, 14, 0, 18, 0, 22, 0, 26, 0, 30, 0,
          ], shape: [8, 2, 2, 2, 1])
      ])
    #expect(try run("BatchToSpaceND", [blocks[0], ints([1, 2, 2]), paddings]) == [volume])
    // A spatial size that the block does not divide, and more block dimensions than the input has.
    #expect(throws: InferenceError.self) {
      try run("SpaceToBatchND", [sequence, ints([2]), Tensor(int32: [0, 0], shape: [1, 2])])
    }
    #expect(throws: InferenceError.self) {
      try run("SpaceToBatchND", [sequence, ints([1, 1, 1]), Tensor(int32: [0, 0, 0, 0, 0, 0], shape: [3, 2])])
    }
  }

  /// Expected values from TensorFlow 2.21 (`tf.gather(..., batch_dims=...)`).
  @Test("GatherV2 with batch_dims pairs the leading dimensions of params and indices")
  func gatherBatchDims() throws {
    let params = Tensor(int32: (0..<24).map(Int32.init), shape: [2, 3, 4])
    let indices = Tensor(int32: [0, 2, 1, 1], shape: [2, 2])
    func batchDims(_ value: Int) -> [String: Tensorflow_AttrValue] { ["batch_dims": int(value)] }
    #expect(
      try run("GatherV2", [params, indices, scalar(2)], attributes: batchDims(1)) == [
        Tensor(int32: [0, 2, 4, 6, 8, 10, 13, 13, 17, 17, 21, 21], shape: [2, 3, 2])
      ])
    #expect(
      try run("GatherV2", [params, indices, scalar(1)], attributes: batchDims(1)) == [
        Tensor(int32: [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 16, 17, 18, 19], shape: [2, 2, 4])
      ])
    // Negative batch_dims and axis count from the end.
    #expect(
      try run("GatherV2", [params, Tensor(int32: [3, 0], shape: [2, 1]), scalar(-1)], attributes: batchDims(-1)) == [
        Tensor(int32: [3, 7, 11, 12, 16, 20], shape: [2, 3, 1])
      ])
    #expect(throws: InferenceError.self) {
      try run("GatherV2", [params, Tensor(int32: [4, 0], shape: [2, 1]), scalar(2)], attributes: batchDims(1))
    }
    #expect(throws: InferenceError.self) {
      try run("GatherV2", [params, Tensor(int32: [0, 0, 0], shape: [3, 1]), scalar(2)], attributes: batchDims(1))
    }
    let strings = Tensor(strings: ["a", "b", "c", "d"], shape: [2, 2])
    #expect(
      try run("GatherV2", [strings, Tensor(int32: [1, 0], shape: [2, 1]), scalar(1)], attributes: batchDims(1)) == [
        Tensor(strings: ["b", "c"], shape: [2, 1])
      ])
  }

  func string(_ value: String) -> Tensorflow_AttrValue {
    var attribute = Tensorflow_AttrValue()
    attribute.s = Data(value.utf8)
    return attribute
  }

  @Test("Einsum: matrix product, batch with transposed output, summed-out labels, transpose")
  func einsum() throws {
    let a = Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
    let b = Tensor(float32: [1, 0, 0, 1, 1, 1], shape: [3, 2])
    #expect(
      try run("Einsum", [a, b], attributes: ["equation": string("ij,jk->ik")]) == [
        Tensor(float32: [4, 5, 10, 11], shape: [2, 2])
      ])
    // Output order differs from the natural one: ki.
    #expect(
      try run("Einsum", [a, b], attributes: ["equation": string("ij,jk->ki")]) == [
        Tensor(float32: [4, 10, 5, 11], shape: [2, 2])
      ])
    // A label only in one operand and not in the output is summed first: row sums times b's sums.
    #expect(
      try run("Einsum", [a, b], attributes: ["equation": string("ij,jk->k")]) == [
        Tensor(float32: [14, 16], shape: [2])
      ])
    // Batched, as attention scores are: b,q,h,d x b,k,h,d -> b,h,q,k.
    let q = Tensor(float32: (0..<8).map(Float.init), shape: [1, 2, 2, 2])
    let scores = try run("Einsum", [q, q], attributes: ["equation": string("aecd,abcd->acbe")])[0]
    #expect(scores.shape == [1, 2, 2, 2])
    // scores[0, c=0, b=1, e=0] = sum_d q[0,0,0,d] * q[0,1,0,d] = 0*4 + 1*5
    #expect(try scores.floats()[2] == 5)
    #expect(
      try run("Einsum", [a], attributes: ["equation": string("ij->ji")]) == [
        Tensor(float32: [1, 4, 2, 5, 3, 6], shape: [3, 2])
      ])
    #expect(
      try run("Einsum", [a, b], attributes: ["equation": string("...j,jk->...k")]) == [
        Tensor(float32: [4, 5, 10, 11], shape: [2, 2])
      ])
  }

  @Test("Erfc is 1 - erf")
  func erfc() throws {
    let out = try run("Erfc", [Tensor(float32: [0, 1, -1, 3], shape: [4])])[0].floats()
    let expected: [Float] = [1, 0.15729921, 1.8427008, 2.2090497e-05]
    for (a, b) in zip(out, expected) { #expect(abs(a - b) < 1e-6) }
  }

  @Test("an index out of range is an error naming the node, not a crash")
  func gatherOutOfRange() {
    do {
      _ = try run("GatherV2", [matrix, ints([3]), scalar(1)])
      Issue.record("accepted an out-of-range index")
    } catch {
      #expect("\(error)".contains("out of range"))
    }
  }

  func flag(_ value: Bool) -> Tensorflow_AttrValue {
    var attribute = Tensorflow_AttrValue()
    attribute.b = value
    return attribute
  }

  @Test("ReverseV2 reverses the named axes, negative ones included")
  func reverse() throws {
    #expect(try run("ReverseV2", [matrix, ints([1])]) == [Tensor(float32: [3, 2, 1, 6, 5, 4], shape: [2, 3])])
    #expect(try run("ReverseV2", [matrix, ints([0, -1])]) == [Tensor(float32: [6, 5, 4, 3, 2, 1], shape: [2, 3])])
    #expect(try run("ReverseV2", [matrix, ints([])]) == [matrix])
    #expect(throws: InferenceError.self) { try run("ReverseV2", [matrix, ints([2])]) }
  }

  @Test("Cumsum and Cumprod, exclusive and reverse, on floats and wrapping integers")
  func scans() throws {
    #expect(try run("Cumsum", [matrix, scalar(1)]) == [Tensor(float32: [1, 3, 6, 4, 9, 15], shape: [2, 3])])
    #expect(try run("Cumsum", [matrix, scalar(0)]) == [Tensor(float32: [1, 2, 3, 5, 7, 9], shape: [2, 3])])
    #expect(
      try run("Cumsum", [matrix, scalar(-1)], attributes: ["exclusive": flag(true)]) == [
        Tensor(float32: [0, 1, 3, 0, 4, 9], shape: [2, 3])
      ])
    #expect(
      try run("Cumsum", [matrix, scalar(1)], attributes: ["exclusive": flag(true), "reverse": flag(true)])
        == [Tensor(float32: [5, 3, 0, 11, 6, 0], shape: [2, 3])])
    #expect(try run("Cumprod", [ints([1, 2, 3, 4]), scalar(0)]) == [ints([1, 2, 6, 24])])
    #expect(try run("Cumsum", [ints([Int32.max, 1]), scalar(0)]) == [ints([Int32.max, Int32.min])])
  }

  @Test("Where lists the coordinates of true or non-zero elements")
  func whereCoordinates() throws {
    let mask = Tensor(bool: [true, false, false, true, true, false], shape: [2, 3])
    #expect(try run("Where", [mask]) == [Tensor(int64: [0, 0, 1, 0, 1, 1], shape: [3, 2])])
    #expect(try run("Where", [Tensor(float32: [0, 2, 0], shape: [3])]) == [Tensor(int64: [1], shape: [1, 1])])
    #expect(try run("Where", [Tensor(bool: [false], shape: [1])]) == [Tensor(int64: [], shape: [0, 1])])
  }

  @Test("MatrixBandPart keeps a band of the last two axes")
  func bandPart() throws {
    let ones = Tensor(float32: [Float](repeating: 1, count: 9), shape: [3, 3])
    #expect(
      try run("MatrixBandPart", [ones, scalar(-1), scalar(0)]) == [
        Tensor(float32: [1, 0, 0, 1, 1, 0, 1, 1, 1], shape: [3, 3])
      ])
    #expect(
      try run("MatrixBandPart", [ones, scalar(0), scalar(1)]) == [
        Tensor(float32: [1, 1, 0, 0, 1, 1, 0, 0, 1], shape: [3, 3])
      ])
  }

  @Test("Einsum with ellipsis, broadcast batch axes, diagonals and implicit outputs")
  func einsumGeneral() throws {
    let a = Tensor(float32: (0..<12).map(Float.init), shape: [2, 1, 2, 3])
    let b = Tensor(float32: (0..<18).map(Float.init), shape: [3, 3, 2])
    let product = try run("Einsum", [a, b], attributes: ["equation": string("...ij,...jk->...ik")])[0]
    #expect(product.shape == [2, 3, 2, 2])
    // Element [1, 2, 0, 1]: row 0 of a[1, 0] = [6, 7, 8] times column 1 of b[2] = [13, 15, 17].
    let values = try product.floats()
    let expected: Float = 6 * 13 + 7 * 15 + 8 * 17
    #expect(values[21] == expected)  // index of [1, 2, 0, 1] in shape [2, 3, 2, 2]
    let square = Tensor(float32: [1, 2, 3, 4], shape: [2, 2])
    #expect(
      try run("Einsum", [square], attributes: ["equation": string("ii->i")]) == [Tensor(float32: [1, 4], shape: [2])])
    #expect(try run("Einsum", [square], attributes: ["equation": string("ii")]) == [Tensor(float32: [5], shape: [])])
    #expect(
      try run("Einsum", [square], attributes: ["equation": string("ji")]) == [
        Tensor(float32: [1, 3, 2, 4], shape: [2, 2])
      ])
    let vector = Tensor(float32: [1, 10], shape: [2])
    #expect(
      try run("Einsum", [square, vector], attributes: ["equation": string("...d,d->...")]) == [
        Tensor(float32: [21, 43], shape: [2])
      ])
    #expect(throws: InferenceError.self) { try run("Einsum", [square], attributes: ["equation": string("i->i")]) }
  }
}
