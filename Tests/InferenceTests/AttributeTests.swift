import Foundation
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// Node attributes are read as the kind their OpDef declares: an attribute holding another kind
/// of value is reported, naming the node and the attribute, instead of running with a zero or a
/// default nobody wrote; an absent attribute still takes its default.
@Suite("malformed node attributes")
struct AttributeTests {
  typealias H = GraphHarness

  static func emptyList() -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.list = .init()
    return value
  }

  static func dtype(raw: Int) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.type = Tensorflow_DataType(rawValue: raw) ?? .dtInvalid
    return value
  }

  static let matrix = Tensor(float32: [1, 2, 3, 4], shape: [2, 2])

  /// One op run with one attribute of the wrong kind, and the end of the message it must give.
  struct Case: Sendable, CustomStringConvertible {
    let op: String
    let inputs: [Tensor]
    let attribute: String
    let value: Tensorflow_AttrValue
    let message: String
    var description: String { "\(op).\(attribute)" }
  }

  static let cases = [
    Case(
      op: "Shape", inputs: [matrix], attribute: "out_type", value: H.attribute("int64"),
      message: "a dtype, but it is a string"),
    Case(
      op: "MatMul", inputs: [matrix, matrix], attribute: "transpose_a", value: H.attribute(1),
      message: "a bool, but it is an int"),
    Case(
      op: "Squeeze", inputs: [matrix], attribute: "squeeze_dims", value: H.attribute(0),
      message: "a list of ints, but it is an int"),
    Case(
      op: "Squeeze", inputs: [matrix], attribute: "squeeze_dims", value: H.attribute(strings: ["0"]),
      message: "a list of ints, but it is a list of strings"),
    Case(
      op: "GatherV2", inputs: [matrix, Tensor(int32: [0], shape: [1]), Tensor(int32: [0], shape: [])],
      attribute: "batch_dims", value: H.attribute("0"), message: "an int, but it is a string"),
    Case(
      op: "LeakyRelu", inputs: [matrix], attribute: "alpha", value: H.attribute(true),
      message: "a float, but it is a bool"),
    Case(
      op: "PartitionedCall", inputs: [matrix], attribute: "f", value: H.attribute("callee"),
      message: "a function, but it is a string"),
    Case(
      op: "StringLower", inputs: [Tensor(strings: ["A"], shape: [1])], attribute: "encoding", value: H.attribute(8),
      message: "a string, but it is an int"),
  ]

  @Test("an attribute of the wrong kind is invalid_argument, naming the node and the attribute", arguments: cases)
  func wrongKind(_ test: Case) throws {
    let error = try #require(H.failure(test.op, test.inputs, [test.attribute: test.value]))
    #expect(error.category == .invalidArgument)
    #expect(error.message == "graph: \(test.op) \"op\": attribute \"\(test.attribute)\" must be \(test.message)")
  }

  @Test("absent attributes take their defaults; an empty list is a list of any kind")
  func defaults() throws {
    #expect(try H.run("Shape", [Self.matrix]) == [Tensor(int32: [2, 2], shape: [2])])
    let shape = try H.run("Shape", [Self.matrix], ["out_type": H.attribute(.dtInt64)])
    #expect(shape == [Tensor(int64: [2, 2], shape: [2])])
    let column = Tensor(float32: [1, 2], shape: [2, 1])
    #expect(try H.run("Squeeze", [column]) == [Tensor(float32: [1, 2], shape: [2])])
    let squeezed = try H.run("Squeeze", [column], ["squeeze_dims": Self.emptyList()])
    #expect(squeezed == [Tensor(float32: [1, 2], shape: [2])])
    #expect(try H.run("MatMul", [Self.matrix, Self.matrix], ["transpose_a": H.attribute(false)]).count == 1)
  }

  @Test("a well-formed dtype attribute this core lacks is unsupported, not replaced by the default")
  func unsupportedDtype() throws {
    let error = try #require(H.failure("Shape", [Self.matrix], ["out_type": Self.dtype(raw: 11)]))  // DT_QINT8
    #expect(error.category == .unsupported)
    #expect(error.message == "graph: Shape \"op\": attribute \"out_type\" has unsupported dtype 11")
    // A dtype the core has, but not an index type: refused, never an int32 in its place.
    let complex = try #require(H.failure("Shape", [Self.matrix], ["out_type": Self.dtype(raw: 8)]))  // DT_COMPLEX64
    #expect(complex.message.contains("int32 or int64"), "\(complex.message)")
  }

  @Test("a required attribute that is missing is still reported as missing")
  func missing() throws {
    let one = Tensor(float32: [1], shape: [1, 1, 1, 1])
    let error = try #require(H.failure("Conv2D", [one, one]))
    #expect(error.category == .invalidArgument)
    #expect(error.message == "graph: Conv2D \"op\": missing attribute \"padding\"")
  }

  @Test("a Pad before a convolution with a malformed data_format is not folded; the convolution reports it")
  func malformedAttributeIsNotFolded() throws {
    var graph = GraphHarness()
    graph.add("x", "Placeholder")
    graph.add("filter", "Placeholder")
    graph.add("paddings", "Const", [], ["value": PadFusionTests.constant([0, 0, 1, 1, 1, 1, 0, 0], shape: [4, 2])])
    graph.add("pad", "Pad", ["x", "paddings"])
    var strides = Tensorflow_AttrValue()
    strides.list.i = [1, 1, 1, 1]
    graph.add(
      "conv", "Conv2D", ["pad", "filter"],
      ["padding": H.attribute("VALID"), "strides": strides, "data_format": H.attribute(1)])
    let feeds = ["x": Tensor(float32: [1], shape: [1, 1, 1, 1]), "filter": Tensor(float32: [1], shape: [1, 1, 1, 1])]
    let (runtime, function) = try graph.runtime()
    let plan = PadFusion.plan(function, targets: [try #require(function.nodeIndex["conv"])])
    #expect(plan.folded.isEmpty)
    let error = try #require(throws: InferenceError.self) {
      try graph.run(["conv"], feeds: feeds, on: (runtime, function))
    }
    #expect(error.category == .invalidArgument)
    #expect(error.message == "graph: Conv2D \"conv\": attribute \"data_format\" must be a string, but it is an int")
  }

  @Test("an output-count attribute of the wrong kind fails the import, naming the node and the attribute")
  func malformedOutputCount() throws {
    var op = Tensorflow_OpDef()
    op.name = "TwoLists"
    var first = Tensorflow_OpDef.ArgDef()
    first.name = "first"
    first.numberAttr = "N"
    var second = Tensorflow_OpDef.ArgDef()
    second.name = "second"
    op.outputArg = [first, second]
    var list = Tensorflow_OpList()
    list.op = [op]
    let signatures = OpSignatures(opList: list, library: .init())
    func index(_ count: Tensorflow_AttrValue) throws -> Int {
      try signatures.flatIndex(
        op: "TwoLists", attributes: ["N": count], argument: "second", index: 0, node: "f: node \"n\"")
    }
    #expect(try index(H.attribute(3)) == 3)
    let error = try #require(throws: InferenceError.self) { try index(H.attribute("3")) }
    #expect(error.category == .invalidArgument)
    #expect(error.message == "f: node \"n\": attribute \"N\" must be an int, but it is a string")
  }
}
