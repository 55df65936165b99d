import GRPCCore
import GRPCNIOTransportHTTP2

/// A gRPC server answering TensorFlow Serving's PredictionService and ModelService over plaintext
/// HTTP/2, from one backend.
///
/// `run()` serves until `shutDown()` (or until the task running it is cancelled); `port` waits
/// for the socket to be bound, so a server asked for port 0 can tell which port it got.
public final class GRPCServingServer: Sendable {
  private let transport: HTTP2ServerTransport.Posix
  private let server: GRPCServer<HTTP2ServerTransport.Posix>

  init(host: String, port: Int, backend: any ServingBackend, maxRequestBytes: Int) {
    let address: SocketAddress = host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port)
    transport = HTTP2ServerTransport.Posix(
      address: address, transportSecurity: .plaintext,
      config: .defaults { $0.rpc.maxRequestPayloadSize = maxRequestBytes })
    server = GRPCServer(
      transport: transport, services: [PredictionService(backend: backend), ModelService(backend: backend)])
  }

  /// Serves until `shutDown()` is called and in-flight calls have finished.
  ///
  /// - Throws: gRPC's `RuntimeError` when the address cannot be bound.
  public func run() async throws {
    try await server.serve()
  }

  /// The port the server listens on, once it is bound.
  ///
  /// - Throws: when the server failed to bind or has stopped.
  public var port: Int {
    get async throws {
      let address = try await transport.listeningAddress
      if let ipv4 = address.ipv4 { return ipv4.port }
      if let ipv6 = address.ipv6 { return ipv6.port }
      throw ServingError(.internal, "the gRPC server listens on \(address), which has no port")
    }
  }

  /// Stops accepting calls; `run()` returns once the calls in flight have finished.
  public func shutDown() {
    server.beginGracefulShutdown()
  }
}

/// The gRPC server of `registry serve`: TensorFlow Serving's PredictionService and ModelService on
/// `host:port` (port 0 picks a free one; read it from `GRPCServingServer.port`).
///
/// - Parameters:
///   - maxRequestBytes: the largest request message accepted. TensorFlow Serving accepts up to
///     2 GiB; gRPC's default is 4 MiB, too small for image batches. The transport resets the
///     stream of a larger one (the client sees UNAVAILABLE).
public func makeServingServer(
  host: String, port: Int, backend: any ServingBackend, maxRequestBytes: Int = 64 << 20
) -> GRPCServingServer {
  GRPCServingServer(host: host, port: port, backend: backend, maxRequestBytes: maxRequestBytes)
}
