import Foundation
import Registry
import RegistryTestSupport
import Testing

@testable import Remote

/// One of the Python helpers in `Tests/RemoteTests/Helpers` (a token server, a misbehaving proxy)
/// on a loopback port it picks itself and writes to `port` in its directory; stopped by `stop()`
/// or when released. Tests steer it through `control.json` and read what it did from its logs.
final class HelperServer: @unchecked Sendable {
  static var python: String? { RemoteSupport.executable("python3") }

  let directory: URL
  let port: Int
  private let process = Process()
  var host: String { "127.0.0.1:\(port)" }

  init(script: String, arguments: [String]) throws {
    let python = try #require(Self.python, "python3 is not installed")
    let path = try Repository.path("Tests/RemoteTests/Helpers/\(script)").path
    directory = try makeTemporaryDirectory("helper-server")
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [path, "--dir", directory.path] + arguments
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    let log = directory.appendingPathComponent("stderr.log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: log)
    try process.run()
    // Ready when it has written its port (at most 20 s: Python starts slowly on a loaded machine).
    let portFile = directory.appendingPathComponent("port")
    for _ in 0..<400 {
      if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
        self.port = port
        return
      }
      guard process.isRunning else { break }
      usleep(50_000)
    }
    Self.end(process)
    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    Issue.record("\(script) did not start: \(output)")
    throw CancellationError()
  }

  deinit { stop() }

  func stop() { Self.end(process) }

  /// SIGTERM, and SIGKILL if it is still there after 10 s: a helper must never hang a test run.
  private static func end(_ process: Process) {
    guard process.isRunning else { return }
    process.terminate()
    for _ in 0..<200 where process.isRunning { usleep(50_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }

  /// Replaces `control.json` with this JSON (written whole, then renamed, so the server never
  /// reads half of it).
  func control(_ json: String) throws {
    let temporary = directory.appendingPathComponent("control.json.tmp")
    try Data(json.utf8).write(to: temporary)
    try #require(rename(temporary.path, directory.appendingPathComponent("control.json").path) == 0)
  }

  /// The lines of one of its logs so far.
  func lines(_ log: String) -> [String] {
    let text = (try? String(contentsOf: directory.appendingPathComponent(log), encoding: .utf8)) ?? ""
    return text.split(separator: "\n").map(String.init)
  }
}

/// A token server (Distribution's token spec) for a `DockerRegistry` with token auth: a key and
/// self-signed certificate made by `openssl`, the certificate being the registry's trust root.
final class TokenServer: @unchecked Sendable {
  static let service = "registry-test"
  static let issuer = "registry-test-issuer"

  let server: HelperServer
  let certificate: String
  var realm: String { "http://\(server.host)/token" }

  init(username: String, password: String) throws {
    let openssl = try #require(RemoteSupport.executable("openssl"), "openssl is not installed")
    let keys = try makeTemporaryDirectory("token-keys").path
    let made = try RemoteSupport.run(
      openssl,
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(keys)/token.key", "-out", "\(keys)/token.pem",
        "-days", "1", "-subj", "/CN=registry test token signer",
      ])
    try #require(made.status == 0, "openssl req: \(made.stderr)")
    certificate = "\(keys)/token.pem"
    server = try HelperServer(
      script: "token_server.py",
      arguments: [
        "--key", "\(keys)/token.key", "--cert", certificate, "--issuer", Self.issuer, "--service", Self.service,
        "--user", username, "--password", password,
      ])
  }

  /// The registry's `auth: token:` settings for this server.
  var registryAuth: DockerRegistry.TokenAuth {
    .init(realm: realm, service: Self.service, issuer: Self.issuer, rootCertBundle: certificate)
  }

  /// Every token issued so far, by the scope asked for (`-` for none).
  var issued: [String: Int] {
    server.lines("issued.log").filter { $0 != "refused" && $0 != "unavailable" }.reduce(into: [:]) {
      $0[$1, default: 0] += 1
    }
  }
  var issuedCount: Int { issued.values.reduce(0, +) }
  var refusedCount: Int { server.lines("issued.log").filter { $0 == "refused" }.count }
  /// Requests answered 503 (`unavailable` in control.json).
  var unavailableCount: Int { server.lines("issued.log").filter { $0 == "unavailable" }.count }

  func stop() { server.stop() }
}

/// What most bearer-token tests start from: a token server, a docker-registry that trusts it,
/// the lineage store (`mlp:1` → `mlp:2`), and transfer options with their own docker config,
/// logged in unless asked not to. Stopped by `stop()` or when released.
final class TokenScene: @unchecked Sendable {
  let tokens: TokenServer
  let server: DockerRegistry
  let source: Registry
  var options: TransferOptions

  init(loggedIn: Bool = true) async throws {
    tokens = try TokenServer(username: TokenAuthTests.username, password: TokenAuthTests.password)
    server = try DockerRegistry(token: tokens.registryAuth)
    source = try RemoteSupport.lineageStore()
    options = TokenAuthTests.options(config: try makeTemporaryDirectory("docker-config"))
    if loggedIn { try await TokenAuthTests.login(server.host, options: options) }
  }

  func stop() {
    server.stop()
    tokens.stop()
  }

  /// Exports a version of the lineage store to `repository` (the tag: its number).
  @discardableResult
  func export(_ reference: String, to repository: String = "team/mlp") async throws -> ExportResult {
    try await Transfer.export(
      try Reference(parsing: reference), from: source, to: try Endpoint(parsing: "oci://\(server.host)/\(repository)"),
      tag: nil, options: options)
  }
}

/// Runs a test only where docker-registry, python3 and openssl are installed, and always in CI,
/// where a missing one then fails the test instead of skipping it.
let needsRegistryAndPython = Testing.ConditionTrait.enabled(
  if: (DockerRegistry.installed && HelperServer.python != nil && RemoteSupport.executable("openssl") != nil)
    || RemoteSupport.inCI,
  "needs docker-registry, python3 and openssl (Scripts/install-deps.sh)")
