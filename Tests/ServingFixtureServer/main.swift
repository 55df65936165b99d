// serving-fixture-server [--host H] [--port P] NAME=DIR...
//
// Serves SavedModel directories over TensorFlow Serving's gRPC API with the ServingGRPC services
// and the inference core, each as version 1 with the label "stable", so that the official Python
// client can be checked against the services before (and apart from) `registry serve`
// (Scripts/test-grpc.sh --fixture-server). Prints "listening on HOST:PORT" once bound; runs until
// killed.
import Foundation
import Inference
import ServingGRPC

/// Each model as version 1, labelled `stable`, with TensorFlow Serving's not-found messages.
struct DirectoryBackend: ServingBackend {
  let models: [String: LoadedModelServable]

  func servable(model: String, version: ServingVersionSelector) async throws -> any ServableVersion {
    guard let servable = models[model] else {
      throw ServingError(.notFound, "Servable not found for request: \(version.servableRequest(model: model))")
    }
    switch version {
    case .latest, .number(1), .label("stable"): return servable
    case .label(let label): throw ServingError(.invalidArgument, "Unrecognized servable version label: \(label)")
    case .number:
      throw ServingError(.notFound, "Servable not found for request: \(version.servableRequest(model: model))")
    }
  }

  func status(model: String, version: Int64?) async throws -> [ServingVersionStatus] {
    guard models[model] != nil else { throw ServingError(.notFound, "Could not find any versions of model \(model)") }
    if let version, version != 1 {
      throw ServingError(.notFound, "Could not find version \(version) of model \(model)")
    }
    return [ServingVersionStatus(version: 1, state: .available)]
  }
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("serving-fixture-server: \(message)\n".utf8))
  exit(2)
}

var host = "127.0.0.1"
var port = 8500
var models: [String: LoadedModelServable] = [:]
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
  switch argument {
  case "--host":
    guard let value = arguments.popFirst() else { fail("--host needs a value") }
    host = value
  case "--port":
    guard let value = arguments.popFirst().flatMap(Int.init) else { fail("--port needs a number") }
    port = value
  default:
    let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
    guard parts.count == 2 else { fail("expected NAME=DIR, got \(argument)") }
    do {
      let loaded = try LoadedModel(directory: URL(fileURLWithPath: parts[1]))
      models[parts[0]] = LoadedModelServable(model: parts[0], version: 1, loaded: loaded)
    } catch {
      fail("\(parts[1]): \(error)")
    }
  }
}
guard !models.isEmpty else { fail("usage: serving-fixture-server [--host H] [--port P] NAME=DIR...") }

let server = makeServingServer(host: host, port: port, backend: DirectoryBackend(models: models))
try await withThrowingTaskGroup(of: Void.self) { group in
  group.addTask { try await server.run() }
  // Unbuffered, so the script reading the log sees the port at once.
  FileHandle.standardOutput.write(Data("listening on \(host):\(try await server.port)\n".utf8))
  try await group.waitForAll()
}
