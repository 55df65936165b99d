import Inference
import Registry
import RegistryCore

/// Which version of a model a request asks for: TensorFlow Serving's `ModelSpec` version
/// choice (none, `version`, or `version_label`).
public enum VersionRequest: Sendable, Equatable, CustomStringConvertible {
  /// The newest AVAILABLE version.
  case latest
  case number(Int64)
  /// A label: one of the model's aliases in the store.
  case label(String)

  /// As TensorFlow Serving names a request in "Servable not found for request: …".
  public var description: String {
    switch self {
    case .latest: "Latest"
    case .number(let number): "Specific(\(number))"
    case .label(let label): "Label(\(label))"
    }
  }
}

/// A version's state, TensorFlow Serving's `ModelVersionStatus.State`.
public enum ServableState: String, Sendable, Codable {
  case unknown = "UNKNOWN"
  case start = "START"
  case loading = "LOADING"
  case available = "AVAILABLE"
  case unloading = "UNLOADING"
  case end = "END"
}

/// One version's state as the status API reports it.
public struct VersionStatus: Sendable, Equatable {
  public let version: Int
  public let state: ServableState
  /// Why loading failed (the version is then END), or nil.
  public let error: ServerError?

  public static func == (lhs: VersionStatus, rhs: VersionStatus) -> Bool {
    lhs.version == rhs.version && lhs.state == rhs.state && lhs.error?.message == rhs.error?.message
      && lhs.error?.category == rhs.error?.category
  }
}

/// Which versions of each model to serve (`--versions`). Every policy also serves the versions
/// that aliases point at, since a label may only point at a loaded version.
public enum VersionPolicy: Sendable, Equatable, CustomStringConvertible {
  /// The newest `count` versions.
  case latest(Int)
  case all
  /// Only the versions aliases point at.
  case aliased

  /// Parses `latest`, `latest:N`, `all` or `aliased`.
  public init(parsing text: String) throws(ServerError) {
    switch text {
    case "latest": self = .latest(1)
    case "all": self = .all
    case "aliased": self = .aliased
    default:
      guard text.hasPrefix("latest:"), let count = Int(text.dropFirst("latest:".count)), count > 0 else {
        throw ServerError(
          .invalidArgument, "--versions takes latest, latest:N (N > 0), all or aliased, got \"\(text)\"")
      }
      self = .latest(count)
    }
  }

  public var description: String {
    switch self {
    case .latest(1): "latest"
    case .latest(let count): "latest:\(count)"
    case .all: "all"
    case .aliased: "aliased"
    }
  }

  /// The version numbers to serve, out of a model's live versions and its aliases.
  func select(live: [Int], aliases: [String: Int]) -> Set<Int> {
    let sorted = live.sorted()
    var chosen = Set(aliases.values.filter { sorted.contains($0) })
    switch self {
    case .latest(let count): chosen.formUnion(sorted.suffix(count))
    case .all: chosen.formUnion(sorted)
    case .aliased: break
    }
    return chosen
  }
}

/// One loaded version: what a request runs and what the metadata API describes. In-flight
/// requests hold it, so a version unloaded during a call finishes that call first.
public final class ServedVersion: Sendable {
  public let model: String
  public let version: Int
  public let loaded: LoadedModel
  /// Every signature of the serving meta graph as the catalog records it, with tensor names,
  /// `__saved_model_init_op` included (the metadata API lists them all, as TensorFlow Serving does).
  public let signatureDefs: [VersionDetail.Signature]
  /// Seconds from the start of loading to AVAILABLE (load and warm-up).
  public let loadSeconds: Double

  init(model: String, version: Int, loaded: LoadedModel, signatureDefs: [VersionDetail.Signature], loadSeconds: Double)
  {
    self.model = model
    self.version = version
    self.loaded = loaded
    self.signatureDefs = signatureDefs
    self.loadSeconds = loadSeconds
  }

  /// A signature by key, or TensorFlow Serving's error.
  ///
  /// - Throws: `invalidArgument` `Serving signature name: "x" not found in signature def`.
  public func signature(_ key: String) throws(ServerError) -> LoadedModel.Signature {
    guard let signature = loaded.signatures[key] else {
      throw ServerError(.invalidArgument, "Serving signature name: \"\(key)\" not found in signature def")
    }
    return signature
  }
}

/// One model's versions and labels, for `GET /v1/models` and `/readyz`.
public struct ModelStatus: Sendable {
  public let name: String
  public let versions: [VersionStatus]
  public let labels: [String: Int]
}
