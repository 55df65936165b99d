import GRPCCore
import GRPCNIOTransportHTTP2
import ServingGRPC
import ServingProto
import Testing

/// Starts a real gRPC server on a free loopback port, runs `body` with clients of both services
/// connected to it over HTTP/2, and always stops the server, whatever `body` does.
func withServingServer<Result: Sendable>(
  backend: any ServingBackend, maxRequestBytes: Int = 64 << 20,
  _ body: @Sendable (ServingClients) async throws -> Result
) async throws -> Result {
  let server = makeServingServer(host: "127.0.0.1", port: 0, backend: backend, maxRequestBytes: maxRequestBytes)
  return try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await server.run() }
    defer { server.shutDown() }
    let port = try await server.port
    #expect(port > 0)
    let transport = try HTTP2ClientTransport.Posix(
      target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
    let result = try await withGRPCClient(transport: transport) { client in
      try await body(
        ServingClients(
          prediction: Tensorflow_Serving_PredictionService.Client(wrapping: client),
          model: Tensorflow_Serving_ModelService.Client(wrapping: client)))
    }
    server.shutDown()
    try await group.waitForAll()
    return result
  }
}

struct ServingClients: Sendable {
  let prediction: Tensorflow_Serving_PredictionService.Client<HTTP2ClientTransport.Posix>
  let model: Tensorflow_Serving_ModelService.Client<HTTP2ClientTransport.Posix>
}

/// The gRPC status code a call fails with, or nil when it succeeds.
func failure<Value>(_ call: () async throws -> Value) async -> RPCError? {
  do {
    _ = try await call()
    return nil
  } catch let error as RPCError {
    return error
  } catch {
    Issue.record("not an RPCError: \(error)")
    return nil
  }
}
