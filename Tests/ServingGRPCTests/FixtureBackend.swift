import Foundation
import Inference
import RegistryCore
import RegistryTestSupport
import ServingGRPC
import TFProto
import TensorKernels

/// A `ServingBackend` over real fixtures loaded by the inference core, with TensorFlow Serving's
/// not-found and unknown-label errors, so the services are tested against a real model end to end.
///
/// keras2_mlp also serves a `classify` and a `regress` signature in TensorFlow Serving's example
/// convention. The inference core has no `ParseExample` op yet, so this backend parses each
/// serialized Example itself (feature `features`, four floats) and runs `serving_default` on the
/// rows: classes "0", "1", "2" with the softmax as scores, and the first probability as the
/// regression value. Everything around it (the wire, the service's checks, the context merge,
/// the result shapes) is what production runs.
struct FixtureBackend: ServingBackend {
  struct Model {
    var versions: [Int64: FixtureServable] = [:]
    var labels: [String: Int64] = [:]
    /// Versions that failed to load, with their error.
    var failed: [Int64: ServingError] = [:]
  }

  let models: [String: Model]

  /// keras2_mlp versions 1 and 3 (3 is `stable`; version 2 "failed to load"), string_lookup
  /// version 1 as `stable`, module_two_signatures version 2.
  static func make() throws -> FixtureBackend {
    let mlp = try LoadedModel(directory: Repository.Fixtures.model("keras2_mlp"))
    let lookup = try LoadedModel(directory: Repository.Fixtures.model("string_lookup"))
    let module = try LoadedModel(directory: Repository.Fixtures.model("module_two_signatures"))
    return FixtureBackend(models: [
      "keras2_mlp": Model(
        versions: [
          1: FixtureServable(model: "keras2_mlp", version: 1, loaded: mlp, servesExamples: true),
          3: FixtureServable(model: "keras2_mlp", version: 3, loaded: mlp, servesExamples: true),
        ],
        labels: ["stable": 3], failed: [2: ServingError(.corrupted, "variables.data-00000-of-00001: CRC32C mismatch")]),
      "string_lookup": Model(
        versions: [1: FixtureServable(model: "string_lookup", version: 1, loaded: lookup)], labels: ["stable": 1]),
      "module_two_signatures": Model(
        versions: [2: FixtureServable(model: "module_two_signatures", version: 2, loaded: module)]),
    ])
  }

  func servable(model: String, version: ServingVersionSelector) async throws -> any ServableVersion {
    guard let entry = models[model] else {
      throw ServingError(.notFound, "Servable not found for request: \(version.servableRequest(model: model))")
    }
    let number: Int64?
    switch version {
    case .latest: number = entry.versions.keys.max()
    case .number(let value): number = value
    case .label(let label):
      guard let value = entry.labels[label] else {
        throw ServingError(.invalidArgument, "Unrecognized servable version label: \(label)")
      }
      number = value
    }
    guard let number, let servable = entry.versions[number] else {
      throw ServingError(.notFound, "Servable not found for request: \(version.servableRequest(model: model))")
    }
    return servable
  }

  func status(model: String, version: Int64?) async throws -> [ServingVersionStatus] {
    guard let entry = models[model] else {
      throw ServingError(.notFound, "Could not find any versions of model \(model)")
    }
    var all = entry.versions.keys.map { ServingVersionStatus(version: $0, state: .available) }
    all += entry.failed.map { ServingVersionStatus(version: $0.key, state: .end, error: $0.value) }
    all.sort { $0.version > $1.version }
    guard let version else { return all }
    guard let one = all.first(where: { $0.version == version }) else {
      throw ServingError(.notFound, "Could not find version \(version) of model \(model)")
    }
    return [one]
  }
}

struct FixtureServable: ServableVersion {
  let model: String
  let version: Int64
  let loaded: LoadedModel
  let signatures: [String: ServingSignature]

  init(model: String, version: Int64, loaded: LoadedModel, servesExamples: Bool = false) {
    self.model = model
    self.version = version
    self.loaded = loaded
    var signatures = LoadedModelServable.signatures(of: loaded)
    if servesExamples {
      let examples = ["inputs": ServingTensorInfo(tensorName: "examples:0", dtype: .string, shape: [-1])]
      signatures["classify"] = ServingSignature(
        methodName: "tensorflow/serving/classify", inputs: examples,
        outputs: [
          "classes": ServingTensorInfo(dtype: .string, shape: [-1, 3]),
          "scores": ServingTensorInfo(dtype: .float32, shape: [-1, 3]),
        ])
      signatures["regress"] = ServingSignature(
        methodName: "tensorflow/serving/regress", inputs: examples,
        outputs: ["outputs": ServingTensorInfo(dtype: .float32, shape: [-1, 1])])
    }
    self.signatures = signatures
  }

  func run(signature: String, inputs: [String: Tensor], outputs: [String]) async throws -> [String: Tensor] {
    switch signature {
    case "classify":
      let probabilities = try probabilities(forExamples: inputs)
      let rows = probabilities.shape[0]
      let classes = Tensor(strings: (0..<rows).flatMap { _ in ["0", "1", "2"] }, shape: [rows, 3])
      return ["classes": classes, "scores": probabilities]
    case "regress":
      let probabilities = try probabilities(forExamples: inputs)
      let values = try probabilities.floats()
      let rows = probabilities.shape[0]
      return ["outputs": Tensor(float32: (0..<rows).map { values[$0 * 3] }, shape: [rows, 1])]
    default:
      return try await LoadedModelServable(model: model, version: version, loaded: loaded).run(
        signature: signature, inputs: inputs, outputs: outputs)
    }
  }

  /// Parses the serialized Examples (the job of `ParseExample` in a real classify graph) and runs
  /// the MLP on their `features`.
  private func probabilities(forExamples inputs: [String: Tensor]) throws -> Tensor {
    let records = try required(inputs["inputs"], "input \"inputs\"").strings()
    var rows: [Float] = []
    for record in records {
      let example = try Tensorflow_Example(decoding: record)
      let values = try required(example.features.feature["features"], "feature \"features\"").floatList.value
      guard values.count == 4 else { throw ServingError(.invalidArgument, "feature \"features\" needs 4 floats") }
      rows += values
    }
    let outputs = try loaded.run(inputs: ["features": Tensor(float32: rows, shape: [records.count, 4])])
    return try required(outputs["probs"], "output \"probs\"")
  }
}

/// `value`, or an error naming what is missing.
func required<Value>(_ value: Value?, _ what: String) throws -> Value {
  guard let value else { throw ServingError(.invalidArgument, "\(what) is missing") }
  return value
}
