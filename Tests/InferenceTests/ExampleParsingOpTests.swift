import Foundation
import NumPyFormat
import TFProto
import TensorIO
import TensorKernels
import Testing

@testable import Inference

/// The example parsing ops through the graph layer: attributes and inputs read as TensorFlow's
/// `ParseExampleOp` reads them, outputs in the op's order. The parse itself is tested in
/// TensorKernelsTests; the `example_classifier` fixture checks the whole against TensorFlow.
@Suite("example parsing ops")
struct ExampleParsingOpTests {
  typealias H = GraphHarness

  static func types(_ types: [Tensorflow_DataType]) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.list.type = types
    return value
  }

  static func shapes(_ shapes: [[Int]?]) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.list.shape = shapes.map { dims in
      var shape = Tensorflow_TensorShapeProto()
      if let dims {
        shape.dim = dims.map { size in
          var dim = Tensorflow_TensorShapeProto.Dim()
          dim.size = Int64(size)
          return dim
        }
      } else {
        shape.unknownRank = true
      }
      return shape
    }
    return value
  }

  static func varint(_ value: UInt64) -> [UInt8] {
    var value = value
    var bytes: [UInt8] = []
    while value >= 0x80 {
      bytes.append(UInt8(value & 0x7F) | 0x80)
      value >>= 7
    }
    return bytes + [UInt8(value)]
  }

  static func field(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
    varint(number << 3 | 2) + varint(UInt64(payload.count)) + payload
  }

  /// An Example of int64 features.
  static func example(_ features: [String: [Int64]]) -> [UInt8] {
    field(
      1,
      features.keys.sorted().flatMap { key in
        let list = field(1, features[key, default: []].flatMap { varint(UInt64(bitPattern: $0)) })
        return field(1, field(1, Array(key.utf8)) + field(2, field(3, list)))
      })
  }

  func strings(_ values: [String]) -> Tensor { Tensor(strings: values, shape: [values.count]) }
  func bytes(_ values: [[UInt8]], shape: [Int]? = nil) -> Tensor {
    Tensor(strings: values, shape: shape ?? [values.count])
  }

  /// `ParseExampleV2` with int64 features: dense `a` (default 0), sparse `b`, ragged `c`.
  func v2Attributes(splits: Tensorflow_DataType = .dtInt64) -> [String: Tensorflow_AttrValue] {
    [
      "Tdense": Self.types([.dtInt64]), "num_sparse": H.attribute(1), "sparse_types": Self.types([.dtInt64]),
      "ragged_value_types": Self.types([.dtInt64]), "ragged_split_types": Self.types([splits]),
      "dense_shapes": Self.shapes([[]]),
    ]
  }

  func v2Inputs(_ serialized: Tensor, names: Tensor? = nil) -> [Tensor] {
    [
      serialized, names ?? strings([]), strings(["b"]), strings(["a"]), strings(["c"]),
      Tensor(int64: [0], shape: []),
    ]
  }

  @Test("ParseExampleV2: sparse indices, values, shapes, dense values, ragged values, row splits")
  func v2Outputs() throws {
    let serialized = bytes([Self.example(["a": [5], "b": [1, 2], "c": [3]]), Self.example(["c": [4, 5]])])
    let outputs = try H.run("ParseExampleV2", v2Inputs(serialized), v2Attributes())
    #expect(
      outputs == [
        Tensor(int64: [0, 0, 0, 1], shape: [2, 2]), Tensor(int64: [1, 2], shape: [2]),
        Tensor(int64: [2, 2], shape: [2]),
        Tensor(int64: [5, 0], shape: [2]), Tensor(int64: [3, 4, 5], shape: [3]), Tensor(int64: [0, 1, 3], shape: [3]),
      ])
    let scalar = try H.run(
      "ParseExampleV2", v2Inputs(bytes([Self.example(["b": [7]])], shape: [])), v2Attributes(splits: .dtInt32))
    #expect(scalar[0] == Tensor(int64: [0], shape: [1, 1]))
    #expect(scalar[3] == Tensor(int64: [0], shape: []))
    #expect(scalar[5] == Tensor(int32: [], shape: [0]))
  }

  @Test("ParseExampleV2: its input checks and the kernel's messages, prefixed with the node")
  func v2Failures() {
    let one = bytes([Self.example(["a": [1]])])
    let matrix = bytes([Self.example([:])], shape: [1, 1])
    #expect(
      H.failure("ParseExampleV2", v2Inputs(matrix), v2Attributes())?.message
        == "graph: ParseExampleV2 \"op\": Expected serialized to be a scalar or vector, got shape: [1,1]")
    #expect(
      H.failure("ParseExampleV2", v2Inputs(one, names: strings(["x", "y"])), v2Attributes())?.message
        == "graph: ParseExampleV2 \"op\": Expected names have the same shape as serialized: name.shape=[2], "
        + "serialized.shape=[1]")
    var inputs = v2Inputs(one)
    inputs[3] = strings(["a", "z"])
    #expect(
      H.failure("ParseExampleV2", inputs, v2Attributes())?.message
        == "graph: ParseExampleV2 \"op\": Expected len(dense_keys) == len(dense_types) but got: 2 vs. 1")
    #expect(
      H.failure("ParseExampleV2", Array(v2Inputs(one).dropLast()), v2Attributes())?.message
        == "graph: ParseExampleV2 \"op\": Expected len(dense_defaults) == len(dense_keys) but got: 0 vs. 1")
    var unknownRank = v2Attributes()
    unknownRank["dense_shapes"] = Self.shapes([nil])
    #expect(
      H.failure("ParseExampleV2", v2Inputs(one), unknownRank)?.message
        == "graph: ParseExampleV2 \"op\": dense_shapes[0] has unknown rank or unknown inner dimensions: <unknown>")
    let wrongType = bytes([Self.field(1, Self.field(1, Self.field(1, Array("b".utf8)) + Self.field(2, [0x12, 0x00])))])
    let error = H.failure("ParseExampleV2", v2Inputs(wrongType), v2Attributes())
    #expect(error?.category == .invalidArgument)
    #expect(
      error?.message
        == "graph: ParseExampleV2 \"op\": Name: <unknown>, Key: b, Index: 0.  Data types don't match. Expected type: "
        + "int64, Actual type: float")
  }

  @Test("ParseExample (V1): keys as scalar inputs, a vector of examples only")
  func v1() throws {
    let attributes: [String: Tensorflow_AttrValue] = [
      "Nsparse": H.attribute(1), "Ndense": H.attribute(1), "sparse_types": Self.types([.dtInt64]),
      "Tdense": Self.types([.dtInt64]), "dense_shapes": Self.shapes([[1]]),
    ]
    let key = { (name: String) in Tensor(strings: [name], shape: []) }
    let serialized = bytes([Self.example(["a": [5], "b": [1, 2]]), Self.example([:])])
    let outputs = try H.run(
      "ParseExample", [serialized, strings([]), key("b"), key("a"), Tensor(int64: [9], shape: [1])], attributes)
    #expect(
      outputs == [
        Tensor(int64: [0, 0, 0, 1], shape: [2, 2]), Tensor(int64: [1, 2], shape: [2]),
        Tensor(int64: [2, 2], shape: [2]),
        Tensor(int64: [5, 9], shape: [2, 1]),
      ])
    let scalar = bytes([Self.example([:])], shape: [])
    #expect(
      H.failure("ParseExample", [scalar, strings([]), key("b"), key("a"), Tensor(int64: [9], shape: [1])], attributes)?
        .message == "graph: ParseExample \"op\": Expected serialized to be a vector, got shape: []")
  }

  @Test("ParseSingleExample: keys as attributes, one scalar example")
  func single() throws {
    let attributes: [String: Tensorflow_AttrValue] = [
      "num_sparse": H.attribute(1), "sparse_keys": H.attribute(strings: ["b"]),
      "dense_keys": H.attribute(strings: ["a"]),
      "sparse_types": Self.types([.dtInt64]), "Tdense": Self.types([.dtInt64]), "dense_shapes": Self.shapes([[-1]]),
    ]
    let serialized = bytes([Self.example(["a": [5, 6], "b": [1]])], shape: [])
    let outputs = try H.run("ParseSingleExample", [serialized, Tensor(int64: [0], shape: [])], attributes)
    #expect(
      outputs == [
        Tensor(int64: [0], shape: [1, 1]), Tensor(int64: [1], shape: [1]), Tensor(int64: [1], shape: [1]),
        Tensor(int64: [5, 6], shape: [2]),
      ])
    #expect(
      H.failure("ParseSingleExample", [bytes([[]]), Tensor(int64: [0], shape: [])], attributes)?.message
        == "graph: ParseSingleExample \"op\": Expected serialized to be a scalar, got shape: [1]")
  }

  @Test("example_classifier: every parsed tensor is bit for bit TensorFlow's, and bad records fail the call")
  func fixtureParse() throws {
    let root = ConformanceTests.root.appendingPathComponent("example_classifier")
    let model = try LoadedModel(directory: root.appendingPathComponent("model"))
    func reference(_ path: String) throws -> Tensor {
      try TensorFiles.tensor(from: try NPYArray(contentsOf: root.appendingPathComponent("reference/\(path).npy")))
    }
    let examples = try reference("inputs/serving_default/examples")
    let outputs = try model.run(signature: "serving_default", inputs: ["examples": examples])
    for key in ["x", "age", "color", "history", "tags_indices", "tags_values", "tags_shape"] {
      #expect(try outputs[key] == reference("outputs/serving_default/\(key)"), "\(key)")
    }
    // A record without the required feature, after good ones: TensorFlow's message, the node named.
    var records = try examples.strings()
    records.append(Self.field(1, []))
    do {
      _ = try model.run(signature: "classify", inputs: ["inputs": Tensor(strings: records, shape: [records.count])])
      Issue.record("a record without x was classified")
    } catch {
      #expect(error.category == .invalidArgument)
      #expect(
        error.message
          == "graph: ParseExampleV2 \"ParseExample/ParseExampleV2\": Name: <unknown>, Feature: x (data type: float) "
          + "is required but could not be found.")
    }
  }

  @Test("a function body reaches the parse's outputs by argument name")
  func outputArguments() throws {
    let signatures = OpSignatures(opList: .init(), library: .init())
    let node = GraphHarness.node("p", "ParseExampleV2", [], v2Attributes())
    let attributes = node.attr
    let dense = try signatures.flatIndex(
      op: "ParseExampleV2", attributes: attributes, argument: "dense_values", index: 0, node: "p")
    let splits = try signatures.flatIndex(
      op: "ParseExampleV2", attributes: attributes, argument: "ragged_row_splits", index: 0, node: "p")
    #expect(dense == 3)
    #expect(splits == 5)
  }
}
