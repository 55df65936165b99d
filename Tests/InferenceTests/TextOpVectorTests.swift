import Foundation
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// `StringToHashBucketStrong`, `StringNGrams` and `RaggedRange` against TensorFlow 2.21: every case
/// in `Vectors/text_ops.json` (written by `Scripts/make-op-vectors.py`) runs through the graph layer
/// and must give TensorFlow's output exactly (float values as bits).
@Suite("text and ragged ops against TensorFlow")
struct TextOpVectorTests {
  typealias H = GraphHarness

  /// One case; strings are hex (any bytes), 64-bit integers decimal strings.
  struct Case: Decodable {
    let op: String
    let input: [String]?
    let key: [String]?
    let numBuckets: String?
    let output: [String]?
    let data: [String]?
    let dataSplits: [String]?
    let splitsType: String?
    let separator: String?
    let ngramWidths: [Int]?
    let leftPad: String?
    let rightPad: String?
    let padWidth: Int?
    let preserveShortSequences: Bool?
    let ngrams: [String]?
    let splits: [String]?
    let dtype: String?
    let starts: [String]?
    let startsShape: [Int]?
    let limits: [String]?
    let limitsShape: [Int]?
    let deltas: [String]?
    let deltasShape: [Int]?
    let values: [String]?
  }

  /// The vectors, read once for every test here.
  static let file = OpVectorFile<Case>.load("text_ops.json")

  static func bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).compactMap {
      UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)
    }
  }

  static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

  static func cases(_ op: String) throws -> [Case] {
    let file = try #require(Self.file, "Vectors/text_ops.json is missing or unreadable")
    #expect(file.tensorflow.hasPrefix("2.21"))
    return file.cases.filter { $0.op == op }
  }

  static func integers(_ values: [String], _ dtype: String, shape: [Int]? = nil) -> Tensor {
    let numbers = values.compactMap { Int64($0) }
    let shape = shape ?? [numbers.count]
    return dtype == "int32"
      ? Tensor(int32: numbers.map { Int32($0) }, shape: shape) : Tensor(int64: numbers, shape: shape)
  }

  static func strings(_ tensor: Tensor) throws -> [String] {
    switch tensor.dtype {
    case .int32: return try tensor.int32s().map { String($0) }
    case .int64: return try tensor.int64s().map { String($0) }
    case .float32: return try tensor.floats().map { String($0.bitPattern) }
    case .float64: return try tensor.doubles().map { String($0.bitPattern) }
    default: return try tensor.strings().map(hex)
    }
  }

  @Test("StringToHashBucketStrong: SipHash-2-4 buckets for every key and bucket count, Keras Hashing(salt=…) too")
  func hashBucketStrong() throws {
    let cases = try Self.cases("StringToHashBucketStrong")
    #expect(cases.count == 26)
    for testCase in cases {
      let input = (testCase.input ?? []).map(Self.bytes)
      var key = Tensorflow_AttrValue()
      key.list.i = (testCase.key ?? []).compactMap { Int64($0) }
      let buckets = try #require(Int(testCase.numBuckets ?? ""))
      let output = try H.run(
        "StringToHashBucketStrong", [Tensor(strings: input, shape: [input.count])],
        ["num_buckets": H.attribute(buckets), "key": key])
      #expect(try Self.strings(output[0]) == testCase.output, "key \(testCase.key ?? []) buckets \(buckets)")
    }
  }

  @Test("StringToHashBucketStrong: the published SipHash-2-4 vector and TensorFlow's refusals")
  func hashBucketStrongChecks() throws {
    // The reference implementation's vector: key 00…0f, message 00…0e.
    var key = Tensorflow_AttrValue()
    key.list.i = [0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908]
    let message = Tensor(strings: [(0..<15).map { UInt8($0) }], shape: [])
    let output = try H.run(
      "StringToHashBucketStrong", [message], ["num_buckets": H.attribute(Int(Int64.max)), "key": key])
    #expect(try output[0].int64s() == [Int64(0xA129_CA61_49BE_45E5 % UInt64(Int64.max))])
    var three = Tensorflow_AttrValue()
    three.list.i = [1, 2, 3]
    #expect(
      H.failure("StringToHashBucketStrong", [message], ["num_buckets": H.attribute(3), "key": three])?.message
        == "graph: StringToHashBucketStrong \"op\": Key must have 2 elements")
    #expect(
      H.failure("StringToHashBucketStrong", [message], ["num_buckets": H.attribute(0), "key": key])?.category
        == .invalidArgument)
  }

  @Test("StringNGrams: every width, padding and short-sequence setting over ragged rows, int32 and int64 splits")
  func ngrams() throws {
    let cases = try Self.cases("StringNGrams")
    #expect(cases.count == 196)
    for testCase in cases {
      let data = (testCase.data ?? []).map(Self.bytes)
      let splits = Self.integers(testCase.dataSplits ?? [], testCase.splitsType ?? "")
      var widths = Tensorflow_AttrValue()
      widths.list.i = (testCase.ngramWidths ?? []).map { Int64($0) }
      let attributes: [String: Tensorflow_AttrValue] = [
        "separator": H.attribute(testCase.separator ?? ""), "ngram_widths": widths,
        "left_pad": H.attribute(testCase.leftPad ?? ""), "right_pad": H.attribute(testCase.rightPad ?? ""),
        "pad_width": H.attribute(testCase.padWidth ?? 0),
        "preserve_short_sequences": H.attribute(testCase.preserveShortSequences ?? false),
      ]
      let output = try H.run("StringNGrams", [Tensor(strings: data, shape: [data.count]), splits], attributes)
      let label =
        "splits \(testCase.dataSplits ?? []) widths \(testCase.ngramWidths ?? []) pad \(testCase.padWidth ?? 0)"
      #expect(try Self.strings(output[0]) == testCase.ngrams, "\(label)")
      #expect(try Self.strings(output[1]) == testCase.splits, "\(label)")
      #expect(output[1].dtype == splits.dtype)
    }
  }

  @Test("StringNGrams: TensorFlow's messages for bad splits, widths and padding")
  func ngramFailures() {
    func failure(_ splits: [Int32], widths: [Int64] = [2], pad: Int = 0, preserve: Bool = false) -> String? {
      var list = Tensorflow_AttrValue()
      list.list.i = widths
      let attributes: [String: Tensorflow_AttrValue] = [
        "separator": H.attribute(" "), "ngram_widths": list, "left_pad": H.attribute(""),
        "right_pad": H.attribute(""), "pad_width": H.attribute(pad),
        "preserve_short_sequences": H.attribute(preserve),
      ]
      let data = Tensor(strings: ["a", "b", "c"], shape: [3])
      return H.failure("StringNGrams", [data, Tensor(int32: splits, shape: [splits.count])], attributes)?.message
    }
    let prefix = "graph: StringNGrams \"op\": "
    #expect(failure([0, 2]) == prefix + "Last split value must be data size. Expected 3, got 2")
    #expect(failure([1, 3]) == prefix + "First split value must be 0, got 1")
    #expect(failure([0, 3, 2]) == prefix + "Invalid split value 2, must be in [3, 3]")
    #expect(failure([0, 4]) == prefix + "Invalid split value 4, must be in [0, 3]")
    #expect(failure([0, 3], widths: [0]) == prefix + "ngram_widths must contain positive values")
    #expect(failure([0, 3], widths: [-1]) == prefix + "ngram_widths must contain positive values")
    #expect(
      failure([0, 3], widths: [], pad: -1, preserve: true)
        == prefix
        + "Pad width should be >= 0 when preserve_short_sequences is True and ngram_widths are not provided, got -1")
    #expect(failure([0, 3], widths: [Int64(Int32.max) + 1])?.contains("out of range for an int32") == true)
  }

  @Test("StringNGrams: an output past the byte limit is refused before it is joined")
  func ngramLimits() throws {
    var list = Tensorflow_AttrValue()
    list.list.i = [Int64(Int32.max)]
    let attributes: [String: Tensorflow_AttrValue] = [
      "separator": H.attribute(" "), "ngram_widths": list, "left_pad": H.attribute("L"),
      "right_pad": H.attribute("R"), "pad_width": H.attribute(-1), "preserve_short_sequences": H.attribute(false),
    ]
    let error = H.failure(
      "StringNGrams", [Tensor(strings: ["a"], shape: [1]), Tensor(int64: [0, 1], shape: [2])], attributes)
    #expect(error?.category == .resourceExhausted)
  }

  static func tensor(_ values: [String], _ shape: [Int], _ dtype: String) -> Tensor {
    switch dtype {
    case "int32": return Tensor(int32: values.compactMap { Int32($0) }, shape: shape)
    case "int64": return Tensor(int64: values.compactMap { Int64($0) }, shape: shape)
    case "float32": return Tensor(float32: values.compactMap { Float($0) }, shape: shape)
    default: return Tensor(float64: values.compactMap { Double($0) }, shape: shape)
    }
  }

  @Test("RaggedRange: scalars broadcast, negative deltas, empty rows, int32 extremes, float accumulation")
  func raggedRange() throws {
    let cases = try Self.cases("RaggedRange")
    #expect(cases.count == 44)
    for testCase in cases {
      let dtype = testCase.dtype ?? ""
      let inputs = [
        Self.tensor(testCase.starts ?? [], testCase.startsShape ?? [], dtype),
        Self.tensor(testCase.limits ?? [], testCase.limitsShape ?? [], dtype),
        Self.tensor(testCase.deltas ?? [], testCase.deltasShape ?? [], dtype),
      ]
      let splitsType: Tensorflow_DataType = testCase.splitsType == "int32" ? .dtInt32 : .dtInt64
      let output = try H.run("RaggedRange", inputs, ["Tsplits": H.attribute(splitsType)])
      let label = "\(dtype) \(testCase.starts ?? []) \(testCase.limits ?? []) \(testCase.deltas ?? [])"
      #expect(try Self.strings(output[0]) == testCase.splits, "\(label)")
      #expect(try Self.strings(output[1]) == testCase.values, "\(label)")
      #expect(output[0].dtype == (splitsType == .dtInt32 ? .int32 : .int64))
    }
  }

  @Test("RaggedRange: TensorFlow's messages, and sizes from input checked against the limits")
  func raggedRangeFailures() {
    let prefix = "graph: RaggedRange \"op\": RaggedRange: "
    func failure(_ starts: Tensor, _ limits: Tensor, _ deltas: Tensor) -> InferenceError? {
      H.failure("RaggedRange", [starts, limits, deltas])
    }
    let one = Tensor(int32: [1], shape: [])
    #expect(
      failure(one, Tensor(int32: [3], shape: []), Tensor(int32: [0], shape: []))?.message == prefix
        + "Requires delta != 0")
    #expect(
      failure(Tensor(int32: [0, 1], shape: [2]), Tensor(int32: [3, 2, 3], shape: [3]), one)?.message
        == prefix + "starts, limits, and deltas must have the same shape")
    #expect(
      failure(Tensor(int32: [0], shape: [1, 1]), one, one)?.message == prefix + "starts must be a scalar or vector")
    let tooLarge = prefix + "Requires ((limit - start) / delta) <= 9223372036854775807"
    #expect(
      failure(
        Tensor(int64: [-(1 << 62)], shape: [1]), Tensor(int64: [1 << 62], shape: [1]), Tensor(int64: [1], shape: [1]))?
        .message == tooLarge)
    #expect(
      failure(Tensor(float32: [0.5], shape: []), Tensor(float32: [.nan], shape: []), Tensor(float32: [0.7], shape: []))?
        .message == tooLarge)
    #expect(
      failure(
        Tensor(float64: [0.5], shape: []), Tensor(float64: [.infinity], shape: []), Tensor(float64: [1], shape: []))?
        .message == tooLarge)
    // A size TensorFlow would allocate (2^32 - 1 int32 values) is past our element limit.
    let huge = failure(
      Tensor(int32: [Int32.min], shape: []), Tensor(int32: [Int32.max], shape: []), Tensor(int32: [1], shape: []))
    #expect(huge?.category == .resourceExhausted)
    // Rows whose sizes add up past int64 fail the checked sum, not wrap.
    let rows = failure(
      Tensor(int64: [0, 0, 0], shape: [3]), Tensor(int64: [.max, .max, .max], shape: [3]),
      Tensor(int64: [1], shape: []))
    #expect(rows?.category == .resourceExhausted)
  }
}
