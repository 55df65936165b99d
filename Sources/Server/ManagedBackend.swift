import Inference
import ServingGRPC
import TensorKernels

/// The gRPC services' view of the served models: the same versions, labels, queue and deadline
/// as REST, so a request answers the same whichever API it came by.
struct ManagedBackend: ServingBackend {
  let manager: ModelManager
  /// How long one call may wait for a worker and run (REST's `--request-timeout`).
  let requestTimeout: Duration
  /// Where answered calls are counted and logged, as REST's are.
  let recorder: RequestRecorder

  /// The gRPC codes that are the server's fault: UNKNOWN, DEADLINE_EXCEEDED, INTERNAL,
  /// UNAVAILABLE, DATA_LOSS (the ones REST answers with a 5xx other than 501).
  private static let serverFaults: Set<Int> = [2, 4, 13, 14, 15]

  func servable(model: String, version: ServingVersionSelector) async throws -> any ServableVersion {
    let request: VersionRequest =
      switch version {
      case .latest: .latest
      case .number(let number): .number(number)
      case .label(let label): .label(label)
      }
    return ManagedServable(
      manager: manager, served: try manager.servable(model: model, version: request), requestTimeout: requestTimeout)
  }

  func finished(_ call: ServingCall) {
    recorder.record(
      entrypoint: "gRPC", api: call.api, model: call.model, version: call.version.map { Int($0) },
      signature: call.signature, status: call.codeName, serverFault: Self.serverFaults.contains(call.code),
      message: call.message, duration: call.duration)
  }

  func status(model: String, version: Int64?) async throws -> [ServingVersionStatus] {
    try manager.status(model: model, version: version).map { status in
      ServingVersionStatus(version: Int64(status.version), state: status.state.grpcState, error: status.error)
    }
  }
}

/// One pinned version, running its calls through the manager's inference queue with the REST
/// API's request deadline.
struct ManagedServable: ServableVersion {
  let manager: ModelManager
  let served: ServedVersion
  let requestTimeout: Duration

  var model: String { served.model }
  var version: Int64 { Int64(served.version) }

  /// The signatures as the inference core runs them, with the graph tensor names the catalog
  /// recorded (metadata shows them, as TensorFlow Serving does).
  var signatures: [String: ServingSignature] {
    var signatures = LoadedModelServable.signatures(of: served.loaded)
    for definition in served.signatureDefs {
      guard var signature = signatures[definition.key] else { continue }
      for tensor in definition.inputs { signature.inputs[tensor.name]?.tensorName = tensor.tensorName }
      for tensor in definition.outputs { signature.outputs[tensor.name]?.tensorName = tensor.tensorName }
      signatures[definition.key] = signature
    }
    return signatures
  }

  func run(signature: String, inputs: [String: Tensor], outputs: [String]) async throws -> [String: Tensor] {
    let deadline = ContinuousClock.now + requestTimeout
    return try await manager.run(served, signature: signature, inputs: inputs, deadline: deadline).outputs
  }
}

extension ServableState {
  /// The same state under the gRPC module's name (TensorFlow Serving's numbers).
  var grpcState: ServingVersionStatus.State {
    switch self {
    case .unknown: .unknown
    case .start: .start
    case .loading: .loading
    case .available: .available
    case .unloading: .unloading
    case .end: .end
    }
  }
}
