import Foundation
import Hummingbird
import HummingbirdTesting
import NumPyFormat
import Registry
import RegistryTestSupport
import TensorIO
import TensorKernels
import TestModels
import Testing

@testable import Server

/// The REST API over a real store holding fixtures TensorFlow wrote, compared with TensorFlow's
/// own outputs (`Fixtures/NAME/reference/`), through Hummingbird's router test client.
///
/// The store: `tf1` (tf1_builder, one version); `ft` versions 1 (finetune_base) and 2
/// (finetune_head) with `stable` → 1; `two` (module_two_signatures); `broken` version 1, a
/// SavedModel with an op the inference core does not run.
@Suite("registry serve: REST API", .serialized)
struct RESTServerTests {
  static let tolerance = (relative: Float(1e-4), absolute: Float(1e-5))

  let registry: Registry
  let server: ModelServer

  init() async throws {
    let root = try makeTemporaryDirectory("serve")
    registry = try Registry(root: root.appendingPathComponent("store"))
    _ = try registry.push(try Repository.Fixtures.model("tf1_builder"), PushOptions(model: "tf1"))
    _ = try registry.push(try Repository.Fixtures.model("finetune_base"), PushOptions(model: "ft"))
    _ = try registry.push(try Repository.Fixtures.model("finetune_head"), PushOptions(model: "ft"))
    _ = try registry.setAlias("stable", model: "ft", version: 1, force: false)
    _ = try registry.push(try Repository.Fixtures.model("module_two_signatures"), PushOptions(model: "two"))
    let unsupported = root.appendingPathComponent("unsupported")
    try UnsupportedModel.write(to: unsupported)
    _ = try registry.push(unsupported, PushOptions(model: "broken"))
    var configuration = ModelServer.Configuration()
    configuration.workers = 2
    configuration.limits = RESTRoutes.Limits(maxBodyBytes: 4096, requestTimeout: .seconds(300))
    server = ModelServer(registry: registry, configuration: configuration)
    await server.manager.refresh(force: true)
  }

  /// Runs `body` against the server's router, and stops the inference workers afterwards.
  func withClient(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
    defer { server.manager.queue.stop() }
    let application = Application(router: server.makeRouter())
    try await application.test(.router) { client in try await body(client) }
  }

  static func reference(_ fixture: String, _ kind: String, _ signature: String, _ name: String) throws -> Tensor {
    let url = try Repository.path("Fixtures/\(fixture)/reference/\(kind)/\(signature)/\(name).npy")
    return try TensorFiles.tensor(from: NPYArray(contentsOf: url))
  }

  /// A float32 tensor as a JSON nested list, each value written so it reads back exactly.
  static func jsonList(_ tensor: Tensor) throws -> String {
    let values = try tensor.floats()
    var offset = 0
    func nest(_ dimension: Int) -> String {
      guard dimension < tensor.shape.count else {
        defer { offset += 1 }
        return ServingJSONWriter.decimalText(values[offset])
      }
      return "[" + (0..<tensor.shape[dimension]).map { _ in nest(dimension + 1) }.joined(separator: ",") + "]"
    }
    return nest(0)
  }

  static func flatten(_ value: Any) -> [Float] {
    if let list = value as? [Any] { return list.flatMap(flatten) }
    if let number = value as? NSNumber { return [number.floatValue] }
    return []
  }

  static func expectClose(_ actual: [Float], _ expected: Tensor, _ context: String) throws {
    let expectedValues = try expected.floats()
    #expect(
      actual.count == expectedValues.count, "\(context): \(actual.count) values, expected \(expectedValues.count)")
    for (a, e) in zip(actual, expectedValues) {
      #expect(abs(a - e) <= tolerance.absolute + tolerance.relative * abs(e), "\(context): \(a) vs \(e)")
    }
  }

  static func text(_ buffer: ByteBuffer) -> String { String(decoding: buffer.readableBytesView, as: UTF8.self) }

  static func json(_ response: TestResponse) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(
      with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
    return try #require(object as? [String: Any], "not a JSON object: \(Self.text(response.body))")
  }

  static func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, headers: HTTPFields = [:])
    async throws -> TestResponse
  {
    try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
  }

  @Test("predict matches TensorFlow's outputs in row and columnar form (TF1 model)")
  func predictTF1() async throws {
    let input = try Self.reference("tf1_builder", "inputs", "serving_default", "x")
    let expected = try Self.reference("tf1_builder", "outputs", "serving_default", "y")
    let list = try Self.jsonList(input)
    try await withClient { client in
      let row = try await Self.post(client, "/v1/models/tf1:predict", #"{"instances": \#(list)}"#)
      #expect(row.status == .ok)
      #expect(row.headers[.contentType] == "application/json")
      try Self.expectClose(Self.flatten(try Self.json(row)["predictions"] as Any), expected, "row")
      let columnar = try await Self.post(client, "/V1/Models/tf1/versions/1:PREDICT", #"{"inputs": {"x": \#(list)}}"#)
      #expect(columnar.status == .ok)
      try Self.expectClose(Self.flatten(try Self.json(columnar)["outputs"] as Any), expected, "columnar")
    }
  }

  @Test("versions and labels pick the right version: latest is v2, stable and versions/1 are v1")
  func versionsAndLabels() async throws {
    let input = try Self.jsonList(try Self.reference("finetune_base", "inputs", "serving_default", "features"))
    let base = try Self.reference("finetune_base", "outputs", "serving_default", "head")
    let head = try Self.reference("finetune_head", "outputs", "serving_default", "head")
    try await withClient { client in
      for (uri, expected) in [
        ("/v1/models/ft:predict", head), ("/v1/models/ft/versions/2:predict", head),
        ("/v1/models/ft/versions/1:predict", base), ("/v1/models/ft/labels/stable:predict", base),
      ] {
        let response = try await Self.post(client, uri, #"{"instances": \#(input)}"#)
        #expect(response.status == .ok, "\(uri): \(Self.text(response.body))")
        try Self.expectClose(Self.flatten(try Self.json(response)["predictions"] as Any), expected, uri)
      }
    }
  }

  @Test("errors: unknown model 404, unknown label 400, bad version 400, bad signature 400, malformed path 400")
  func errors() async throws {
    try await withClient { client in
      let cases: [(String, String, HTTPResponse.Status, String)] = [
        ("/v1/models/nope:predict", #"{"instances": [1]}"#, .notFound, "Servable not found for request: Latest(nope)"),
        (
          "/v1/models/ft/versions/9:predict", #"{"instances": [1]}"#, .notFound,
          "Servable not found for request: Specific(ft, 9)"
        ),
        (
          "/v1/models/ft/labels/canary:predict", #"{"instances": [1]}"#, .badRequest,
          "Unrecognized servable version label: canary"
        ),
        (
          "/v1/models/ft/versions/99999999999999999999:predict", "{}", .badRequest,
          "Failed to convert version: 99999999999999999999"
        ),
        (
          "/v1/models/ft:predict", #"{"signature_name": "x", "instances": [1]}"#, .badRequest,
          #"Serving signature name: "x" not found in signature def"#
        ),
        ("/v1/models/ft:predict", "", .badRequest, "JSON Parse error: The document is empty"),
        ("/v1/models/ft:explain", "{}", .badRequest, "Malformed request: POST /v1/models/ft:explain"),
        ("/v1/models/ft:predict", #"{"instances": [[1, 2]]}"#, .badRequest, "must have shape"),
      ]
      for (uri, body, status, message) in cases {
        let response = try await Self.post(client, uri, body)
        #expect(response.status == status, "\(uri) \(body)")
        let error = try Self.json(response)["error"] as? String
        #expect(error?.contains(message) == true, "\(uri): \(error ?? "no error")")
      }
    }
  }

  @Test("status lists versions newest first with string versions; a version that failed to load is END with its error")
  func status() async throws {
    try await withClient { client in
      let response = try await client.execute(uri: "/v1/models/ft", method: .get)
      #expect(response.status == .ok)
      #expect(
        Self.text(response.body)
          == #"{"model_version_status":[{"version":"2","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}},{"version":"1","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]}"#
      )
      let one = try await client.execute(uri: "/v1/models/ft/versions/1", method: .get)
      #expect(Self.text(one.body).contains(#"[{"version":"1","state":"AVAILABLE""#))
      let broken = try Self.json(try await client.execute(uri: "/v1/models/broken", method: .get))
      let statuses = try #require(broken["model_version_status"] as? [[String: Any]])
      #expect(statuses.first?["state"] as? String == "END")
      let status = statuses.first?["status"] as? [String: Any]
      #expect(status?["error_code"] as? String == "UNIMPLEMENTED")
      #expect((status?["error_message"] as? String)?.contains("unsupported ops") == true)
      let missing = try await client.execute(uri: "/v1/models/nope", method: .get)
      #expect(missing.status == .notFound)
      #expect(try Self.json(missing)["error"] as? String == "Could not find any versions of model nope")
      // A broken model serves nothing, and does not stop the others.
      let predict = try await Self.post(client, "/v1/models/broken:predict", #"{"instances": [1]}"#)
      #expect(predict.status == .notFound)
    }
  }

  @Test("metadata: doubled signature_def, string sizes, __saved_model_init_op listed")
  func metadata() async throws {
    try await withClient { client in
      let response = try await client.execute(uri: "/v1/models/ft/labels/stable/metadata", method: .get)
      #expect(response.status == .ok)
      let body = try Self.json(response)
      let spec = body["model_spec"] as? [String: Any]
      #expect(spec?["name"] as? String == "ft")
      #expect(spec?["version"] as? String == "1")
      #expect(spec?["signature_name"] as? String == "")
      let defs = ((body["metadata"] as? [String: Any])?["signature_def"] as? [String: Any])?["signature_def"]
      let signatures = try #require(defs as? [String: Any])
      #expect(Set(signatures.keys) == ["serving_default", "__saved_model_init_op"])
      let serving = signatures["serving_default"] as? [String: Any]
      #expect(serving?["method_name"] as? String == "tensorflow/serving/predict")
      let input = (serving?["inputs"] as? [String: Any])?["features"] as? [String: Any]
      #expect(input?["dtype"] as? String == "DT_FLOAT")
      #expect(input?["name"] as? String == "serving_default_features:0")
      let shape = input?["tensor_shape"] as? [String: Any]
      let dims = (shape?["dim"] as? [[String: Any]])?.map { $0["size"] as? String }
      #expect(dims == ["-1", "6"])
      #expect(shape?["unknown_rank"] as? Bool == false)
    }
  }

  @Test("model list, health, readiness and Prometheus metrics")
  func operations() async throws {
    try await withClient { client in
      let list = try Self.json(try await client.execute(uri: "/v1/models", method: .get))
      let models = try #require(list["models"] as? [[String: Any]])
      #expect(models.map { $0["name"] as? String } == ["broken", "ft", "tf1", "two"])
      let ft = models.first { $0["name"] as? String == "ft" }
      #expect((ft?["labels"] as? [String: String]) == ["stable": "1"])
      #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
      // `broken` has no available version, so the server is not ready.
      let ready = try await client.execute(uri: "/readyz", method: .get)
      #expect(ready.status == .serviceUnavailable)
      #expect(Self.text(ready.body).contains("broken"))
      _ = try await Self.post(client, "/v1/models/tf1:predict", #"{"instances": [[1, 2, 3]]}"#)
      _ = try await Self.post(client, "/v1/models/nope:predict", #"{"instances": [1]}"#)
      let metrics = Self.text(try await client.execute(uri: "/monitoring/prometheus/metrics", method: .get).body)
      #expect(
        metrics.contains(
          #"registry_serving_request_count{model_name="tf1",version="1",signature_name="serving_default",API="predict",entrypoint="REST",status="200"} 1"#
        ))
      // A name nobody serves is not a label value: made-up names cannot grow the metrics.
      #expect(!metrics.contains(#"model_name="nope""#))
      #expect(
        metrics.contains(#"model_name="",version="",signature_name="",API="predict",entrypoint="REST",status="404"} 1"#)
      )
      #expect(metrics.contains("registry_serving_request_latency_seconds_bucket"))
      #expect(metrics.contains("registry_serving_versions_available 4.0"))
      #expect(metrics.contains(#"registry_serving_load_time_seconds{model_name="ft",version="2"}"#))
      #expect(metrics.contains(#"registry_serving_load_failures{model_name="broken",version="1"} 1"#))
    }
  }

  @Test("gzip bodies are inflated; bodies past --max-body-bytes, raw or inflated, are 429")
  func bodyLimits() async throws {
    let small = #"{"instances": [[1, 2, 3]]}"#
    let bomb = #"{"instances": [[1, 2, 3]], "pad": ""# + String(repeating: " ", count: 100_000) + #""}"#
    try await withClient { client in
      let response = try await client.execute(
        uri: "/v1/models/tf1:predict", method: .post, headers: [.contentEncoding: "gzip"],
        body: ByteBuffer(bytes: try Self.gzip(small)))
      #expect(response.status == .ok, "\(Self.text(response.body))")
      let inflated = try await client.execute(
        uri: "/v1/models/tf1:predict", method: .post, headers: [.contentEncoding: "gzip"],
        body: ByteBuffer(bytes: try Self.gzip(bomb)))
      #expect(inflated.status == .tooManyRequests)
      #expect((try Self.json(inflated)["error"] as? String)?.contains("--max-body-bytes") == true)
      let raw = try await Self.post(client, "/v1/models/tf1:predict", bomb)
      #expect(raw.status == .tooManyRequests)
      let garbage = try await client.execute(
        uri: "/v1/models/tf1:predict", method: .post, headers: [.contentEncoding: "gzip"],
        body: ByteBuffer(string: "not gzip"))
      #expect(garbage.status == .badRequest)
    }
  }

  @Test("a row response with a scalar output is refused as TensorFlow Serving does; columnar works")
  func scalarOutputs() async throws {
    try await withClient { client in
      let body = #"{"signature_name": "scale", "instances": [{"x": [1, 2, 3], "factor": 2}]}"#
      let row = try await Self.post(client, "/v1/models/two:predict", body)
      #expect(row.status == .badRequest, "\(Self.text(row.body))")
      let columnar = try await Self.post(
        client, "/v1/models/two:predict", #"{"signature_name": "scale", "inputs": {"x": [[1, 2, 3]], "factor": 2}}"#)
      #expect(columnar.status == .ok, "\(Self.text(columnar.body))")
      let outputs = try #require(try Self.json(columnar)["outputs"] as? [String: Any])
      #expect(Set(outputs.keys) == ["scaled", "total"])
    }
  }

  @Test("moving an alias moves the label only after a refresh; removing a version unloads it (END)")
  func hotReload() async throws {
    let input = try Self.jsonList(try Self.reference("finetune_base", "inputs", "serving_default", "features"))
    let head = try Self.reference("finetune_head", "outputs", "serving_default", "head")
    try await withClient { client in
      _ = try registry.setAlias("stable", model: "ft", version: 2, force: false)
      await server.manager.refresh()
      let moved = try await Self.post(client, "/v1/models/ft/labels/stable:predict", #"{"instances": \#(input)}"#)
      try Self.expectClose(Self.flatten(try Self.json(moved)["predictions"] as Any), head, "stable after the move")
      _ = try registry.remove(Reference(model: "ft", selector: .number(1)))
      await server.manager.refresh()
      let statuses = try server.manager.status(model: "ft")
      #expect(statuses.map(\.state) == [.available, .end])
      let gone = try await Self.post(client, "/v1/models/ft/versions/1:predict", #"{"instances": \#(input)}"#)
      #expect(gone.status == .notFound)
    }
  }

  @Test("concurrent predictions all equal TensorFlow's")
  func concurrent() async throws {
    let input = try Self.jsonList(try Self.reference("finetune_base", "inputs", "serving_default", "features"))
    let head = try Self.reference("finetune_head", "outputs", "serving_default", "head")
    try await withClient { client in
      try await withThrowingTaskGroup(of: [Float].self) { group in
        for _ in 0..<32 {
          group.addTask {
            let response = try await Self.post(client, "/v1/models/ft:predict", #"{"instances": \#(input)}"#)
            return Self.flatten(try Self.json(response)["predictions"] as Any)
          }
        }
        var count = 0
        for try await values in group {
          try Self.expectClose(values, head, "concurrent call")
          count += 1
        }
        #expect(count == 32)
      }
    }
  }

  @Test(
    "dynamic batching joins concurrent calls and answers each with its own rows; outputs that do not follow the batch fall back to single runs"
  )
  func batching() async throws {
    server.manager.queue.stop()
    var configuration = ModelServer.Configuration()
    configuration.workers = 1
    configuration.manager = ModelManager.Options(maxBatchSize: 64, batchTimeout: .milliseconds(250))
    let batched = ModelServer(registry: registry, configuration: configuration)
    defer { batched.manager.queue.stop() }
    await batched.manager.refresh(force: true)
    let base = try Self.reference("finetune_base", "inputs", "serving_default", "features")
    let head = try Self.reference("finetune_head", "outputs", "serving_default", "head")
    let rowFloats = try base.floats()
    let application = Application(router: batched.makeRouter())
    try await application.test(.router) { client in
      try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
        // Call i sends row i % 2 of the reference input, so each answer must be that row's output.
        for index in 0..<12 {
          let row = index % 2
          let values = rowFloats[(row * 6)..<(row * 6 + 6)].map { ServingJSONWriter.decimalText($0) }
          let body = #"{"instances": [[\#(values.joined(separator: ","))]]}"#
          group.addTask {
            let response = try await Self.post(client, "/v1/models/ft:predict", body)
            #expect(response.status == .ok, "\(Self.text(response.body))")
            return (row, Self.flatten(try Self.json(response)["predictions"] as Any))
          }
        }
        let expected = try head.floats()
        var answered = 0
        for try await (row, values) in group {
          let want = Tensor(float32: Array(expected[(row * 3)..<(row * 3 + 3)]), shape: [3])
          try Self.expectClose(values, want, "batched call for row \(row)")
          answered += 1
        }
        #expect(answered == 12)
      }
      let statistics = try #require(batched.manager.batcher).statistics.withLock { $0 }
      #expect(statistics.runs >= 1, "no call was batched")
      #expect(statistics.rows > statistics.runs, "batches held one row each")
      // `total` is a scalar: a joined run cannot be split back, so every call runs alone, and is right.
      try await withThrowingTaskGroup(of: Double.self) { group in
        for factor in 1...6 {
          group.addTask {
            let body = #"{"signature_name": "scale", "inputs": {"x": [[1, 2, 3]], "factor": [\#(factor)]}}"#
            let response = try await Self.post(client, "/v1/models/two:predict", body)
            #expect(response.status == .ok, "\(Self.text(response.body))")
            let outputs = try Self.json(response)["outputs"] as? [String: Any]
            return Double(Self.flatten(outputs?["scaled"] as Any).reduce(0, +)) / Double(factor)
          }
        }
        var sums: [Double] = []
        for try await sum in group { sums.append(sum) }
        #expect(sums.count == 6)
        #expect(Set(sums.map { ($0 * 1000).rounded() }).count == 1, "scaled / factor differs between calls: \(sums)")
      }
    }
  }

  static func gzip(_ text: String) throws -> [UInt8] {
    let directory = try makeTemporaryDirectory("gzip")
    let file = directory.appendingPathComponent("body")
    try Data(text.utf8).write(to: file)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-n", "-f", file.path]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return Array(try Data(contentsOf: directory.appendingPathComponent("body.gz")))
  }
}

@Suite("catalog change token")
struct ChangeTokenTests {
  @Test("the token moves on push, alias set, alias move, alias removal and version removal, and only then")
  func token() throws {
    let registry = try Registry(root: try makeTemporaryDirectory("token").appendingPathComponent("store"))
    var seen: [String] = [try registry.changeToken()]
    func moved(_ what: String) throws {
      let token = try registry.changeToken()
      #expect(!seen.contains(token), "\(what) did not move the token")
      seen.append(token)
    }
    #expect(try registry.changeToken() == seen[0], "reading moved the token")
    _ = try registry.push(try Repository.Fixtures.model("finetune_base"), PushOptions(model: "ft"))
    try moved("push")
    _ = try registry.push(try Repository.Fixtures.model("finetune_head"), PushOptions(model: "ft"))
    try moved("second push")
    _ = try registry.setAlias("stable", model: "ft", version: 1, force: false)
    try moved("alias set")
    _ = try registry.setAlias("stable", model: "ft", version: 2, force: false)
    try moved("alias move")
    try registry.removeAlias("stable", model: "ft")
    try moved("alias removal")
    _ = try registry.remove(Reference(model: "ft", selector: .number(1)))
    try moved("version removal")
    _ = try registry.versions(of: "ft")
    #expect(try registry.changeToken() == seen.last, "a read moved the token")
  }
}

@Suite("labels and failed loads")
struct LabelTests {
  @Test("a label moved onto a version that fails to load stays on its old target; latest skips the failed version")
  func labelStaysOnAvailableVersion() async throws {
    let root = try makeTemporaryDirectory("labels")
    let registry = try Registry(root: root.appendingPathComponent("store"))
    _ = try registry.push(try Repository.Fixtures.model("tf1_builder"), PushOptions(model: "mix"))
    let unsupported = root.appendingPathComponent("unsupported")
    try UnsupportedModel.write(to: unsupported)
    _ = try registry.setAlias("stable", model: "mix", version: 1, force: false)
    let manager = ModelManager(
      registry: registry, options: ModelManager.Options(), queue: InferenceQueue(workers: 1, capacity: 4))
    defer { manager.queue.stop() }
    await manager.refresh()
    #expect(try manager.servable(model: "mix", version: .label("stable")).version == 1)

    _ = try registry.push(unsupported, PushOptions(model: "mix"))
    _ = try registry.setAlias("stable", model: "mix", version: 2, force: true)
    await manager.refresh()
    let statuses = try manager.status(model: "mix")
    #expect(statuses.map(\.version) == [2, 1])
    #expect(statuses.map(\.state) == [.end, .available])
    #expect(statuses.first?.error?.category == .unsupported)
    // The label did not follow the alias onto the broken version, and latest is the newest
    // version that is AVAILABLE.
    #expect(try manager.servable(model: "mix", version: .label("stable")).version == 1)
    #expect(try manager.servable(model: "mix", version: .latest).version == 1)
    #expect(manager.models().first?.labels == ["stable": 1])
    let outputs = try await manager.run(
      model: "mix", version: .label("stable"), signature: "serving_default",
      inputs: ["x": Tensor(float32: [1, 2, 3], shape: [1, 3])], deadline: .now + .seconds(300))
    #expect(outputs.version.version == 1)
    #expect(outputs.outputs["y"]?.shape == [1, 2])
  }
}
