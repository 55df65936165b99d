import Foundation
import Registry
import RegistryTestSupport
import Testing

@testable import Remote

/// Distribution's token auth against the real docker-registry and a token server of our own
/// (`Helpers/token_server.py`): login, round trips, refused credentials, token reuse and expiry.
@Suite("against docker-registry with bearer tokens", .serialized, needsRegistryAndPython)
struct TokenAuthTests {
  static let username = "alice"
  static let password = "t0ken-s3cret"

  /// No credentials from the user running the tests; `config` as docker's config directory.
  static func options(config: URL, threshold: Int64 = 1024) -> TransferOptions {
    var options = RegistryServerTests.options(threshold: threshold)
    options.environment["DOCKER_CONFIG"] = config.path
    return options
  }

  /// What `registry login` does: check the credential against `/v2/`, then store it.
  static func login(_ host: String, options: TransferOptions) async throws {
    let credential = Credential(username: username, password: password)
    try await RemoteAccess.check(credential, host: host, options: options)
    try CredentialStore.store(credential, for: host, environment: options.environment)
  }

  /// Runs `body` with a client of its own for `team/mlp`, closed whatever happens.
  static func withStore<T>(
    _ host: String, _ options: TransferOptions, _ body: (RegistryStore) async throws -> T
  ) async throws -> T {
    let store = try RegistryStore(host: host, repository: "team/mlp", options: options)
    do {
      let result = try await body(store)
      try await store.close(committing: true)
      return result
    } catch {
      try? await store.close(committing: false)
      throw error
    }
  }

  @Test("login, export, import and tags through the token flow; an export fetches one token per scope")
  func roundTrip() async throws {
    let tokens = try TokenServer(username: Self.username, password: Self.password)
    defer { tokens.stop() }
    let server = try DockerRegistry(token: tokens.registryAuth)
    defer { server.stop() }
    let source = try RemoteSupport.lineageStore()
    let target = try RemoteSupport.newStore("target")
    // Every object a layer of its own and 4 at once: many requests, several racing for the first token.
    var options = Self.options(config: try makeTemporaryDirectory("docker-config"), threshold: 0)
    options.jobs = 4
    try await Self.login(server.host, options: options)
    #expect(tokens.issued == ["-": 1])

    let endpoint = try Endpoint(parsing: "oci://\(server.host)/team/mlp:1")
    let exported = try await Transfer.export(
      try Reference(parsing: "mlp:1"), from: source, to: endpoint, tag: nil, options: options)
    #expect(exported.uploaded == exported.blobs && exported.blobs > 4)
    // HEADs need pull, uploads and the manifest pull,push: one token each for the whole export.
    let pull = "repository:team/mlp:pull"
    let push = "repository:team/mlp:pull,push"
    #expect(tokens.issued == ["-": 1, pull: 1, push: 1])
    #expect(server.blobs().count == exported.blobs + 1)

    let imported = try await Transfer.import(from: endpoint, into: target, name: nil, aliases: [], options: options)
    #expect(imported.created)
    #expect(try RemoteSupport.pulledFiles(target, "mlp:1") == RemoteSupport.pulledFiles(source, "mlp:1"))
    let tags = try await Transfer.tags(try Endpoint(parsing: "oci://\(server.host)/team/mlp"), options: options)
    #expect(tags == ["1"])
    // Each command is a client of its own: one pull token for the import, one for tags.
    #expect(tokens.issued == ["-": 1, pull: 3, push: 1])
    #expect(tokens.refusedCount == 0)
  }

  @Test("no credentials, or a wrong password, is unauthenticated (exit 13), naming the host and never the secret")
  func refusedCredentials() async throws {
    let scene = try await TokenScene(loggedIn: false)
    defer { scene.stop() }
    let (tokens, server, source, options) = (scene.tokens, scene.server, scene.source, scene.options)
    let endpoint = try Endpoint(parsing: "oci://\(server.host)/team/mlp:1")

    await #expect {
      try await Transfer.export(try Reference(parsing: "mlp:1"), from: source, to: endpoint, tag: nil, options: options)
    } throws: { error in
      let message = "\(error)"
      return (error as? RemoteError)?.category.exitStatus == 13 && message.contains("registry login \(server.host)")
    }
    let wrong = "wr0ng-pa55word"
    let encoded = Data("\(Self.username):\(wrong)".utf8).base64EncodedString()
    await #expect {
      try await RemoteAccess.check(
        Credential(username: Self.username, password: wrong), host: server.host, options: options)
    } throws: { error in
      let message = "\(error)"
      return (error as? RemoteError)?.category.exitStatus == 13 && message.contains(server.host)
        && message.contains("wrong user name or password") && !message.contains(wrong) && !message.contains(encoded)
    }
    // A wrong password stored anyway fails the export the same way, with nothing pushed.
    try CredentialStore.store(
      Credential(username: Self.username, password: wrong), for: server.host, environment: options.environment)
    await #expect {
      try await Transfer.export(try Reference(parsing: "mlp:1"), from: source, to: endpoint, tag: nil, options: options)
    } throws: { error in
      (error as? RemoteError)?.category.exitStatus == 13 && !"\(error)".contains(wrong)
    }
    #expect(tokens.issuedCount == 0)
    #expect(tokens.refusedCount >= 3)
    #expect(server.blobs().isEmpty)
  }

  @Test("a token is reused until its expires_in runs out, then replaced before the next request")
  func expiry() async throws {
    let scene = try await TokenScene()
    defer { scene.stop() }
    let (tokens, server, options) = (scene.tokens, scene.server, scene.options)
    try await scene.export("mlp:1")

    // 4 s tokens: the client keeps each for 3 s. (The registry would take it for another 60 s,
    // so only the client's own bookkeeping can cause the second fetch.)
    try tokens.server.control(#"{"expires_in": 4}"#)
    let first = tokens.issuedCount
    try await Self.withStore(server.host, options) { store in
      #expect(try await store.tags() == ["1"])
      #expect(try await store.tags() == ["1"])
      #expect(tokens.issuedCount == first + 1)
      try await Task.sleep(for: .seconds(3.5))
      #expect(try await store.tags() == ["1"])
      #expect(tokens.issuedCount == first + 2)
    }
  }

  @Test("a token service answering 503 is retried like the registry; one that stays down ends in exit 7")
  func tokenServiceDown() async throws {
    let scene = try await TokenScene()
    defer { scene.stop() }
    let (tokens, server) = (scene.tokens, scene.server)
    scene.options.jobs = 1
    try tokens.server.control(#"{"unavailable": 2}"#)
    let exported = try await scene.export("mlp:1")
    #expect(exported.uploaded == exported.blobs)
    #expect(tokens.unavailableCount == 2)

    try tokens.server.control(#"{"unavailable": 1000}"#)
    await #expect {
      try await Self.withStore(server.host, scene.options) { store in _ = try await store.tags() }
    } throws: { error in
      guard let error = error as? RemoteError else { return false }
      return error.category == .unavailable && error.message.contains("token service")
        && error.message.contains("503") && error.message.contains("gave up after 5 attempts")
    }
  }

  @Test("a cached token the registry rejects is replaced once; a replacement it rejects too ends in a clear error")
  func rejectedToken() async throws {
    let scene = try await TokenScene()
    defer { scene.stop() }
    let (tokens, server, options) = (scene.tokens, scene.server, scene.options)
    try await scene.export("mlp:1")

    // The answer says 300 s, but the registry takes each token for at most 3 s (its exp claim):
    // a token expired early, as with clocks apart.
    try tokens.server.control(#"{"expires_in": 300, "valid_for": 3}"#)
    let first = tokens.issuedCount
    try await Self.withStore(server.host, options) { store in
      #expect(try await store.tags() == ["1"])
      #expect(tokens.issuedCount == first + 1)
      try await Task.sleep(for: .seconds(4))
      // The registry answers 401 invalid_token: one new token, and the request succeeds.
      #expect(try await store.tags() == ["1"])
      #expect(tokens.issuedCount == first + 2)

      // Now every new token is already expired for the registry: one more fetch, then an error.
      try tokens.server.control(#"{"expires_in": 300, "valid_for": -100}"#)
      try await Task.sleep(for: .seconds(4))
      await #expect {
        try await store.tags()
      } throws: { error in
        (error as? RemoteError)?.category.exitStatus == 13 && "\(error)".contains("refused the token")
          && "\(error)".contains(server.host)
      }
      #expect(tokens.issuedCount == first + 3)
    }
  }
}
