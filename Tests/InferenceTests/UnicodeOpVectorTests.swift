import Foundation
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// `UnicodeDecode`, `UnicodeDecodeWithOffsets`, `UnicodeEncode` and `UnicodeTranscode` against
/// TensorFlow 2.21: every case in `Vectors/unicode_ops.json` (written by
/// `Scripts/make-op-vectors.py`: valid and ill-formed text in UTF-8, UTF-16-BE and UTF-32-BE under
/// each error mode) runs through the graph layer and must give TensorFlow's output or its error.
@Suite("Unicode ops against TensorFlow")
struct UnicodeOpVectorTests {
  typealias H = GraphHarness
  typealias Vectors = TextOpVectorTests

  struct Case: Decodable {
    let op: String
    let input: [String]?
    let shape: [Int]?
    let inputEncoding: String?
    let outputEncoding: String?
    let errors: String?
    let replacementChar: Int?
    let replaceControlCharacters: Bool?
    let splitsType: String?
    let splits: [String]?
    let chars: [String]?
    let offsets: [String]?
    let inputValues: [String]?
    let inputSplits: [String]?
    let output: [String]?
    let error: String?
  }

  /// The vectors, read once for every test here.
  static let file = OpVectorFile<Case>.load("unicode_ops.json")

  static func cases(_ op: String) throws -> [Case] {
    let file = try #require(Self.file, "Vectors/unicode_ops.json is missing or unreadable")
    #expect(file.tensorflow.hasPrefix("2.21"))
    return file.cases.filter { $0.op == op }
  }

  static func attributes(_ testCase: Case) -> [String: Tensorflow_AttrValue] {
    var attributes: [String: Tensorflow_AttrValue] = [:]
    if let errors = testCase.errors { attributes["errors"] = H.attribute(errors) }
    if let replacement = testCase.replacementChar { attributes["replacement_char"] = H.attribute(replacement) }
    if let encoding = testCase.inputEncoding { attributes["input_encoding"] = H.attribute(encoding) }
    if let encoding = testCase.outputEncoding { attributes["output_encoding"] = H.attribute(encoding) }
    if let control = testCase.replaceControlCharacters {
      attributes["replace_control_characters"] = H.attribute(control)
    }
    if let splits = testCase.splitsType { attributes["Tsplits"] = H.attribute(splits == "int32" ? .dtInt32 : .dtInt64) }
    return attributes
  }

  /// Runs one case and compares every output, or the error's words.
  static func check(_ testCase: Case, _ inputs: [Tensor], expected: [[String]?]) throws {
    let label =
      "\(testCase.op) \(testCase.inputEncoding ?? "") → \(testCase.outputEncoding ?? "") \(testCase.errors ?? "") \(testCase.replacementChar ?? 0) \(testCase.replaceControlCharacters ?? false) \(testCase.input ?? testCase.inputValues ?? [])"
    if let error = testCase.error {
      let failure = H.failure(testCase.op, inputs, attributes(testCase))
      #expect(failure?.category == .invalidArgument, "\(label)")
      #expect(failure?.message.hasSuffix(error) == true, "\(label): \(failure?.message ?? "no error"), not \(error)")
      return
    }
    let outputs = try H.run(testCase.op, inputs, attributes(testCase))
    for (output, values) in zip(outputs, expected) {
      #expect(try Vectors.strings(output) == values, "\(label)")
    }
  }

  @Test("UnicodeDecodeWithOffsets: code points, offsets and splits, every encoding and error mode")
  func decodeWithOffsets() throws {
    let cases = try Self.cases("UnicodeDecodeWithOffsets")
    #expect(cases.count == 333)
    for testCase in cases {
      let input = (testCase.input ?? []).map(Vectors.bytes)
      try Self.check(
        testCase, [Tensor(strings: input, shape: [input.count])],
        expected: [testCase.splits, testCase.chars, testCase.offsets])
    }
  }

  @Test("UnicodeDecode: a matrix of strings gives one row per element, in row-major order")
  func decodeMatrix() throws {
    let cases = try Self.cases("UnicodeDecode")
    #expect(cases.count == 1)
    for testCase in cases {
      let input = (testCase.input ?? []).map(Vectors.bytes)
      let outputs = try H.run(
        "UnicodeDecode", [Tensor(strings: input, shape: testCase.shape ?? [input.count])], Self.attributes(testCase))
      #expect(outputs.count == 2)
      #expect(try Vectors.strings(outputs[0]) == testCase.splits)
      #expect(try Vectors.strings(outputs[1]) == testCase.chars)
    }
  }

  @Test("UnicodeEncode: valid, surrogate, negative and too-large code points in every encoding")
  func encode() throws {
    let cases = try Self.cases("UnicodeEncode")
    #expect(cases.count == 234)
    for testCase in cases {
      let values = (testCase.inputValues ?? []).compactMap { Int32($0) }
      let splits = Vectors.integers(testCase.inputSplits ?? [], "int64")
      try Self.check(testCase, [Tensor(int32: values, shape: [values.count]), splits], expected: [testCase.output])
    }
  }

  @Test("UnicodeTranscode: between every pair of encodings, with each error mode")
  func transcode() throws {
    let cases = try Self.cases("UnicodeTranscode")
    #expect(cases.count == 81)
    for testCase in cases {
      let input = (testCase.input ?? []).map(Vectors.bytes)
      try Self.check(testCase, [Tensor(strings: input, shape: [input.count])], expected: [testCase.output])
    }
  }

  @Test("UnicodeScript: both sides of every change of script, a matrix, and values that are not code points")
  func script() throws {
    let cases = try Self.cases("UnicodeScript")
    #expect(cases.count == 2)
    #expect((cases.first?.inputValues?.count ?? 0) > 2800, "both sides of every run boundary of the script table")
    for testCase in cases {
      let values = (testCase.inputValues ?? []).compactMap { Int32($0) }
      #expect(values.count == testCase.inputValues?.count)
      let shape = testCase.shape ?? [values.count]
      let output = try H.run("UnicodeScript", [Tensor(int32: values, shape: shape)])[0]
      #expect(output.dtype == .int32 && output.shape == shape)
      #expect(try Vectors.strings(output) == testCase.output)
    }
    let text = H.failure("UnicodeScript", [Tensor(int64: [65], shape: [1])])
    #expect(text?.message.contains("input must be int32") == true)
  }

  @Test("refusals: encodings ICU has but we do not, unknown error modes, splits that do not cut the values")
  func refusals() throws {
    let text = Tensor(strings: [Array("abc".utf8)], shape: [1])
    let latin1 = H.failure(
      "UnicodeDecode", [text], ["input_encoding": H.attribute("ISO-8859-1"), "errors": H.attribute("replace")])
    #expect(latin1?.message.contains("unsupported encoding \"ISO-8859-1\"") == true)
    let mode = H.failure(
      "UnicodeTranscode", [text],
      ["input_encoding": H.attribute("UTF-8"), "output_encoding": H.attribute("UTF-16-BE"), "errors": H.attribute("x")])
    #expect(mode?.message.contains("errors must be one of strict, replace or ignore") == true)
    let values = Tensor(int32: [97, 98], shape: [2])
    for splits in [[0, 3], [1, 2], [0, 2, 1, 2]] {
      let failure = H.failure(
        "UnicodeEncode", [values, Tensor(int64: splits.map(Int64.init), shape: [splits.count])],
        ["output_encoding": H.attribute("UTF-8"), "errors": H.attribute("replace")])
      #expect(failure?.message.contains("input_splits must be 1-D") == true, "\(splits)")
    }
  }
}
