import GRPCCore
import RegistryCore
import ServingProto
import SwiftProtobuf
import TFProto
import TensorKernels

/// `tensorflow.serving.PredictionService`: Predict, GetModelMetadata, Classify and Regress over a
/// `ServingBackend`, with TensorFlow Serving's checks and messages. MultiInference answers
/// UNIMPLEMENTED.
///
/// Format reference: `Protos/tensorflow_serving/apis/prediction_service.proto`; behaviour from
/// TensorFlow Serving's `predict_util.cc`, `classifier.cc`, `regressor.cc` and
/// `get_model_metadata_impl.cc` (docs/serve-grpc.md).
public struct PredictionService: Tensorflow_Serving_PredictionService.SimpleServiceProtocol {
  let backend: any ServingBackend

  public init(backend: any ServingBackend) {
    self.backend = backend
  }

  // MARK: Predict

  public func predict(
    request: Tensorflow_Serving_PredictRequest, context: ServerContext
  ) async throws -> Tensorflow_Serving_PredictResponse {
    try await answering("predict", backend) { call in
      try requireModelSpec(request.hasModelSpec)
      let servable = try await backend.servable(model: request.modelSpec.name, version: request.modelSpec.selector)
      call.answered(by: servable)
      let key = request.modelSpec.signatureKey
      guard let signature = servable.signatures[key] else {
        throw ServingError(.failedPrecondition, "Serving signature key \"\(key)\" not found.")
      }
      let inputs = try Self.inputs(of: request, for: signature)
      let outputs = try Self.outputKeys(request.outputFilter, of: signature)
      let results = try await servable.run(signature: key, inputs: inputs, outputs: outputs)
      var response = Tensorflow_Serving_PredictResponse()
      response.modelSpec = .answered(by: servable, signature: key)
      call.signature = key
      for output in outputs {
        guard let tensor = results[output] else {
          throw ServingError(.internal, "signature \(key) returned no output \"\(output)\"")
        }
        response.outputs[output] = TensorProtoCodec.proto(from: tensor)
      }
      return response
    }
  }

  /// The request's tensors, decoded and checked against the signature: the same input names,
  /// and each of the signature's dtype.
  static func inputs(
    of request: Tensorflow_Serving_PredictRequest, for signature: ServingSignature
  ) throws(ServingError) -> [String: Tensor] {
    let sent = Set(request.inputs.keys)
    let expected = Set(signature.inputs.keys)
    guard sent == expected else {
      let extra = sent.subtracting(expected).sorted()
      let missing = expected.subtracting(sent).sorted()
      throw ServingError(
        .invalidArgument,
        "input size does not match signature: \(sent.count)!=\(expected.count) len({\(sent.sorted().joined(separator: ","))}) "
          + "!= len({\(expected.sorted().joined(separator: ","))}). Sent extra: {\(extra.joined(separator: ","))}. "
          + "Missing but required: {\(missing.joined(separator: ","))}.")
    }
    var inputs: [String: Tensor] = [:]
    for (name, proto) in request.inputs.sorted(by: { $0.key < $1.key }) {
      let tensor = try TensorProtoCodec.tensor(from: proto, name: "input \"\(name)\"")
      if let info = signature.inputs[name], info.dtype != tensor.dtype {
        throw ServingError(
          .invalidArgument,
          "input \"\(name)\" must be \(info.dtype.tensorFlowName), got \(tensor.dtype.tensorFlowName)")
      }
      inputs[name] = tensor
    }
    return inputs
  }

  /// The outputs to return: the filter, each checked to be an output of the signature and not
  /// repeated, or every output when the filter is empty.
  static func outputKeys(_ filter: [String], of signature: ServingSignature) throws(ServingError) -> [String] {
    guard !filter.isEmpty else { return signature.outputs.keys.sorted() }
    var seen = Set<String>()
    for alias in filter {
      guard signature.outputs[alias] != nil else {
        throw ServingError(
          .invalidArgument,
          "output tensor alias not found in signature: \(alias) Outputs expected to be in the set "
            + "{\(signature.outputs.keys.sorted().joined(separator: ","))}.")
      }
      guard seen.insert(alias).inserted else {
        throw ServingError(.invalidArgument, "duplicate output tensor alias: \(alias)")
      }
    }
    return filter
  }

  // MARK: GetModelMetadata

  /// The only metadata field TensorFlow Serving (and we) know.
  static let signatureDefField = "signature_def"

  public func getModelMetadata(
    request: Tensorflow_Serving_GetModelMetadataRequest, context: ServerContext
  ) async throws -> Tensorflow_Serving_GetModelMetadataResponse {
    try await answering("metadata", backend) { call in
      try requireModelSpec(request.hasModelSpec)
      guard !request.metadataField.isEmpty else {
        throw ServingError(.invalidArgument, "GetModelMetadataRequest must specify at least one metadata_field")
      }
      for field in request.metadataField where field != Self.signatureDefField {
        throw ServingError(.invalidArgument, "Metadata field \(field) is not supported")
      }
      let servable = try await backend.servable(model: request.modelSpec.name, version: request.modelSpec.selector)
      call.answered(by: servable)
      var map = Tensorflow_Serving_SignatureDefMap()
      for (key, signature) in servable.signatures {
        map.signatureDef[key] = Self.signatureDef(signature)
      }
      var response = Tensorflow_Serving_GetModelMetadataResponse()
      response.modelSpec = .answered(by: servable, signature: nil)
      do {
        response.metadata[Self.signatureDefField] = try Google_Protobuf_Any(message: map)
      } catch {
        throw ServingError(.internal, "cannot pack the signature map: \(error)")
      }
      return response
    }
  }

  /// A signature as TensorFlow's `SignatureDef`.
  static func signatureDef(_ signature: ServingSignature) -> Tensorflow_SignatureDef {
    var definition = Tensorflow_SignatureDef()
    definition.methodName = signature.methodName
    definition.inputs = signature.inputs.mapValues(tensorInfo)
    definition.outputs = signature.outputs.mapValues(tensorInfo)
    return definition
  }

  static func tensorInfo(_ info: ServingTensorInfo) -> Tensorflow_TensorInfo {
    var proto = Tensorflow_TensorInfo()
    proto.name = info.tensorName
    proto.dtype = Tensorflow_DataType(rawValue: info.dtype.rawValue) ?? .dtInvalid
    if let shape = info.shape {
      proto.tensorShape.dim = shape.map { size in
        var dim = Tensorflow_TensorShapeProto.Dim()
        dim.size = Int64(size)
        return dim
      }
    } else {
      proto.tensorShape.unknownRank = true
    }
    return proto
  }

  // MARK: Classify and Regress

  public func classify(
    request: Tensorflow_Serving_ClassificationRequest, context: ServerContext
  ) async throws -> Tensorflow_Serving_ClassificationResponse {
    try await answering("classify", backend) { call in
      try requireModelSpec(request.hasModelSpec)
      let servable = try await backend.servable(model: request.modelSpec.name, version: request.modelSpec.selector)
      call.answered(by: servable)
      let key = request.modelSpec.signatureKey
      let result = try await ExampleSignatures.classify(servable, signature: key, input: request.input)
      var response = Tensorflow_Serving_ClassificationResponse()
      response.modelSpec = .answered(by: servable, signature: key)
      call.signature = key
      response.result = result
      return response
    }
  }

  public func regress(
    request: Tensorflow_Serving_RegressionRequest, context: ServerContext
  ) async throws -> Tensorflow_Serving_RegressionResponse {
    try await answering("regress", backend) { call in
      try requireModelSpec(request.hasModelSpec)
      let servable = try await backend.servable(model: request.modelSpec.name, version: request.modelSpec.selector)
      call.answered(by: servable)
      let key = request.modelSpec.signatureKey
      let result = try await ExampleSignatures.regress(servable, signature: key, input: request.input)
      var response = Tensorflow_Serving_RegressionResponse()
      response.modelSpec = .answered(by: servable, signature: key)
      call.signature = key
      response.result = result
      return response
    }
  }

  // MARK: MultiInference

  public func multiInference(
    request: Tensorflow_Serving_MultiInferenceRequest, context: ServerContext
  ) async throws -> Tensorflow_Serving_MultiInferenceResponse {
    try await answering("multi_inference", backend) { _ in
      throw RPCError(
        code: .unimplemented,
        message: "MultiInference is not supported by this server; call Classify or Regress per task")
    }
  }
}
