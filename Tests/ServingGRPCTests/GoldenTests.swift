import Foundation
import RegistryTestSupport
import ServingGRPC
import ServingProto
import TFProto
import TensorKernels
import Testing

/// Our schemas read what the official `tensorflow-serving-api` client writes, field for field, and
/// write it back byte for byte (Golden/ is written by Scripts/make-serving-golden.py with
/// deterministic encoding, which our canonical encoding matches).
@Suite("golden messages from the official Python client")
struct GoldenTests {
  static let files = [
    "predict_keras2_mlp.pb", "predict_string_lookup.pb", "predict_module_scale.pb", "get_model_metadata.pb",
    "get_model_status.pb", "classify_keras2_mlp.pb", "regress_keras2_mlp.pb", "get_model_metadata_response.pb",
  ]

  @Test("every golden file is in the list, and the list is not empty")
  func inventory() throws {
    let directory = try Repository.path("Tests/ServingGRPCTests/Golden")
    let present = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".pb") }
    #expect(Set(present) == Set(Self.files))
    #expect(!Self.files.isEmpty)
  }

  @Test("re-encoding a decoded message gives the official client's bytes", arguments: files)
  func reencode(file: String) throws {
    let bytes = try Golden.bytes(file)
    let encoded: [UInt8]
    switch file {
    case let name where name.hasPrefix("predict_"):
      encoded = try Tensorflow_Serving_PredictRequest(decoding: bytes).canonicalBytes()
    case "get_model_metadata.pb":
      encoded = try Tensorflow_Serving_GetModelMetadataRequest(decoding: bytes).canonicalBytes()
    case "get_model_status.pb":
      encoded = try Tensorflow_Serving_GetModelStatusRequest(decoding: bytes).canonicalBytes()
    case "classify_keras2_mlp.pb":
      encoded = try Tensorflow_Serving_ClassificationRequest(decoding: bytes).canonicalBytes()
    case "regress_keras2_mlp.pb":
      encoded = try Tensorflow_Serving_RegressionRequest(decoding: bytes).canonicalBytes()
    default:
      encoded = try Tensorflow_Serving_GetModelMetadataResponse(decoding: bytes).canonicalBytes()
    }
    #expect(encoded == bytes, "\(file): \(encoded.count) bytes re-encoded, \(bytes.count) golden")
  }

  @Test("a PredictRequest's spec, packed tensor and output filter")
  func predictRequest() throws {
    let request = try Tensorflow_Serving_PredictRequest(decoding: Golden.bytes("predict_keras2_mlp.pb"))
    #expect(request.modelSpec.name == "keras2_mlp")
    #expect(request.modelSpec.versionChoice == .version(.init(1)))
    #expect(request.modelSpec.signatureName == "serving_default")
    #expect(request.outputFilter == ["probs"])
    let proto = try required(request.inputs["features"], "features")
    #expect(!proto.tensorContent.isEmpty)
    let tensor = try TensorProtoCodec.tensor(from: proto, name: "features")
    #expect(tensor == (try Reference.input("keras2_mlp", "serving_default", "features")))
  }

  @Test("a label, and strings in string_val")
  func labelAndStrings() throws {
    let request = try Tensorflow_Serving_PredictRequest(decoding: Golden.bytes("predict_string_lookup.pb"))
    #expect(request.modelSpec.versionChoice == .versionLabel("stable"))
    #expect(request.modelSpec.signatureName.isEmpty)
    let proto = try required(request.inputs["words"], "words")
    #expect(proto.dtype == .dtString)
    #expect(proto.stringVal.map { String(decoding: $0, as: UTF8.self) } == ["fox", "unicorn"])
    let tensor = try TensorProtoCodec.tensor(from: proto, name: "words")
    #expect(tensor == (try Reference.input("string_lookup", "serving_default", "words")))
  }

  @Test("one float_val value broadcast to its shape")
  func broadcast() throws {
    let request = try Tensorflow_Serving_PredictRequest(decoding: Golden.bytes("predict_module_scale.pb"))
    #expect(request.modelSpec.versionChoice == nil)
    let proto = try required(request.inputs["factor"], "factor")
    #expect(proto.floatVal == [1.5])
    #expect(proto.tensorShape.dim.map(\.size) == [2, 3])
    #expect(
      try TensorProtoCodec.tensor(from: proto, name: "factor")
        == Tensor(float32: [Float](repeating: 1.5, count: 6), shape: [2, 3]))
  }

  @Test("Examples with a context, as Classify receives them")
  func classificationRequest() throws {
    let request = try Tensorflow_Serving_ClassificationRequest(decoding: Golden.bytes("classify_keras2_mlp.pb"))
    #expect(request.modelSpec.signatureName == "classify")
    guard case .exampleListWithContext(let list) = request.input.kind else {
      Issue.record("expected example_list_with_context, got \(String(describing: request.input.kind))")
      return
    }
    #expect(list.context.features.feature["source"]?.bytesList.value == [Data("golden".utf8)])
    let rows = try Reference.input("keras2_mlp", "serving_default", "features").floats()
    #expect(list.examples.count == 2)
    #expect(list.examples.flatMap { $0.features.feature["features"]?.floatList.value ?? [] } == rows)
  }

  @Test("metadata request and status request fields")
  func metadataAndStatus() throws {
    let metadata = try Tensorflow_Serving_GetModelMetadataRequest(decoding: Golden.bytes("get_model_metadata.pb"))
    #expect(metadata.modelSpec.name == "module_two_signatures")
    #expect(metadata.modelSpec.version.value == 2)
    #expect(metadata.metadataField == ["signature_def"])
    let status = try Tensorflow_Serving_GetModelStatusRequest(decoding: Golden.bytes("get_model_status.pb"))
    #expect(status.modelSpec.name == "keras2_mlp")
    #expect(status.modelSpec.versionChoice == nil)
  }
}
