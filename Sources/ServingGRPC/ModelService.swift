import GRPCCore
import RegistryCore
import ServingProto
import TFProto

/// `tensorflow.serving.ModelService`: GetModelStatus over a `ServingBackend`.
/// HandleReloadConfigRequest answers UNIMPLEMENTED: the models served follow the store's catalog,
/// not a config pushed over gRPC.
///
/// Format reference: `Protos/tensorflow_serving/apis/model_service.proto`; behaviour from
/// TensorFlow Serving's `get_model_status_impl.cc` (a label is not resolved: every version comes
/// back).
public struct ModelService: Tensorflow_Serving_ModelService.SimpleServiceProtocol {
  let backend: any ServingBackend

  public init(backend: any ServingBackend) {
    self.backend = backend
  }

  public func getModelStatus(
    request: Tensorflow_Serving_GetModelStatusRequest, context: ServerContext
  ) async throws -> Tensorflow_Serving_GetModelStatusResponse {
    try await answering("status", backend) { call in
      try requireModelSpec(request.hasModelSpec)
      var version: Int64?
      if case .version(let number) = request.modelSpec.versionChoice { version = number.value }
      let versions = try await backend.status(model: request.modelSpec.name, version: version)
      call.model = request.modelSpec.name
      var response = Tensorflow_Serving_GetModelStatusResponse()
      response.modelVersionStatus = versions.map(Self.versionStatus)
      return response
    }
  }

  static func versionStatus(_ status: ServingVersionStatus) -> Tensorflow_Serving_ModelVersionStatus {
    var proto = Tensorflow_Serving_ModelVersionStatus()
    proto.version = status.version
    proto.state = Tensorflow_Serving_ModelVersionStatus.State(rawValue: status.state.rawValue) ?? .unknown
    // TensorFlow Serving always sets the status, OK with an empty message when all is well.
    proto.status = Tensorflow_Serving_StatusProto()
    if let error = status.error {
      proto.status.errorCode = Tensorflow_Error_Code(rawValue: error.category.canonicalCode) ?? .internal
      proto.status.errorMessage = error.message
    }
    return proto
  }

  public func handleReloadConfigRequest(
    request: Tensorflow_Serving_ReloadConfigRequest, context: ServerContext
  ) async throws -> Tensorflow_Serving_ReloadConfigResponse {
    try await answering("reload_config", backend) { _ in
      throw RPCError(
        code: .unimplemented,
        message:
          "HandleReloadConfigRequest is not supported: the models served follow the store (registry serve --model)")
    }
  }
}
