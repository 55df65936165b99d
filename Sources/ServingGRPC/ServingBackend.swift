import RegistryCore
import TensorKernels

/// What the gRPC services need from whatever holds the loaded models: the served-model manager of
/// `registry serve`, or a test's fixture.
///
/// The services do TensorFlow Serving's protocol work (checking a request against the signature,
/// converting tensors, building classification and regression results); the backend only resolves
/// versions, reports their state and runs signatures. Errors it throws should be
/// `CategorizedError`s: their category becomes the gRPC status (`ErrorCategory.canonicalCode`),
/// their message the status message. TensorFlow Serving's choices, which a backend should keep:
/// an unknown model or version is `notFound` ("Servable not found for request: Latest(m)"), an
/// unknown label `invalidArgument` ("Unrecognized servable version label: x").
public protocol ServingBackend: Sendable {
  /// A loaded version of `model`, pinned for the duration of one request: a label that moves or
  /// a version that unloads meanwhile does not change which version answers.
  ///
  /// - Throws: `notFound` for an unknown model or version, `invalidArgument` for an unknown label,
  ///   `unavailable` for a version that is not loaded yet.
  func servable(model: String, version: ServingVersionSelector) async throws -> any ServableVersion

  /// Every version of `model` the server knows of (loading, available, failed, unloaded), newest
  /// first, or only `version` when it is given.
  ///
  /// - Throws: `notFound` when the model, or the given version, is unknown.
  func status(model: String, version: Int64?) async throws -> [ServingVersionStatus]

  /// Called once per call when it is answered, successfully or not: the place for metrics and
  /// request logs. Must not block.
  func finished(_ call: ServingCall)
}

extension ServingBackend {
  /// Records nothing.
  public func finished(_ call: ServingCall) {}
}

/// One loaded version of a model: its signatures, and a way to run them.
public protocol ServableVersion: Sendable {
  /// The model's name.
  var model: String { get }
  /// The version number.
  var version: Int64 { get }
  /// Every signature the version serves, by key.
  var signatures: [String: ServingSignature] { get }

  /// Runs one signature.
  ///
  /// - Parameters:
  ///   - signature: a key of `signatures`.
  ///   - inputs: one tensor per signature input, by input key.
  ///   - outputs: the output keys wanted; the result must hold at least these.
  /// - Returns: tensors by output key.
  func run(signature: String, inputs: [String: Tensor], outputs: [String]) async throws -> [String: Tensor]
}

/// Which version of a model a request names (TensorFlow Serving's `ModelSpec.version_choice`).
public enum ServingVersionSelector: Sendable, Hashable {
  /// The newest available version.
  case latest
  /// A version number.
  case number(Int64)
  /// A label; in the registry, an alias.
  case label(String)

  /// The request as TensorFlow Serving names it in "Servable not found for request: …":
  /// `Latest(m)`, `Specific(m, 3)`; a label, which TensorFlow Serving resolves before it gets
  /// that far, as `Label(m, stable)`.
  public func servableRequest(model: String) -> String {
    switch self {
    case .latest: "Latest(\(model))"
    case .number(let version): "Specific(\(model), \(version))"
    case .label(let label): "Label(\(model), \(label))"
    }
  }
}

/// A signature as metadata describes it (TensorFlow's `SignatureDef`, without defaults).
public struct ServingSignature: Sendable, Equatable {
  /// `tensorflow/serving/predict`, `…/classify` or `…/regress` (or empty, for TF2 functions).
  public var methodName: String
  public var inputs: [String: ServingTensorInfo]
  public var outputs: [String: ServingTensorInfo]

  public init(methodName: String, inputs: [String: ServingTensorInfo], outputs: [String: ServingTensorInfo]) {
    self.methodName = methodName
    self.inputs = inputs
    self.outputs = outputs
  }
}

/// One input or output of a signature (TensorFlow's `TensorInfo`).
public struct ServingTensorInfo: Sendable, Equatable {
  /// The graph tensor, e.g. `serving_default_x:0`; empty when the backend does not know it.
  public var tensorName: String
  public var dtype: DType
  /// `nil` for unknown rank; `-1` for an unknown dimension.
  public var shape: [Int]?

  public init(tensorName: String = "", dtype: DType, shape: [Int]?) {
    self.tensorName = tensorName
    self.dtype = dtype
    self.shape = shape
  }
}

/// Where one version of a model is in its life (TensorFlow Serving's `ModelVersionStatus`).
public struct ServingVersionStatus: Sendable, Equatable {
  /// The states, with TensorFlow Serving's numbers.
  public enum State: Int, Sendable, Equatable {
    case unknown = 0
    case start = 10
    case loading = 20
    case available = 30
    case unloading = 40
    case end = 50
  }

  public var version: Int64
  public var state: State
  /// Why the version failed to load (or stopped serving); `nil` when all is well.
  public var error: ServingError?

  public init(version: Int64, state: State, error: ServingError? = nil) {
    self.version = version
    self.state = state
    self.error = error
  }
}
