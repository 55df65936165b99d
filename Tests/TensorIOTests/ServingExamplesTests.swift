import RegistryCore
import Testing

@testable import TensorIO

/// Classify and regress bodies as TensorFlow Serving reads and answers them
/// (tensorflow/serving `util/json_tensor.cc`: `FillClassifyRegressRequestFromJson`,
/// `MakeJsonFromClassificationResult`, `MakeJsonFromRegressionResult`).
@Suite("TensorFlow Serving REST classify and regress bodies")
struct ServingExamplesTests {
  func decode(_ json: String, action: String = "classify") throws -> ServingExamples {
    let body = try ServingTensorCodec.body(Array(json.utf8))
    return try ServingTensorCodec.examples(of: body, action: action)
  }

  func message(_ json: String, action: String = "classify") -> String? {
    do {
      _ = try decode(json, action: action)
      return nil
    } catch let error as TensorIOError {
      #expect(error.category == .invalidArgument)
      return error.message
    } catch {
      Issue.record("unexpected error type \(error)")
      return nil
    }
  }

  @Test("each JSON kind becomes its feature kind: int → int64, decimal → float, string and b64 → bytes, bool → int64")
  func kinds() throws {
    let examples = try decode(
      #"{"examples": [{"age": 42, "height": 1.5, "name": "ada", "photo": {"b64": "AAE="}, "member": true, "#
        + #""scores": [1e3, 2.25], "ids": [1, -2], "tags": ["a", {"b64": "Yg=="}], "none": []}]}"#)
    #expect(examples.context == nil)
    #expect(examples.examples.count == 1)
    let features = examples.examples[0]
    #expect(features["age"] == .int64s([42]))
    #expect(features["height"] == .floats([1.5]))
    #expect(features["name"] == .bytes([Array("ada".utf8)]))
    #expect(features["photo"] == .bytes([[0, 1]]))
    #expect(features["member"] == .int64s([1]))
    #expect(features["scores"] == .floats([1000, 2.25]))
    #expect(features["ids"] == .int64s([1, -2]))
    #expect(features["tags"] == .bytes([Array("a".utf8), Array("b".utf8)]))
    #expect(features["none"] == .empty)
    #expect(features.count == 9)
  }

  @Test("a context is kept apart from the examples; a name given twice keeps its last value")
  func contextAndDuplicates() throws {
    let examples = try decode(
      #"{"signature_name": "classify", "context": {"country": "fr"}, "examples": [{"x": 1, "x": 2.5}, {}]}"#)
    #expect(examples.context == ["country": .bytes([Array("fr".utf8)])])
    #expect(examples.examples == [["x": .floats([2.5])], [:]])
  }

  @Test("missing, non-list and empty examples are refused with TensorFlow Serving's messages")
  func examplesKey() {
    #expect(
      message(#"{"instances": [1]}"#)?.hasSuffix(
        "When method is classify, key 'examples' is expected and was not found") == true)
    #expect(message(#"{"instances": [1]}"#, action: "regress")?.contains("When method is regress") == true)
    #expect(message(#"{"examples": {"a": 1}}"#)?.hasSuffix("Expecting 'examples' value to be an list/array") == true)
    #expect(message(#"{"examples": []}"#)?.hasSuffix("'examples' value is an empty array") == true)
    #expect(message(#"{"examples": [1]}"#) == "Example must be JSON object but got JSON Number")
    #expect(message(#"{"context": [], "examples": [{}]}"#) == "Example must be JSON object but got JSON Array")
  }

  @Test("null, nested lists, plain objects, mixed kinds and integers past int64 are refused")
  func badValues() {
    #expect(message(#"{"examples": [{"a": null}]}"#) == "Feature: a has element with unexpected JSON type: Null")
    #expect(message(#"{"examples": [{"a": [[1]]}]}"#) == "Feature: a has element with unexpected JSON type: Array")
    #expect(message(#"{"examples": [{"a": {"x": 1}}]}"#) == "Feature: a has element with unexpected JSON type: Object")
    #expect(
      message(#"{"examples": [{"a": [1, 2.5]}]}"#) == "Unexpected element type in feature: a expecting type: int64")
    #expect(
      message(#"{"examples": [{"a": [2.5, 1]}]}"#) == "Unexpected element type in feature: a expecting type: float")
    #expect(
      message(#"{"examples": [{"a": ["s", true]}]}"#) == "Unexpected element type in feature: a expecting type: bytes")
    #expect(
      message(#"{"examples": [{"a": [1, {"b64": "AA=="}]}]}"#)
        == "Unexpected element type in feature: a expecting type: int64")
    #expect(
      message(#"{"examples": [{"a": 18446744073709551615}]}"#)
        == "Feature: a has uint64_t element. Only int64_t is supported.")
    #expect(
      message(#"{"examples": [{"a": [2.5, 18446744073709551615]}]}"#)
        == "Unexpected element type in feature: a expecting type: float")
    #expect(message(#"{"examples": [{"a": {"b64": "!!"}}]}"#) == "Unable to base64 decode")
  }

  @Test("an integer past uint64 is a float, as RapidJSON parses it")
  func hugeIntegerIsFloat() throws {
    let examples = try decode(#"{"examples": [{"a": 123456789012345678901234567890}]}"#)
    #expect(examples.examples[0]["a"] == .floats([Float(123456789012345678901234567890.0)]))
  }

  @Test("answers: results with [label, score] pairs per record, regressions one value per record, TF float text")
  func responses() {
    let classify = ServingTensorCodec.classifyResponse([
      [(label: "cat", score: 0.75), (label: "dog", score: 3)], [(label: "a\"b", score: .nan)],
    ])
    #expect(String(decoding: classify, as: UTF8.self) == #"{"results":[[["cat",0.75],["dog",3.0]],[["a\"b",NaN]]]}"#)
    let regress = ServingTensorCodec.regressResponse([1, 0.1, 9_000_000])
    #expect(String(decoding: regress, as: UTF8.self) == #"{"results":[1.0,0.1,9e+06]}"#)
  }
}
