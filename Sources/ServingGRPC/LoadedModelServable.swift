import Inference
import TensorKernels

/// A version served by the registry's inference core: a `LoadedModel` as a `ServableVersion`.
///
/// The served-model manager wraps each version it loads in one of these; its `run` calls the
/// model on the calling task (the inference core is safe to call from many at once).
public struct LoadedModelServable: ServableVersion {
  public let model: String
  public let version: Int64
  public let loaded: LoadedModel
  public let signatures: [String: ServingSignature]

  public init(model: String, version: Int64, loaded: LoadedModel) {
    self.model = model
    self.version = version
    self.loaded = loaded
    self.signatures = Self.signatures(of: loaded)
  }

  /// The model's signatures as metadata describes them. The inference core does not keep each
  /// tensor's graph name, so `tensorName` is empty, and it hides `__saved_model_init_op`.
  public static func signatures(of loaded: LoadedModel) -> [String: ServingSignature] {
    func infos(_ specs: [LoadedModel.TensorSpec]) -> [String: ServingTensorInfo] {
      Dictionary(specs.map { ($0.name, ServingTensorInfo(dtype: $0.dtype, shape: $0.shape)) }) { first, _ in first }
    }
    return loaded.signatures.mapValues { signature in
      ServingSignature(
        methodName: signature.methodName, inputs: infos(signature.inputs), outputs: infos(signature.outputs))
    }
  }

  public func run(signature: String, inputs: [String: Tensor], outputs: [String]) async throws -> [String: Tensor] {
    try loaded.run(signature: signature, inputs: inputs)
  }
}
