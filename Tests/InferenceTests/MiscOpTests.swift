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
