import Registry
import RegistryCore
import TensorIO

/// The JSON bodies of the status, metadata and model-list answers, written as TensorFlow
/// Serving's proto-to-JSON printer writes them: snake_case fields, int64 values as strings,
/// default values printed.
///
/// Format reference: tensorflow/serving `apis/get_model_status.proto`,
/// `apis/get_model_metadata.proto`, `model_servers/http_rest_api_util.cc` (`ToJsonString`).
enum ServingJSONBodies {
  /// `{"model_version_status": [{"version": "3", "state": "AVAILABLE", "status": {...}}]}`.
  static func status(_ statuses: [VersionStatus]) -> [UInt8] {
    var writer = ServingJSONWriter()
    writer.raw("{\"model_version_status\":[")
    for (index, status) in statuses.enumerated() {
      if index > 0 { writer.raw(UInt8(ascii: ",")) }
      writer.raw("{\"version\":")
      writer.quoted(String(status.version))
      writer.raw(",\"state\":")
      writer.quoted(status.state.rawValue)
      writer.raw(",\"status\":{\"error_code\":")
      writer.quoted(status.error.map { canonicalName($0.category) } ?? "OK")
      writer.raw(",\"error_message\":")
      writer.quoted(status.error?.message ?? "")
      writer.raw("}}")
    }
    writer.raw("]}")
    return writer.bytes
  }

  /// `GetModelMetadataResponse` with its `signature_def` map, every signature of the serving meta
  /// graph included.
  static func metadata(_ served: ServedVersion) -> [UInt8] {
    var writer = ServingJSONWriter()
    writer.raw("{\"model_spec\":{\"name\":")
    writer.quoted(served.model)
    writer.raw(",\"signature_name\":\"\",\"version\":")
    writer.quoted(String(served.version))
    writer.raw("},\"metadata\":{\"signature_def\":{\"signature_def\":{")
    for (index, signature) in served.signatureDefs.sorted(by: { $0.key < $1.key }).enumerated() {
      if index > 0 { writer.raw(UInt8(ascii: ",")) }
      writer.quoted(signature.key)
      writer.raw(":{\"inputs\":")
      tensors(signature.inputs, into: &writer)
      writer.raw(",\"outputs\":")
      tensors(signature.outputs, into: &writer)
      writer.raw(",\"method_name\":")
      writer.quoted(signature.methodName)
      writer.raw(",\"defaults\":{}}")
    }
    writer.raw("}}}}")
    return writer.bytes
  }

  private static func tensors(_ tensors: [VersionDetail.SignatureTensor], into writer: inout ServingJSONWriter) {
    writer.raw(UInt8(ascii: "{"))
    for (index, tensor) in tensors.sorted(by: { $0.name < $1.name }).enumerated() {
      if index > 0 { writer.raw(UInt8(ascii: ",")) }
      writer.quoted(tensor.name)
      writer.raw(":{\"dtype\":")
      writer.quoted(tensor.dtype)
      writer.raw(",\"tensor_shape\":{\"dim\":[")
      for (position, size) in (tensor.shape ?? []).enumerated() {
        if position > 0 { writer.raw(UInt8(ascii: ",")) }
        writer.raw("{\"size\":")
        writer.quoted(String(size))
        writer.raw(",\"name\":\"\"}")
      }
      writer.raw("],\"unknown_rank\":")
      writer.raw(tensor.shape == nil ? "true" : "false")
      writer.raw("},\"name\":")
      writer.quoted(tensor.tensorName)
      writer.raw(UInt8(ascii: "}"))
    }
    writer.raw(UInt8(ascii: "}"))
  }

  /// Ours (`GET /v1/models`; TensorFlow Serving has no list, tensorflow/serving#795):
  /// `{"models": [{"name": "m", "versions": [{"version": "3", "state": "AVAILABLE"}], "labels": {"stable": "3"}}]}`.
  static func modelList(_ models: [ModelStatus]) -> [UInt8] {
    var writer = ServingJSONWriter()
    writer.raw("{\"models\":[")
    for (index, model) in models.enumerated() {
      if index > 0 { writer.raw(UInt8(ascii: ",")) }
      writer.raw("{\"name\":")
      writer.quoted(model.name)
      writer.raw(",\"versions\":[")
      for (position, version) in model.versions.enumerated() {
        if position > 0 { writer.raw(UInt8(ascii: ",")) }
        writer.raw("{\"version\":")
        writer.quoted(String(version.version))
        writer.raw(",\"state\":")
        writer.quoted(version.state.rawValue)
        if let error = version.error {
          writer.raw(",\"error\":")
          writer.quoted(error.message)
        }
        writer.raw(UInt8(ascii: "}"))
      }
      writer.raw("],\"labels\":{")
      for (position, label) in model.labels.sorted(by: { $0.key < $1.key }).enumerated() {
        if position > 0 { writer.raw(UInt8(ascii: ",")) }
        writer.quoted(label.key)
        writer.raw(UInt8(ascii: ":"))
        writer.quoted(String(label.value))
      }
      writer.raw("}}")
    }
    writer.raw("]}")
    return writer.bytes
  }

  /// The canonical code's name, as `error_code` prints it.
  static func canonicalName(_ category: ErrorCategory) -> String {
    switch category {
    case .invalidArgument: "INVALID_ARGUMENT"
    case .deadlineExceeded: "DEADLINE_EXCEEDED"
    case .notFound: "NOT_FOUND"
    case .alreadyExists: "ALREADY_EXISTS"
    case .permissionDenied: "PERMISSION_DENIED"
    case .resourceExhausted: "RESOURCE_EXHAUSTED"
    case .failedPrecondition: "FAILED_PRECONDITION"
    case .unsupported: "UNIMPLEMENTED"
    case .internal: "INTERNAL"
    case .unavailable: "UNAVAILABLE"
    case .corrupted: "DATA_LOSS"
    case .unauthenticated: "UNAUTHENTICATED"
    }
  }
}
