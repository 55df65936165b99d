import Foundation
import RegistryTestSupport
import Testing

/// Debian's `docker-registry` (CNCF Distribution 2.8.2) on a free loopback port, with filesystem
/// storage in a temporary directory; optionally TLS (a CA and server certificate made by
/// `openssl`) and htpasswd basic auth. Stopped by `stop()` or when released.
final class DockerRegistry: @unchecked Sendable {
  static let binary = "/usr/bin/docker-registry"
  static var installed: Bool { FileManager.default.isExecutableFile(atPath: binary) }

  let directory: URL
  let port: Int
  let process = Process()
  /// The CA certificate that signs the server's, with `tls`.
  let caFile: String?
  var host: String { "127.0.0.1:\(port)" }
  var storage: URL { directory.appendingPathComponent("storage/docker/registry/v2") }

  struct Auth {
    let username: String
    let password: String
  }

  /// Distribution's token auth: tokens from `realm`, signed by a key `rootCertBundle` trusts.
  struct TokenAuth {
    let realm: String
    let service: String
    let issuer: String
    let rootCertBundle: String
  }

  init(tls: Bool = false, auth: Auth? = nil, token: TokenAuth? = nil) throws {
    try #require(Self.installed, "docker-registry is not installed (Scripts/install-deps.sh installs it)")
    directory = try makeTemporaryDirectory("docker-registry")
    port = try Self.freePort()
    var config = """
      version: 0.1
      log:
        level: error
        accesslog:
          disabled: true
      storage:
        filesystem:
          rootdirectory: \(directory.appendingPathComponent("storage").path)
        delete:
          enabled: true
      http:
        addr: 127.0.0.1:\(port)

      """
    if tls {
      let openssl = try #require(RemoteSupport.executable("openssl"), "openssl is not installed")
      let dir = directory.path
      let steps: [[String]] = [
        [
          "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.pem", "-days",
          "1", "-subj", "/CN=registry test CA",
        ],
        [
          "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/server.key", "-out", "\(dir)/server.csr", "-subj",
          "/CN=127.0.0.1",
        ],
        [
          "x509", "-req", "-in", "\(dir)/server.csr", "-CA", "\(dir)/ca.pem", "-CAkey", "\(dir)/ca.key",
          "-CAcreateserial", "-out", "\(dir)/server.pem", "-days", "1", "-extfile", "\(dir)/san.cnf",
        ],
      ]
      try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: directory.appendingPathComponent("san.cnf"))
      for step in steps {
        let result = try RemoteSupport.run(openssl, step)
        try #require(result.status == 0, "openssl \(step[0]): \(result.stderr)")
      }
      config += "  tls:\n    certificate: \(dir)/server.pem\n    key: \(dir)/server.key\n"
      caFile = "\(dir)/ca.pem"
    } else {
      caFile = nil
    }
    if let auth {
      let htpasswd = try #require(RemoteSupport.executable("htpasswd"), "htpasswd (apache2-utils) is not installed")
      let result = try RemoteSupport.run(htpasswd, ["-Bbn", auth.username, auth.password])
      try #require(result.status == 0, "htpasswd: \(result.stderr)")
      try result.stdout.write(to: directory.appendingPathComponent("htpasswd"))
      config += "auth:\n  htpasswd:\n    realm: test\n    path: \(directory.appendingPathComponent("htpasswd").path)\n"
    }
    if let token {
      config += """
        auth:
          token:
            realm: \(token.realm)
            service: \(token.service)
            issuer: \(token.issuer)
            rootcertbundle: \(token.rootCertBundle)

        """
    }
    let configFile = directory.appendingPathComponent("config.yml")
    try Data(config.utf8).write(to: configFile)
    process.executableURL = URL(fileURLWithPath: Self.binary)
    process.arguments = ["serve", configFile.path]
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    let log = directory.appendingPathComponent("registry.log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: log)
    try process.run()
    // Ready when the port accepts connections (at most 20 s).
    for _ in 0..<400 {
      if Self.accepts(port) { return }
      guard process.isRunning else { break }
      usleep(50_000)
    }
    stop()
    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    Issue.record("docker-registry did not start: \(output)")
    throw CancellationError()
  }

  deinit { stop() }

  /// SIGTERM, and SIGKILL if it is still there after 10 s: a server must never hang a test run.
  func stop() {
    guard process.isRunning else { return }
    process.terminate()
    for _ in 0..<200 where process.isRunning { usleep(50_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }

  /// Every blob the registry stores (`blobs/sha256/xx/<hex>/data`), by hex digest.
  func blobs() -> [String: URL] {
    var result: [String: URL] = [:]
    let root = storage.appendingPathComponent("blobs/sha256")
    let enumerator = FileManager.default.enumerator(atPath: root.path)
    while let relative = enumerator?.nextObject() as? String {
      guard relative.hasSuffix("/data") else { continue }
      let parts = relative.split(separator: "/")
      if parts.count == 3 { result[String(parts[1])] = root.appendingPathComponent(relative) }
    }
    return result
  }

  /// A port nothing listens on now (the kernel's pick for port 0).
  static func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
      }
    }
    try #require(bound, "cannot bind a loopback port")
    return Int(UInt16(bigEndian: address.sin_port))
  }

  static func accepts(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }
}

/// Runs a test only where docker-registry is installed, and always in CI, where a missing binary
/// then fails the test instead of skipping it.
let needsDockerRegistry = Testing.ConditionTrait.enabled(
  if: DockerRegistry.installed || RemoteSupport.inCI, "needs docker-registry (Scripts/install-deps.sh)")
