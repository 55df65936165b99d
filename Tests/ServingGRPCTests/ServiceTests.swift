import Foundation
import GRPCCore
import NumPyFormat
import RegistryCore
import RegistryTestSupport
import ServingGRPC
import ServingProto
import TFProto
import TensorIO
import TensorKernels
import Testing

/// The services over real loopback gRPC, against real fixtures run by the inference core. Requests
/// are the golden bytes the official Python client wrote (Golden/, Scripts/make-serving-golden.py)
/// and outputs are compared with TensorFlow's reference outputs.
@Suite("gRPC services over loopback", .serialized)
struct ServiceTests {
  @Test("Predict answers the official client's requests with TensorFlow's outputs")
  func predict() async throws {
    let backend = try FixtureBackend.make()
    let mlp = try Tensorflow_Serving_PredictRequest(decoding: Golden.bytes("predict_keras2_mlp.pb"))
    let lookup = try Tensorflow_Serving_PredictRequest(decoding: Golden.bytes("predict_string_lookup.pb"))
    let scale = try Tensorflow_Serving_PredictRequest(decoding: Golden.bytes("predict_module_scale.pb"))
    try await withServingServer(backend: backend) { clients in
      let answer = try await clients.prediction.predict(mlp)
      #expect(answer.modelSpec.name == "keras2_mlp")
      #expect(answer.modelSpec.version.value == 1)
      #expect(answer.modelSpec.signatureName == "serving_default")
      #expect(Set(answer.outputs.keys) == ["probs"])
      try expectClose(
        TensorProtoCodec.tensor(from: try required(answer.outputs["probs"], "probs"), name: "probs"),
        Reference.output("keras2_mlp", "serving_default", "probs"))

      // By label, strings in, int64 out, the default signature.
      let words = try await clients.prediction.predict(lookup)
      #expect(words.modelSpec.version.value == 1)
      #expect(words.modelSpec.signatureName == "serving_default")
      let ids = try TensorProtoCodec.tensor(from: try required(words.outputs["ids"], "ids"), name: "ids")
      #expect(ids == (try Reference.output("string_lookup", "serving_default", "ids")))

      // A second signature, latest version, a broadcast scalar, two outputs.
      let scaled = try await clients.prediction.predict(scale)
      #expect(scaled.modelSpec.version.value == 2)
      #expect(Set(scaled.outputs.keys) == ["scaled", "total"])
      for name in ["scaled", "total"] {
        try expectClose(
          TensorProtoCodec.tensor(from: try required(scaled.outputs[name], name), name: name),
          Reference.output("module_two_signatures", "scale", name))
      }
    }
  }

  @Test("Predict with an output filter returns only the outputs asked for")
  func outputFilter() async throws {
    var request = try Tensorflow_Serving_PredictRequest(decoding: Golden.bytes("predict_module_scale.pb"))
    request.outputFilter = ["total"]
    let filtered = request
    try await withServingServer(backend: try FixtureBackend.make()) { clients in
      let answer = try await clients.prediction.predict(filtered)
      #expect(Set(answer.outputs.keys) == ["total"])
    }
  }

  @Test("GetModelMetadata packs the signatures as TensorFlow Serving does")
  func metadata() async throws {
    let request = try Tensorflow_Serving_GetModelMetadataRequest(decoding: Golden.bytes("get_model_metadata.pb"))
    let golden = try Tensorflow_Serving_GetModelMetadataResponse(
      decoding: Golden.bytes("get_model_metadata_response.pb"))
    try await withServingServer(backend: try FixtureBackend.make()) { clients in
      let answer = try await clients.prediction.getModelMetadata(request)
      #expect(answer.modelSpec.name == "module_two_signatures")
      #expect(answer.modelSpec.version.value == 2)
      let any = try required(answer.metadata["signature_def"], "signature_def")
      #expect(any.typeURL == "type.googleapis.com/tensorflow.serving.SignatureDefMap")
      #expect(any.typeURL == golden.metadata["signature_def"]?.typeURL)
      let ours = try required(any.unpacked(as: Tensorflow_Serving_SignatureDefMap.self), "SignatureDefMap")
      let theirs = try required(
        golden.metadata["signature_def"]?.unpacked(as: Tensorflow_Serving_SignatureDefMap.self), "golden map")
      #expect(Set(ours.signatureDef.keys) == Set(theirs.signatureDef.keys))
      for (key, expected) in theirs.signatureDef {
        let actual = try required(ours.signatureDef[key], key)
        #expect(actual.methodName == expected.methodName, "\(key)")
        for (side, mine, reference) in [
          ("inputs", actual.inputs, expected.inputs), ("outputs", actual.outputs, expected.outputs),
        ] {
          #expect(Set(mine.keys) == Set(reference.keys), "\(key) \(side)")
          for (name, info) in reference {
            let own = try required(mine[name], "\(key) \(name)")
            #expect(own.dtype == info.dtype, "\(key) \(name)")
            #expect(own.tensorShape.unknownRank == info.tensorShape.unknownRank, "\(key) \(name)")
            #expect(own.tensorShape.dim.map(\.size) == info.tensorShape.dim.map(\.size), "\(key) \(name)")
          }
        }
      }
    }
  }

  @Test("GetModelStatus lists every version newest first, failed ones with their error")
  func status() async throws {
    let request = try Tensorflow_Serving_GetModelStatusRequest(decoding: Golden.bytes("get_model_status.pb"))
    try await withServingServer(backend: try FixtureBackend.make()) { clients in
      let answer = try await clients.model.getModelStatus(request)
      #expect(answer.modelVersionStatus.map(\.version) == [3, 2, 1])
      #expect(answer.modelVersionStatus.map(\.state) == [.available, .end, .available])
      #expect(answer.modelVersionStatus[0].status.errorCode == .ok)
      #expect(answer.modelVersionStatus[0].status.errorMessage == "")
      #expect(answer.modelVersionStatus[1].status.errorCode == .dataLoss)
      #expect(answer.modelVersionStatus[1].status.errorMessage.contains("CRC32C"))

      var one = request
      one.modelSpec.version = .init(1)
      #expect(try await clients.model.getModelStatus(one).modelVersionStatus.map(\.version) == [1])
      // A label is not resolved, as in TensorFlow Serving: all versions come back.
      var labelled = request
      labelled.modelSpec.versionLabel = "stable"
      #expect(try await clients.model.getModelStatus(labelled).modelVersionStatus.count == 3)
    }
  }

  @Test("Classify feeds serialized Examples with their context and answers per-record classes")
  func classify() async throws {
    let request = try Tensorflow_Serving_ClassificationRequest(decoding: Golden.bytes("classify_keras2_mlp.pb"))
    let expected = try Reference.output("keras2_mlp", "serving_default", "probs").floats()
    try await withServingServer(backend: try FixtureBackend.make()) { clients in
      let answer = try await clients.prediction.classify(request)
      #expect(answer.modelSpec.signatureName == "classify")
      #expect(answer.modelSpec.version.value == 3)
      let rows = answer.result.classifications
      #expect(rows.count == 2)
      for (row, classifications) in rows.enumerated() {
        #expect(classifications.classes.map(\.label) == ["0", "1", "2"])
        for (column, entry) in classifications.classes.enumerated() {
          let want = expected[row * 3 + column]
          #expect(abs(entry.score - want) <= 1e-5 + 1e-4 * abs(want), "row \(row) class \(column)")
        }
      }
    }
  }

  @Test("Regress answers one value per record")
  func regress() async throws {
    let request = try Tensorflow_Serving_RegressionRequest(decoding: Golden.bytes("regress_keras2_mlp.pb"))
    let expected = try Reference.output("keras2_mlp", "serving_default", "probs").floats()
    try await withServingServer(backend: try FixtureBackend.make()) { clients in
      let answer = try await clients.prediction.regress(request)
      #expect(answer.modelSpec.signatureName == "regress")
      let values = answer.result.regressions.map(\.value)
      #expect(values.count == 2)
      for (row, value) in values.enumerated() {
        #expect(abs(value - expected[row * 3]) <= 1e-5 + 1e-4 * abs(expected[row * 3]), "row \(row)")
      }
    }
  }

  @Test("errors carry TensorFlow Serving's status codes and messages")
  func errors() async throws {
    let mlp = try Tensorflow_Serving_PredictRequest(decoding: Golden.bytes("predict_keras2_mlp.pb"))
    let classify = try Tensorflow_Serving_ClassificationRequest(decoding: Golden.bytes("classify_keras2_mlp.pb"))
    try await withServingServer(backend: try FixtureBackend.make()) { clients in
      func predictFails(_ change: (inout Tensorflow_Serving_PredictRequest) -> Void) async -> RPCError? {
        var request = mlp
        change(&request)
        return await failure { try await clients.prediction.predict(request) }
      }
      var error = await predictFails { $0.modelSpec.name = "nope" }
      #expect(error?.code == .notFound)
      #expect(error?.message == "Servable not found for request: Specific(nope, 1)")
      error = await predictFails { $0.modelSpec.version = .init(9) }
      #expect(error?.code == .notFound)
      error = await predictFails { $0.modelSpec.versionLabel = "canary" }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message == "Unrecognized servable version label: canary")
      error = await predictFails { $0.clearModelSpec() }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message == "Missing ModelSpec")
      error = await predictFails { $0.modelSpec.signatureName = "missing" }
      #expect(error?.code == .failedPrecondition)
      #expect(error?.message == "Serving signature key \"missing\" not found.")
      error = await predictFails { $0.inputs["extra"] = $0.inputs["features"] }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.contains("Sent extra: {extra}") == true)
      error = await predictFails { $0.outputFilter = ["logits"] }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.contains("output tensor alias not found in signature: logits") == true)
      error = await predictFails { $0.outputFilter = ["probs", "probs"] }
      #expect(error?.message == "duplicate output tensor alias: probs")
      error = await predictFails {
        $0.inputs["features"] = TensorProtoCodec.proto(from: Tensor(int32: [1, 2, 3, 4], shape: [1, 4]))
      }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message == "input \"features\" must be DT_FLOAT, got DT_INT32")
      error = await predictFails {
        var huge = Tensorflow_TensorProto()
        huge.dtype = .dtFloat
        huge.tensorShape.dim = [Int64(1) << 40, 4].map { size in
          var dim = Tensorflow_TensorShapeProto.Dim()
          dim.size = size
          return dim
        }
        huge.floatVal = [1]
        $0.inputs["features"] = huge
      }
      #expect(error?.code == .resourceExhausted)
      #expect(error?.message.contains("REGISTRY_LIMIT_TENSOR_ELEMENTS") == true)
      // A shape the model refuses: the inference core's own check, as its category.
      error = await predictFails {
        $0.inputs["features"] = TensorProtoCodec.proto(from: Tensor(float32: [1, 2, 3], shape: [1, 3]))
      }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.contains("must have shape") == true)

      // A message built from a hostile request is cut at 1024 bytes, as TF Serving's ToGRPCStatus does.
      error = await predictFails { request in
        for index in 0..<200 { request.inputs["extra_input_with_a_long_name_\(index)"] = request.inputs["features"] }
      }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasSuffix("...TRUNCATED") == true)
      #expect(error?.message.utf8.count == 1024 + "...TRUNCATED".utf8.count)

      var metadata = Tensorflow_Serving_GetModelMetadataRequest()
      metadata.modelSpec.name = "keras2_mlp"
      error = await failure { try await clients.prediction.getModelMetadata(metadata) }
      #expect(error?.message == "GetModelMetadataRequest must specify at least one metadata_field")
      metadata.metadataField = ["signature_def", "graph"]
      error = await failure { try await clients.prediction.getModelMetadata(metadata) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message == "Metadata field graph is not supported")

      var status = Tensorflow_Serving_GetModelStatusRequest()
      status.modelSpec.name = "nope"
      error = await failure { try await clients.model.getModelStatus(status) }
      #expect(error?.code == .notFound)
      #expect(error?.message == "Could not find any versions of model nope")

      var wrongMethod = classify
      wrongMethod.modelSpec.signatureName = "serving_default"
      error = await failure { try await clients.prediction.classify(wrongMethod) }
      #expect(error?.code == .invalidArgument)
      #expect(
        error?.message
          == "Expected classification signature method_name to be tensorflow/serving/classify. Was: tensorflow/serving/predict"
      )
      var empty = classify
      empty.input = Tensorflow_Serving_Input()
      error = await failure { try await clients.prediction.classify(empty) }
      #expect(error?.message == "Input is empty.")
      var regress = Tensorflow_Serving_RegressionRequest()
      regress.modelSpec.name = "keras2_mlp"
      regress.modelSpec.signatureName = "classify"
      regress.input = classify.input
      error = await failure { try await clients.prediction.regress(regress) }
      #expect(error?.message.hasPrefix("Expected regression signature method_name") == true)

      error = await failure { try await clients.prediction.multiInference(Tensorflow_Serving_MultiInferenceRequest()) }
      #expect(error?.code == .unimplemented)
      error = await failure {
        try await clients.model.handleReloadConfigRequest(Tensorflow_Serving_ReloadConfigRequest())
      }
      #expect(error?.code == .unimplemented)
    }
  }

  @Test("a context repeated per record beyond the tensor limit is refused before it is built")
  func contextBomb() async throws {
    var request = Tensorflow_Serving_ClassificationRequest()
    request.modelSpec.name = "keras2_mlp"
    request.modelSpec.signatureName = "classify"
    var context = Tensorflow_Example()
    var feature = Tensorflow_Feature()
    feature.bytesList.value = [Data(count: 1 << 20)]
    context.features.feature["blob"] = feature
    request.input.exampleListWithContext.context = context
    // 10,000 empty records: 20 KB on the wire, 10 GB once each carries the 1 MB context.
    request.input.exampleListWithContext.examples = Array(repeating: Tensorflow_Example(), count: 10_000)
    let bomb = request
    try await withServingServer(backend: try FixtureBackend.make()) { clients in
      let error = await failure { try await clients.prediction.classify(bomb) }
      #expect(error?.code == .resourceExhausted)
      #expect(error?.message.contains("REGISTRY_LIMIT_TENSOR_BYTES") == true)
    }
  }

  /// grpc-swift's transport resets the stream of a message over the cap (RST_STREAM CANCEL), which
  /// the client sees as UNAVAILABLE; gRPC C++ answers RESOURCE_EXHAUSTED. docs/serve-grpc.md says so.
  @Test("a request over the size cap is refused by the transport, one under it is served")
  func sizeCap() async throws {
    let small = try Tensorflow_Serving_PredictRequest(decoding: Golden.bytes("predict_keras2_mlp.pb"))
    var request = small
    request.inputs["features"] = TensorProtoCodec.contentProto(
      from: Tensor(float32: [Float](repeating: 1, count: 4 * 1024), shape: [1024, 4]))
    let large = request
    try await withServingServer(backend: try FixtureBackend.make(), maxRequestBytes: 8 * 1024) { clients in
      let error = await failure { try await clients.prediction.predict(large) }
      #expect(error?.code == .unavailable, "\(String(describing: error))")
      #expect(error?.message.contains("RST_STREAM") == true, "\(String(describing: error))")
      let served = try await clients.prediction.predict(small)
      #expect(served.outputs["probs"] != nil)
    }
  }
}

/// The golden messages the official Python client wrote.
enum Golden {
  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: Repository.path("Tests/ServingGRPCTests/Golden/\(name)")))
  }
}

/// The fixtures' TensorFlow reference tensors.
enum Reference {
  static func output(_ fixture: String, _ signature: String, _ name: String) throws -> Tensor {
    try tensor("Fixtures/\(fixture)/reference/outputs/\(signature)/\(name).npy")
  }

  static func input(_ fixture: String, _ signature: String, _ name: String) throws -> Tensor {
    try tensor("Fixtures/\(fixture)/reference/inputs/\(signature)/\(name).npy")
  }

  private static func tensor(_ path: String) throws -> Tensor {
    try TensorFiles.tensor(from: NPYArray(contentsOf: Repository.path(path)))
  }
}

/// Float tensors within the fixtures' tolerance (relative 1e-4, absolute 1e-5); others equal.
func expectClose(_ actual: Tensor, _ expected: Tensor, sourceLocation: SourceLocation = #_sourceLocation) throws {
  #expect(actual.shape == expected.shape, sourceLocation: sourceLocation)
  #expect(actual.dtype == expected.dtype, sourceLocation: sourceLocation)
  guard actual.dtype == .float32, expected.dtype == .float32 else {
    #expect(actual == expected, sourceLocation: sourceLocation)
    return
  }
  for (a, b) in zip(try actual.floats(), try expected.floats()) {
    #expect(abs(a - b) <= 1e-5 + 1e-4 * abs(b), "\(a) vs \(b)", sourceLocation: sourceLocation)
  }
}
