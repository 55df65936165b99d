import GRPCCore
import RegistryCore
import ServingGRPC
import ServingProto
import Testing

/// Every call reaches `ServingBackend.finished(_:)` once, with what the server's metrics and logs
/// need, and names a caller made up stay out of it.
@Suite("gRPC calls are reported to the backend", .serialized)
struct CallRecordTests {
  /// The fixture backend, keeping every finished call.
  final class RecordingBackend: ServingBackend {
    let inner: FixtureBackend
    let calls = Locked<[ServingCall]>([])

    init(_ inner: FixtureBackend) { self.inner = inner }

    func servable(model: String, version: ServingVersionSelector) async throws -> any ServableVersion {
      try await inner.servable(model: model, version: version)
    }

    func status(model: String, version: Int64?) async throws -> [ServingVersionStatus] {
      try await inner.status(model: model, version: version)
    }

    func finished(_ call: ServingCall) { calls.withLock { $0.append(call) } }
  }

  @Test("a predict, a failed predict, a status and an unimplemented call are each reported once")
  func reported() async throws {
    let backend = RecordingBackend(try FixtureBackend.make())
    let request = try Tensorflow_Serving_PredictRequest(decoding: Golden.bytes("predict_keras2_mlp.pb"))
    var unknown = request
    unknown.modelSpec.name = "made-up-name"
    var status = Tensorflow_Serving_GetModelStatusRequest()
    status.modelSpec.name = "keras2_mlp"
    let (made, statusRequest) = (unknown, status)
    try await withServingServer(backend: backend) { clients in
      _ = try await clients.prediction.predict(request)
      await #expect(throws: RPCError.self) { _ = try await clients.prediction.predict(made) }
      _ = try await clients.model.getModelStatus(statusRequest)
      await #expect(throws: RPCError.self) {
        _ = try await clients.prediction.multiInference(Tensorflow_Serving_MultiInferenceRequest())
      }
    }
    let calls = backend.calls.withLock { $0 }
    try #require(calls.count == 4)
    #expect(calls[0].api == "predict")
    #expect(calls[0].model == "keras2_mlp")
    #expect(calls[0].version == 1)
    #expect(calls[0].signature == "serving_default")
    #expect(calls[0].code == 0 && calls[0].codeName == "OK" && calls[0].message == nil)
    #expect(calls[0].duration > .zero)

    #expect(calls[1].api == "predict")
    #expect(calls[1].model == "" && calls[1].version == nil && calls[1].signature == "")
    #expect(calls[1].codeName == "NOT_FOUND")
    #expect(calls[1].message?.contains("made-up-name") == true)

    #expect(calls[2].api == "status" && calls[2].model == "keras2_mlp" && calls[2].codeName == "OK")
    #expect(calls[3].api == "multi_inference" && calls[3].codeName == "UNIMPLEMENTED")
  }
}
