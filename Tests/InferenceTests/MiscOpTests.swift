import TFProto
import TensorKernels
import Testing

@testable import Inference

/// The smaller ops of `MiscOps`, with values and messages TensorFlow 2.21 printed.
@Suite("misc ops")
struct MiscOpTests {
  typealias H = GraphHarness
  func i(_ values: [Int32], _ shape: [Int]? = nil) -> Tensor { Tensor(int32: values, shape: shape ?? [values.count]) }
  func f(_ values: [Float]) -> Tensor { Tensor(float32: values, shape: [values.count]) }

  @Test("Assert passes on true and fails on false with TensorFlow's summary of the data")
  func assert() throws {
    let data = [
      Tensor(strings: ["out of vocab: 'x'"], shape: []), i([1, 2, 3, 4, 5]), Tensor(float32: [2.5], shape: []),
      i([1, 2, 3, 4], [2, 2]), Tensor(bool: [true, false], shape: [2]),
    ]
    #expect(try H.run("Assert", [Tensor(bool: [true], shape: [])] + data, ["summarize": H.attribute(3)]).isEmpty)
    let failure = H.failure("Assert", [Tensor(bool: [false], shape: [])] + data, ["summarize": H.attribute(3)])
    #expect(failure?.category == .invalidArgument)
    #expect(
      failure?.message.hasSuffix(
        #"assertion failed: [out of vocab: \'x\'] [1 2 3...] [2.5] [[1 2][3...]...] [1 0]"#) == true,
      "\(failure?.message ?? "")")
    #expect(H.failure("Assert", [i([0])]) != nil)
  }

  @Test("LinSpace, Roll, Diag, DiagPart, Concat, ShapeN")
  func arrays() throws {
    #expect(
      try H.run(
        "LinSpace", [Tensor(float32: [-1], shape: []), Tensor(float32: [2], shape: []), Tensor(int32: [7], shape: [])])
        == [f([-1, -0.5, 0, 0.5, 1, 1.5, 2])])
    #expect(
      H.failure(
        "LinSpace", [Tensor(float32: [0], shape: []), Tensor(float32: [1], shape: []), Tensor(int32: [0], shape: [])])
        != nil)
    #expect(try H.run("Roll", [i([0, 1, 2, 3, 4]), i([2, -1]), i([0, 0])]) == [i([4, 0, 1, 2, 3])])
    #expect(
      try H.run(
        "Roll", [i([0, 1, 2, 3, 4, 5], [2, 3]), Tensor(int32: [1], shape: []), Tensor(int32: [1], shape: [])])
        == [i([2, 0, 1, 5, 3, 4], [2, 3])])
    let diagonal = try H.run("Diag", [i([1, 2, 3, 4], [2, 2])])[0]
    #expect(diagonal.shape == [2, 2, 2, 2])
    #expect(try H.run("DiagPart", [diagonal]) == [i([1, 2, 3, 4], [2, 2])])
    #expect(try H.run("DiagPart", [i([0, 1, 2, 3, 4, 5, 6, 7, 8], [3, 3])]) == [i([0, 4, 8])])
    #expect(H.failure("DiagPart", [i([0, 1], [1, 2])]) != nil)
    #expect(
      try H.run("Concat", [Tensor(int32: [1], shape: []), i([1, 2], [1, 2]), i([3], [1, 1])]) == [
        i([1, 2, 3], [1, 3])
      ])
    #expect(try H.run("ShapeN", [i([1, 2], [1, 2]), f([])]) == [i([1, 2]), i([0])])
  }

  @Test("EuclideanNorm, L2Loss, Mod, ApproximateEqual, StringStrip")
  func math() throws {
    #expect(try H.run("EuclideanNorm", [i([3, 4, 6, 8], [2, 2]), i([1])]) == [i([5, 10])])
    #expect(try H.run("EuclideanNorm", [f([3, 4]), i([0])]) == [Tensor(float32: [5], shape: [])])
    #expect(try H.run("L2Loss", [f([1, 2, 3])]) == [Tensor(float32: [7], shape: [])])
    #expect(try H.run("Mod", [i([-7, 7]), i([2, -2])]) == [i([-1, 1])])
    #expect(
      try H.run("ApproximateEqual", [f([1, 2]), f([1.000001, 2.1])]) == [Tensor(bool: [true, false], shape: [2])])
    #expect(
      try H.run("StringStrip", [Tensor(strings: [" \t a b \n", ""], shape: [2])]) == [
        Tensor(strings: ["a b", ""], shape: [2])
      ])
  }
}

/// `tf.linalg.diag`, `diag_part` and `set_diag` as TensorFlow 2.21 computed them.
@Suite("matrix diagonal ops")
struct MatrixDiagonalOpTests {
  typealias H = GraphHarness
  func i(_ values: [Int32], _ shape: [Int]? = nil) -> Tensor { Tensor(int32: values, shape: shape ?? [values.count]) }
  func scalar(_ value: Int32) -> Tensor { Tensor(int32: [value], shape: []) }

  @Test("MatrixDiagPartV3 packs a band of diagonals with either alignment")
  func diagPart() throws {
    let x = i(Array(1...12), [3, 4])
    #expect(
      try H.run("MatrixDiagPartV3", [x, i([-1, 2]), scalar(9)]) == [
        i([9, 3, 8, 2, 7, 12, 1, 6, 11, 5, 10, 9], [4, 3])
      ])
    #expect(
      try H.run("MatrixDiagPartV3", [x, i([-1, 2]), scalar(9)], ["align": H.attribute("LEFT_RIGHT")]) == [
        i([3, 8, 9, 2, 7, 12, 1, 6, 11, 9, 5, 10], [4, 3])
      ])
    #expect(try H.run("MatrixDiagPartV3", [x, scalar(0), scalar(0)]) == [i([1, 6, 11])])
    #expect(H.failure("MatrixDiagPartV3", [x, i([2, 1]), scalar(0)]) != nil)
    #expect(H.failure("MatrixDiagPartV3", [x, scalar(0), scalar(0)], ["align": H.attribute("UP")]) != nil)
  }

  @Test("MatrixDiagV3 builds matrices, inferring or taking the size; MatrixSetDiagV3 replaces a band")
  func diagAndSetDiag() throws {
    #expect(
      try H.run("MatrixDiagV3", [i([1, 2, 3, 4, 5, 0], [2, 3]), i([0, 1]), scalar(-1), scalar(-1), scalar(0)]) == [
        i([4, 2, 0, 0, 5, 3, 0, 0, 0], [3, 3])
      ])
    #expect(
      try H.run("MatrixDiagV3", [i([1, 2]), scalar(-1), scalar(3), scalar(4), scalar(7)]) == [
        i([7, 7, 7, 7, 1, 7, 7, 7, 7, 2, 7, 7], [3, 4])
      ])
    #expect(
      try H.run(
        "MatrixSetDiagV3", [i([Int32](repeating: 0, count: 12), [3, 4]), i([1, 2, 3, 4, 5, 6], [2, 3]), i([-1, 0])])
        == [i([1, 0, 0, 0, 4, 2, 0, 0, 0, 5, 3, 0], [3, 4])])
    #expect(
      H.failure("MatrixSetDiagV3", [i([Int32](repeating: 0, count: 12), [3, 4]), i([1, 2]), i([-1, 0])]) != nil)
  }
}

/// `ReduceJoin` as TensorFlow 2.21 joins.
@Suite("ReduceJoin")
struct ReduceJoinTests {
  typealias H = GraphHarness
  let x = Tensor(strings: ["a", "b", "c", "d"], shape: [2, 2])
  func axes(_ values: [Int32]) -> Tensor { Tensor(int32: values, shape: [values.count]) }
  let dash = ["separator": H.attribute("-")]

  @Test("axes, keep_dims, the order of listed axes, empty inputs and bad axes")
  func joins() throws {
    #expect(try H.run("ReduceJoin", [x, axes([0])], dash) == [Tensor(strings: ["a-c", "b-d"], shape: [2])])
    #expect(
      try H.run("ReduceJoin", [x, axes([1])], dash.merging(["keep_dims": H.attribute(true)]) { $1 }) == [
        Tensor(strings: ["a-b", "c-d"], shape: [2, 1])
      ])
    #expect(try H.run("ReduceJoin", [x, axes([])], dash) == [x])
    #expect(try H.run("ReduceJoin", [x, axes([0, 1])], dash) == [Tensor(strings: ["a-c-b-d"], shape: [])])
    #expect(try H.run("ReduceJoin", [x, axes([-1, 0])], dash) == [Tensor(strings: ["a-b-c-d"], shape: [])])
    #expect(
      try H.run("ReduceJoin", [Tensor(strings: [[UInt8]](), shape: [2, 0]), axes([1])], dash) == [
        Tensor(strings: ["", ""], shape: [2])
      ])
    #expect(H.failure("ReduceJoin", [x, axes([0, 0])])?.message.contains("Duplicate reduction dimension 0") == true)
    #expect(H.failure("ReduceJoin", [x, axes([2])])?.message.contains("Invalid reduction dimension 2") == true)
  }
}

/// `StringFormat` (`tf.strings.format`) as TensorFlow 2.21 prints tensors.
@Suite("StringFormat")
struct StringFormatTests {
  typealias H = GraphHarness
  func format(_ template: String, _ inputs: [Tensor], summarize: Int = 3) throws -> String {
    let attributes = [
      "template": H.attribute(template), "placeholder": H.attribute("{}"), "summarize": H.attribute(summarize),
    ]
    return String(decoding: try H.run("StringFormat", inputs, attributes)[0].strings()[0], as: UTF8.self)
  }
  func range(_ count: Int32, _ shape: [Int]? = nil) -> Tensor {
    Tensor(int32: Array(0..<count), shape: shape ?? [Int(count)])
  }

  @Test("scalars, vectors with and without ..., matrices, 3-D, bools, floats, strings, empty tensors")
  func formats() throws {
    #expect(
      try format("x={} y={}", [Tensor(strings: ["a\"b"], shape: []), Tensor(float32: [2.5], shape: [])])
        == #"x="a\"b" y=2.5"#)
    #expect(try format("{}", [range(10)]) == "[0 1 2 ... 7 8 9]")
    #expect(try format("{}", [range(10)], summarize: 2) == "[0 1 ... 8 9]")
    #expect(try format("{}", [range(10)], summarize: -1) == "[0 1 2 3 4 5 6 7 8 9]")
    #expect(try format("{}", [range(3)]) == "[0 1 2]")
    #expect(try format("{}", [range(12, [3, 4])]) == "[[0 1 2 3]\n [4 5 6 7]\n [8 9 10 11]]")
    #expect(
      try format("{}", [range(24, [2, 3, 4])], summarize: 1)
        == "[[[0 ... 3]\n  ...\n  [8 ... 11]]\n\n [[12 ... 15]\n  ...\n  [20 ... 23]]]")
    #expect(try format("{}", [Tensor(bool: [true, false], shape: [2])]) == "[1 0]")
    #expect(try format("{}", [Tensor(float32: [1.5, 2, 1e-7, 1e10], shape: [4])]) == "[1.5 2 1e-07 1e+10]")
    #expect(try format("{}", [Tensor(strings: ["a", "b"], shape: [2])]) == #"["a" "b"]"#)
    #expect(try format("{}", [Tensor(float32: [], shape: [0])]) == "[]")
    #expect(try format("{}", [Tensor(float32: [], shape: [2, 0])]) == "[\n ...]")
    #expect(throws: InferenceError.self) { try format("{} {}", [range(1)]) }
  }
}
