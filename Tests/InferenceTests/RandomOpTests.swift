import Foundation
import NumPyFormat
import RegistryTestSupport
import TFProto
import TensorIO
import TensorKernels
import Testing

@testable import Inference

/// The stateless random ops against TensorFlow 2.21: every case in `Vectors/stateless_random.json`
/// (written by `Scripts/make-op-vectors.py`) runs through the graph layer and must give
/// TensorFlow's bits. V1 cases run both forms: the seed directly, and TensorFlow's key and counter
/// through the V2 op.
@Suite("stateless random ops")
struct RandomOpTests {
  typealias H = GraphHarness

  struct Case: Decodable {
    let op: String
    let dtype: String?
    let shape: [Int]?
    let seed: [String]?
    let seedDtype: String?
    let key: [String]?
    let counter: [String]?
    let alg: Int32?
    let minval: String?
    let maxval: String?
    let logits: [String]?
    let logitsShape: [Int]?
    let samples: Int32?
    let outputDtype: String?
    /// 64-bit values are decimal strings in the file, which JSON readers keep exact.
    let bits: [String]?

    var seeds: [Int64] { (seed ?? []).compactMap { Int64($0) } }
    var keyWords: [UInt64] { (key ?? []).compactMap { UInt64($0) } }
    var counterWords: [UInt64] { (counter ?? []).compactMap { UInt64($0) } }
  }

  /// The vectors, read once for every test here.
  static let file = OpVectorFile<Case>.load("stateless_random.json")

  static func type(_ name: String) -> Tensorflow_DataType {
    switch name {
    case "float16": .dtHalf
    case "bfloat16": .dtBfloat16
    case "float32": .dtFloat
    case "float64": .dtDouble
    case "int32": .dtInt32
    case "int64": .dtInt64
    case "uint32": .dtUint32
    default: .dtUint64
    }
  }

  /// A tensor's elements as TensorFlow's bits: floats as bit patterns, integers as themselves.
  static func bits(_ tensor: Tensor) throws -> [String] {
    switch tensor.dtype {
    case .float16: return try tensor.floats().map { String(HalfPrecision.halfBits($0)) }
    case .bfloat16: return try tensor.floats().map { String(HalfPrecision.bfloat16Bits($0)) }
    case .float32: return try tensor.floats().map { String($0.bitPattern) }
    case .float64: return try tensor.doubles().map { String($0.bitPattern) }
    case .int32: return try tensor.int32s().map { String($0) }
    case .int64: return try tensor.int64s().map { String($0) }
    case .uint32: return try tensor.uint32s().map { String($0) }
    case .string: return try tensor.strings().map { $0.map { String($0) }.joined(separator: ",") }
    default: return try tensor.uint64s().map { String($0) }
    }
  }

  static func expected(_ testCase: Case) -> [String] { testCase.bits ?? [] }

  static func seed(_ testCase: Case) -> Tensor {
    let seed = testCase.seeds
    return testCase.seedDtype == "int32"
      ? Tensor(int32: seed.map { Int32($0) }, shape: [2]) : Tensor(int64: seed, shape: [2])
  }

  static func keyCounter(_ testCase: Case) -> [Tensor] {
    let counter = testCase.counterWords
    return [
      Tensor(uint64: testCase.keyWords, shape: [1]), Tensor(uint64: counter, shape: [counter.count]),
      Tensor(int32: [testCase.alg ?? 1], shape: []),
    ]
  }

  static func integer(_ value: Int64, _ dtype: String) -> Tensor {
    dtype == "int32" ? Tensor(int32: [Int32(value)], shape: []) : Tensor(int64: [value], shape: [])
  }

  /// Runs one case; nil when it is not an op case (key and counter cases are checked apart).
  static func outputs(_ testCase: Case) throws -> [(String, Tensor)] {
    let shape = testCase.shape ?? []
    let shape32 = Tensor(int32: shape.map { Int32($0) }, shape: [shape.count])
    let shape64 = Tensor(int64: shape.map { Int64($0) }, shape: [shape.count])
    let dtype = H.attribute(type(testCase.dtype ?? "float32"))
    let v2 = testCase.op.hasSuffix("V2") ? testCase.op : testCase.op + "V2"
    var results: [(String, Tensor)] = []
    switch testCase.op {
    case "StatelessMultinomial":
      let shape = testCase.logitsShape ?? []
      let values = (testCase.logits ?? []).map { Double($0) ?? .nan }
      let logits: Tensor =
        switch testCase.dtype {
        case "float64": Tensor(float64: values, shape: shape)
        case "float16": Tensor(float16: values.map { Float($0) }, shape: shape)
        case "bfloat16": Tensor(bfloat16: values.map { Float($0) }, shape: shape)
        default: Tensor(float32: values.map { Float($0) }, shape: shape)
        }
      let output = try H.run(
        testCase.op, [logits, Tensor(int32: [testCase.samples ?? 0], shape: []), seed(testCase)],
        ["output_dtype": H.attribute(type(testCase.outputDtype ?? "int64"))])
      results.append((testCase.op, output[0]))
    case "StatelessRandomUniformInt":
      let bounds = [
        integer(Int64(testCase.minval ?? "") ?? 0, testCase.dtype ?? ""),
        integer(Int64(testCase.maxval ?? "") ?? 0, testCase.dtype ?? ""),
      ]
      results.append((testCase.op, try H.run(testCase.op, [shape32, seed(testCase)] + bounds, ["dtype": dtype])[0]))
      results.append((v2, try H.run(v2, [shape64] + keyCounter(testCase) + bounds, ["dtype": dtype])[0]))
    default:
      if testCase.seed != nil {
        results.append((testCase.op, try H.run(testCase.op, [shape32, seed(testCase)], ["dtype": dtype])[0]))
      }
      results.append((v2, try H.run(v2, [shape64] + keyCounter(testCase), ["dtype": dtype])[0]))
    }
    return results
  }

  @Test("every recorded case gives TensorFlow's bits, V1 and V2")
  func vectors() throws {
    let file = try #require(Self.file, "Vectors/stateless_random.json is missing or unreadable")
    #expect(file.tensorflow.hasPrefix("2.21"))
    var checked = 0
    for testCase in file.cases where testCase.op != "StatelessRandomGetKeyCounter" {
      for (op, output) in try Self.outputs(testCase) {
        let label =
          "\(op) \(testCase.dtype ?? "") shape \(testCase.shape ?? testCase.logitsShape ?? []) seed "
          + "\(testCase.seed ?? []) key \(testCase.key ?? []) counter \(testCase.counter ?? [])"
        #expect(try Self.bits(output) == Self.expected(testCase), "\(label)")
        #expect(output.shape == (testCase.shape ?? [testCase.logitsShape?[0] ?? 0, Int(testCase.samples ?? 0)]))
        checked += 1
      }
    }
    #expect(checked > 900)
  }

  @Test("a seed becomes TensorFlow's key and counter (int32 seeds sign-extended)")
  func keyCounter() throws {
    let file = try #require(Self.file)
    let cases = file.cases.filter { $0.op == "StatelessRandomGetKeyCounter" }
    #expect(cases.count == 6)
    for testCase in cases {
      let outputs = try H.run(testCase.op, [Self.seed(testCase)])
      #expect(try outputs[0].uint64s() == testCase.keyWords)
      #expect(try outputs[1].uint64s() == testCase.counterWords)
      let withAlgorithm = try H.run("StatelessRandomGetKeyCounterAlg", [Self.seed(testCase)])
      #expect(try withAlgorithm[0].uint64s() == testCase.keyWords)
      #expect(try withAlgorithm[2].int32s() == [1])
    }
    #expect(try H.run("StatelessRandomGetAlg", [])[0].int32s() == [1])
  }

  @Test("a key and counter chain: GetKeyCounter's outputs feed the V2 op by output index")
  func chained() throws {
    var graph = GraphHarness()
    graph.add("seed", "Placeholder")
    graph.add("shape", "Const", [], ["value": Self.shapeValue([5])])
    graph.add("alg", "Const", [], ["value": Self.algValue(1)])
    graph.add("kc", "StatelessRandomGetKeyCounter", ["seed"])
    graph.add("u", "StatelessRandomUniformV2", ["shape", "kc", "kc:1", "alg"], ["dtype": H.attribute(.dtFloat)])
    graph.add("v1", "StatelessRandomUniform", ["shape", "seed"], ["dtype": H.attribute(.dtFloat)])
    let seed = Tensor(int64: [1, 2], shape: [2])
    let outputs = try graph.run(["u", "v1"], feeds: ["seed": seed])
    #expect(outputs[0][0] == outputs[1][0])
    #expect(outputs[0][0].shape == [5])
  }

  static func shapeValue(_ dims: [Int32]) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.tensor.dtype = .dtInt32
    value.tensor.tensorShape.dim = [.with { $0.size = Int64(dims.count) }]
    value.tensor.intVal = dims
    return value
  }

  static func algValue(_ id: Int32) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.tensor.dtype = .dtInt32
    value.tensor.intVal = [id]
    return value
  }

  @Test("TensorFlow's messages for bad seeds, shapes, keys, counters, algorithms and bounds")
  func failures() {
    let shape = Tensor(int32: [3], shape: [1])
    let key = Tensor(uint64: [1], shape: [1])
    let counter = Tensor(uint64: [1, 2], shape: [2])
    let philox = Tensor(int32: [1], shape: [])
    func message(_ op: String, _ inputs: [Tensor], _ attributes: [String: Tensorflow_AttrValue] = [:]) -> String? {
      H.failure(op, inputs, attributes)?.message
    }
    let prefix = "graph: StatelessRandomUniform \"op\": "
    #expect(
      message("StatelessRandomUniform", [shape, Tensor(int64: [1, 2, 3], shape: [3])])
        == prefix + "seed must have shape [2], not [3]")
    #expect(
      message("StatelessRandomUniform", [Tensor(int32: [-1, 3], shape: [2]), Tensor(int64: [1, 2], shape: [2])])
        == prefix + "Dimension -1 must be >= 0")
    #expect(
      message("StatelessRandomUniform", [Tensor(int32: [1, 3], shape: [1, 2]), Tensor(int64: [1, 2], shape: [2])])
        == prefix + "shape must be a vector of {int32,int64}, got shape [1,2]")
    let v2 = "graph: StatelessRandomUniformV2 \"op\": "
    #expect(
      message("StatelessRandomUniformV2", [shape, key, counter, Tensor(int32: [2], shape: [])])
        == v2 + "Unsupported algorithm id: 2")
    #expect(
      message("StatelessRandomUniformV2", [shape, key, counter, Tensor(int32: [0], shape: [])])
        == v2 + "Unsupported algorithm id: 0")
    #expect(
      message("StatelessRandomUniformV2", [shape, key, counter, Tensor(int32: [4], shape: [])])
        == v2 + "counter must be a vector with length at least 4; got shape: [2]. (Note that batched counters are "
        + "not supported yet.)")
    #expect(
      message("StatelessRandomUniformV2", [shape, Tensor(uint64: [1, 2], shape: [2]), counter, philox])
        == v2 + "key must have shape [1], not [2]. (Note that batched keys are not supported yet.)")
    #expect(
      message("StatelessRandomUniformV2", [shape, key, Tensor(uint64: [1], shape: [1]), philox])
        == v2 + "counter must be a vector with length at least 2; got shape: [1]. (Note that batched counters are "
        + "not supported yet.)")
    #expect(
      message("StatelessRandomUniformV2", [shape, key, counter, Tensor(int32: [1], shape: [1])])
        == v2 + "input 3 (0-based) must have shape [], not [1]")
    let int32 = ["dtype": H.attribute(.dtInt32)]
    let five = Tensor(int32: [5], shape: [])
    #expect(
      message("StatelessRandomUniformIntV2", [shape, key, counter, philox, five, five], int32)?
        .hasSuffix("Need minval < maxval, got 5 >= 5") == true)
    #expect(
      message(
        "StatelessRandomUniformIntV2", [shape, key, counter, philox, five, Tensor(int32: [6], shape: [1])], int32)
        == "graph: StatelessRandomUniformIntV2 \"op\": maxval must be 0-D, got shape [1]")
    // An empty output never compares the bounds, as in TensorFlow.
    #expect(
      message(
        "StatelessRandomUniformInt", [Tensor(int32: [0], shape: [1]), Tensor(int64: [1, 2], shape: [2]), five, five],
        int32) == nil)
    let multinomial = "graph: StatelessMultinomial \"op\": "
    let seed = Tensor(int64: [1, 2], shape: [2])
    #expect(
      message(
        "StatelessMultinomial", [Tensor(float32: [0, 1], shape: [1, 2]), Tensor(int32: [-1], shape: []), seed])?
        .hasSuffix("num_samples should be non-negative, got -1") == true)
    #expect(
      message("StatelessMultinomial", [Tensor(float32: [0, 1], shape: [2]), Tensor(int32: [1], shape: []), seed])?
        .hasSuffix("logits should be a matrix, got shape [2]") == true)
    #expect(
      message("StatelessMultinomial", [Tensor(float32: [], shape: [1, 0]), Tensor(int32: [1], shape: []), seed])?
        .hasSuffix("num_classes should be positive, got 0") == true)
    #expect(
      message("StatelessMultinomial", [Tensor(float32: [0, 1], shape: [1, 2]), Tensor(int32: [1], shape: [1]), seed])
        == multinomial + "num_samples should be a scalar, got shape [1]")
  }

  @Test("hostile sizes fail with resource_exhausted before anything is drawn")
  func hostileSizes() {
    let seed = Tensor(int64: [1, 2], shape: [2])
    let huge = Tensor(int64: [Int64.max, 4], shape: [2])
    let error = H.failure("StatelessRandomNormal", [huge, seed], ["dtype": H.attribute(.dtFloat)])
    #expect(error?.category == .resourceExhausted)
    let many = H.failure(
      "StatelessMultinomial",
      [Tensor(float32: [0, 1], shape: [1, 2]), Tensor(int32: [Int32.max], shape: []), seed])
    #expect(many?.category == .resourceExhausted)
    let empty = try? H.run("StatelessRandomNormal", [Tensor(int64: [Int64.max, 0], shape: [2]), seed])
    #expect(empty == nil, "an empty tensor with a huge dimension is refused too (strides would overflow)")
  }

  @Test("the random_text_ops fixture: TensorFlow's saved signatures give TensorFlow's outputs, bit for bit")
  func fixture() throws {
    let root = Repository.Fixtures.root.appendingPathComponent("random_text_ops")
    let model = try LoadedModel(directory: root.appendingPathComponent("model"))
    var compared = 0
    for signature in ["random", "text"] {
      let inputsRoot = root.appendingPathComponent("reference/inputs/\(signature)")
      var inputs: [String: Tensor] = [:]
      for file in try FileManager.default.contentsOfDirectory(atPath: inputsRoot.path) {
        let array = try NPYArray(contentsOf: inputsRoot.appendingPathComponent(file))
        inputs[String(file.dropLast(4))] = try TensorFiles.tensor(from: array)
      }
      let outputs = try model.run(signature: signature, inputs: inputs)
      let outputsRoot = root.appendingPathComponent("reference/outputs/\(signature)")
      for file in try FileManager.default.contentsOfDirectory(atPath: outputsRoot.path) {
        let expected = try TensorFiles.tensor(from: try NPYArray(contentsOf: outputsRoot.appendingPathComponent(file)))
        let actual = try #require(outputs[String(file.dropLast(4))])
        #expect(actual.dtype == expected.dtype, "\(signature) \(file)")
        #expect(try Self.bits(actual) == Self.bits(expected), "\(signature) \(file)")
        compared += 1
      }
    }
    #expect(compared == 14)
  }
}
