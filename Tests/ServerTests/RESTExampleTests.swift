import Foundation
import Hummingbird
import HummingbirdTesting
import Registry
import RegistryTestSupport
import TFProto
import TensorIO
import TensorKernels
import Testing

@testable import Server

/// `:classify` and `:regress` over a store holding `example_classifier`, a TF1 graph that parses
/// `tf.Example`s with TensorFlow Serving's classify and regress signatures: the fixture's
/// serialized examples are sent as TensorFlow Serving's JSON examples, and the answers must be
/// TensorFlow's reference outputs.
@Suite("registry serve: REST classify and regress", .serialized)
struct RESTExampleTests {
  typealias Shared = RESTServerTests

  let server: ModelServer

  init() async throws {
    let root = try makeTemporaryDirectory("serve-examples")
    let registry = try Registry(root: root.appendingPathComponent("store"))
    _ = try registry.push(try Repository.Fixtures.model("example_classifier"), PushOptions(model: "ex"))
    _ = try registry.push(try Repository.Fixtures.model("tf1_builder"), PushOptions(model: "tf1"))
    var configuration = ModelServer.Configuration()
    configuration.workers = 2
    configuration.limits = RESTRoutes.Limits(maxBodyBytes: 1 << 20, requestTimeout: .seconds(300))
    server = ModelServer(registry: registry, configuration: configuration)
    await server.manager.refresh(force: true)
  }

  func withClient(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
    defer { server.manager.queue.stop() }
    let application = Application(router: server.makeRouter())
    try await application.test(.router) { client in try await body(client) }
  }

  /// The fixture's serialized examples for `signature`, each as a JSON example object. Concatenated
  /// records (a context's bytes, then the record's) decode as protobuf merges them, so the JSON
  /// carries what the graph saw.
  static func jsonExamples(_ signature: String) throws -> [String] {
    let records = try Shared.reference("example_classifier", "inputs", signature, "inputs").strings()
    return try records.map { try jsonExample(Tensorflow_Example(serializedBytes: $0)) }
  }

  static func jsonExample(_ example: Tensorflow_Example) -> String {
    let features = example.features.feature.sorted { $0.key < $1.key }.map { name, feature in
      var writer = ServingJSONWriter()
      writer.quoted(name)
      let values: [String] =
        switch feature.kind {
        case .bytesList(let list)?: list.value.map { #"{"b64": "\#($0.base64EncodedString())"}"# }
        // A float must read back as a float: "%.9g" is exact, and a point or exponent marks it.
        case .floatList(let list)?:
          list.value.map { value in
            let text = String(format: "%.9g", Double(value))
            return text.contains(".") || text.contains("e") ? text : text + ".0"
          }
        case .int64List(let list)?: list.value.map(String.init)
        case nil: []
        }
      return writer.string + ": [" + values.joined(separator: ", ") + "]"
    }
    return "{" + features.joined(separator: ", ") + "}"
  }

  @Test("classify answers TensorFlow's classes and scores, per example")
  func classify() async throws {
    let examples = try Self.jsonExamples("classify")
    let classes = try Shared.reference("example_classifier", "outputs", "classify", "classes").strings()
    let scores = try Shared.reference("example_classifier", "outputs", "classify", "scores")
    let body = #"{"signature_name": "classify", "examples": [\#(examples.joined(separator: ", "))]}"#
    try await withClient { client in
      let response = try await Shared.post(client, "/v1/models/ex:classify", body)
      #expect(response.status == .ok, "\(Shared.text(response.body))")
      let results = try #require(try Shared.json(response)["results"] as? [[[Any]]])
      #expect(results.count == examples.count)
      let labels = results.flatMap { $0.map { $0[0] as? String } }
      #expect(labels == classes.map { String(decoding: $0, as: UTF8.self) })
      try Shared.expectClose(results.flatMap { $0.map { ($0[1] as? NSNumber)?.floatValue ?? .nan } }, scores, "scores")
    }
  }

  @Test("regress answers TensorFlow's values; labels and versions resolve as for predict")
  func regress() async throws {
    let examples = try Self.jsonExamples("regress")
    let expected = try Shared.reference("example_classifier", "outputs", "regress", "outputs")
    let body = #"{"signature_name": "regress", "examples": [\#(examples.joined(separator: ", "))]}"#
    try await withClient { client in
      for uri in ["/v1/models/ex:regress", "/v1/models/ex/versions/1:REGRESS"] {
        let response = try await Shared.post(client, uri, body)
        #expect(response.status == .ok, "\(uri): \(Shared.text(response.body))")
        let results = try #require(try Shared.json(response)["results"] as? [Any])
        try Shared.expectClose(Shared.flatten(results), expected, uri)
      }
    }
  }

  @Test("a context's features reach every example; an example's own feature wins over the context's")
  func context() async throws {
    let records = try Shared.reference("example_classifier", "inputs", "regress", "inputs").strings()
    let expected = try Shared.reference("example_classifier", "outputs", "regress", "outputs").floats()
    let first = try Tensorflow_Example(serializedBytes: records[0])
    let second = try Tensorflow_Example(serializedBytes: records[1])
    // Context: the first record. Examples: nothing of their own (→ the first record's answer),
    // and the whole second record, which overrides every context feature it names.
    var overriding = first
    for (name, feature) in second.features.feature { overriding.features.feature[name] = feature }
    let body =
      #"{"signature_name": "regress", "context": \#(Self.jsonExample(first)), "#
      + #""examples": [{}, \#(Self.jsonExample(second))]}"#
    let alone = #"{"signature_name": "regress", "examples": [\#(Self.jsonExample(overriding))]}"#
    try await withClient { client in
      let response = try await Shared.post(client, "/v1/models/ex:regress", body)
      #expect(response.status == .ok, "\(Shared.text(response.body))")
      let results = Shared.flatten(try Shared.json(response)["results"] as Any)
      try #require(results.count == 2)
      #expect(abs(results[0] - expected[0]) <= 1e-5 + 1e-4 * abs(expected[0]))
      // The merged second example answers as the same features sent without a context.
      let merged = try await Shared.post(client, "/v1/models/ex:regress", alone)
      #expect(Shared.flatten(try Shared.json(merged)["results"] as Any) == [results[1]])
    }
  }

  @Test("errors: wrong signature kind, missing examples, mixed kinds are 400; unknown model 404")
  func errors() async throws {
    try await withClient { client in
      let predictOnly = try await Shared.post(client, "/v1/models/tf1:classify", #"{"examples": [{"x": 1.0}]}"#)
      #expect(predictOnly.status == .badRequest)
      #expect(
        Shared.text(predictOnly.body).contains(
          "Expected classification signature method_name to be tensorflow/serving/classify. Was: tensorflow/serving/predict"
        ))
      let regressAsClassify = try await Shared.post(
        client, "/v1/models/ex:classify", #"{"signature_name": "regress", "examples": [{}]}"#)
      #expect(regressAsClassify.status == .badRequest)
      let missing = try await Shared.post(client, "/v1/models/ex:regress", #"{"instances": [1]}"#)
      #expect(missing.status == .badRequest)
      #expect(
        Shared.text(missing.body).contains("When method is regress, key 'examples' is expected and was not found"))
      let mixed = try await Shared.post(client, "/v1/models/ex:classify", #"{"examples": [{"age": [1, 2.5]}]}"#)
      #expect(mixed.status == .badRequest)
      #expect(Shared.text(mixed.body).contains("Unexpected element type in feature: age expecting type: int64"))
      let unknown = try await Shared.post(client, "/v1/models/nope:classify", #"{"examples": [{}]}"#)
      #expect(unknown.status == .notFound)
    }
  }
}
