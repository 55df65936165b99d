import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import RegistryCore

/// A repository of an OCI registry (distribution-spec v1.1), over async-http-client.
///
/// Every request retries on 429, 5xx and lost connections with exponential backoff (or what
/// `Retry-After` asks); uploads retry whole (a half-sent chunk cannot be trusted). A 401 is
/// answered by the challenge it carries: Basic with the stored credential, or Bearer with a token
/// from the realm (basic credentials if any, `service` and `scope`), one fetch per scope shared by
/// concurrent requests and reused until it expires. A 401 on a cached token fetches a new one
/// once; a 401 on a new one is final. Plain HTTP is used for loopback hosts that answer plain
/// HTTP, or everywhere with `--plain-http`.
final class RegistryStore: ArtifactStore {
  /// Blobs larger than this go in chunks of this size (PATCH), smaller ones in one PUT.
  static let defaultChunkSize = 8 << 20
  /// The most manifest bytes read (Distribution refuses more than 4 MiB).
  static let maximumManifestBytes = 8 << 20
  static let maximumAttempts = 5
  static let manifestAccept = [MediaType.imageManifest, MediaType.imageIndex, MediaType.dockerManifest].joined(
    separator: ", ")

  let host: String
  let repository: String
  let chunkSize: Int
  private let client: HTTPClient
  private let credential: Credential?
  private let plainHTTP: Bool
  private let state = Locked(State())

  private struct State {
    var scheme: String?
    var challenge: Challenge?
    /// Bearer tokens by scope, with when they stop being good.
    var tokens: [String: (token: String, expires: Date)] = [:]
    /// Token requests in flight by scope: concurrent requests wait for the same one.
    var fetching: [String: Task<String, any Error>] = [:]
  }

  /// What a request carries: the `Authorization` header, the bearer token in it, and whether
  /// that token was fetched for this request (a refused new token is not worth fetching again).
  private struct Authorization {
    var header: String?
    var token: String?
    var fresh = false
  }

  /// What the registry asked for in `WWW-Authenticate`.
  struct Challenge: Equatable {
    var scheme: String
    var parameters: [String: String]
  }

  struct Response {
    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    let body: [UInt8]
  }

  /// - Parameter credential: use this instead of the stored one (`login` checks a new one).
  init(host: String, repository: String, options: TransferOptions, credential: Credential? = nil) throws(RemoteError) {
    self.host = host
    self.repository = repository
    chunkSize = max(1, options.chunkSize)
    plainHTTP = options.plainHTTP
    if let credential {
      self.credential = credential
    } else {
      self.credential = try CredentialStore.credential(for: host, environment: options.environment)
    }
    var tls = TLSConfiguration.makeClientConfiguration()
    if let file = options.environment["SSL_CERT_FILE"], !file.isEmpty { tls.trustRoots = .file(file) }
    if let caFile = options.caFile {
      guard FileManager.default.isReadableFile(atPath: caFile) else {
        throw RemoteError(.notFound, "\(caFile): no such CA file", file: caFile)
      }
      tls.additionalTrustRoots = [.file(caFile)]
    }
    var configuration = HTTPClient.Configuration(
      tlsConfiguration: tls, redirectConfiguration: .follow(max: 5, allowCycles: false),
      timeout: .init(connect: .seconds(10), read: .seconds(120)))
    configuration.httpVersion = .http1Only
    client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
  }

  func close(committing: Bool) async throws(RemoteError) {
    try? await client.shutdown()
  }

  // MARK: - The operations

  func exists(_ descriptor: Descriptor) async throws(RemoteError) -> Bool {
    let response = try await send(.HEAD, "/blobs/\(descriptor.digest)", push: false, accept: [200, 404])
    return response.status == .ok
  }

  func upload(_ descriptor: Descriptor, bytes: [UInt8]) async throws(RemoteError) -> BlobOutcome {
    var attempt = 0
    while true {
      attempt += 1
      do {
        try await uploadOnce(descriptor, bytes)
        return .uploaded
      } catch  where error.isRetryable {
        guard attempt < Self.maximumAttempts else { throw error.gaveUp(after: attempt) }
        try await Self.backoff(attempt, retryAfter: (error.underlying as? Transient)?.retryAfter)
      }
    }
  }

  /// Tries a cross-repository mount from each of the first two `repositories`. A registry that
  /// cannot (the blob is gone there, or the token does not cover it) answers 202 with an upload
  /// session instead, which is cancelled.
  func mount(_ descriptor: Descriptor, from repositories: [String]) async throws(RemoteError) -> Bool {
    for source in repositories.prefix(2) where source != repository {
      let query =
        "mount=\(descriptor.digest)&from=\(source.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/._-"))) ?? source)"
      let response = try await send(
        .POST, "/blobs/uploads/?\(query)", push: true, accept: [201, 202], mountFrom: source)
      if response.status == .created { return true }
      if let location = try? self.location(response) {
        _ = try? await send(.DELETE, location, push: true, accept: [200, 202, 204, 404, 405], retrying: false)
      }
    }
    return false
  }

  private func uploadOnce(_ descriptor: Descriptor, _ bytes: [UInt8]) async throws(RemoteError) {
    let started = try await send(.POST, "/blobs/uploads/", push: true, accept: [202], retrying: false)
    var location = try self.location(started)
    if bytes.count > chunkSize {
      var offset = 0
      while offset < bytes.count {
        let end = min(offset + chunkSize, bytes.count)
        let chunk = Array(bytes[offset..<end])
        let response = try await send(
          .PATCH, location, push: true, accept: [202], body: chunk,
          headers: ["Content-Type": "application/octet-stream", "Content-Range": "\(offset)-\(end - 1)"],
          retrying: false)
        location = try self.location(response)
        // The registry says how much it holds; continue from there.
        if let range = response.headers.first(name: "Range"), let last = range.split(separator: "-").last,
          let held = Int(last), held + 1 <= bytes.count
        {
          offset = held + 1
        } else {
          offset = end
        }
      }
      _ = try await send(
        .PUT, Self.adding(digest: descriptor.digest, to: location), push: true, accept: [201], body: [],
        headers: ["Content-Type": "application/octet-stream"], retrying: false)
    } else {
      _ = try await send(
        .PUT, Self.adding(digest: descriptor.digest, to: location), push: true, accept: [201], body: bytes,
        headers: ["Content-Type": "application/octet-stream"], retrying: false)
    }
  }

  func putManifest(_ bytes: [UInt8], mediaType: String, tag: String) async throws(RemoteError) {
    let response = try await send(
      .PUT, "/manifests/\(tag)", push: true, accept: [201], body: bytes, headers: ["Content-Type": mediaType])
    if let returned = response.headers.first(name: "Docker-Content-Digest"),
      returned != Digest.sha256(bytes).description
    {
      throw RemoteError(.corrupted, "\(label): stored the manifest as \(returned), not \(Digest.sha256(bytes))")
    }
  }

  func manifest(_ reference: String?) async throws(RemoteError) -> (bytes: [UInt8], mediaType: String) {
    guard let reference else {
      throw RemoteError(.invalidArgument, "\(label): name a tag or digest (oci://HOST/REPOSITORY:TAG)")
    }
    let response = try await send(
      .GET, "/manifests/\(reference)", push: false, accept: [200], headers: ["Accept": Self.manifestAccept],
      limit: Self.maximumManifestBytes)
    if let digest = Digest(reference), Digest.sha256(response.body) != digest {
      throw RemoteError(.corrupted, "\(label): manifest \(reference) hashes to \(Digest.sha256(response.body))")
    }
    let mediaType = response.headers.first(name: "Content-Type")?.split(separator: ";").first.map(String.init) ?? ""
    return (response.body, mediaType)
  }

  func blob(_ descriptor: Descriptor) async throws(RemoteError) -> [UInt8] {
    try descriptor.checkSize("blob")
    let response = try await send(
      .GET, "/blobs/\(descriptor.digest)", push: false, accept: [200], limit: Int(descriptor.size) + 1)
    return response.body
  }

  /// Every tag, following `Link` pages.
  func tags() async throws(RemoteError) -> [String] {
    struct Page: Decodable { let tags: [String]? }
    var tags: [String] = []
    var path = "/tags/list"
    for _ in 0..<10_000 {
      let response = try await send(.GET, path, push: false, accept: [200], limit: Self.maximumManifestBytes)
      tags += try CanonicalJSON.decode(Page.self, from: response.body, what: "\(label): tag list").tags ?? []
      guard let link = response.headers.first(name: "Link"), let open = link.firstIndex(of: "<"),
        let close = link.firstIndex(of: ">"), open < close
      else { return tags }
      path = String(link[link.index(after: open)..<close])
    }
    return tags
  }

  /// Checks that the registry accepts the stored credential (for `login`).
  func checkAccess() async throws(RemoteError) {
    _ = try await send(.GET, "", push: false, accept: [200], root: true)
  }

  // MARK: - Requests

  var label: String { "oci://\(host)/\(repository)" }

  /// Sends a request to a path under `/v2/<repository>` (or `/v2/` itself with `root`), or to
  /// an absolute `Location`, answering auth challenges and retrying what may be retried.
  ///
  /// - Parameter accept: the statuses that are success; any other is an error naming the
  ///   registry's error code and message.
  private func send(
    _ method: HTTPMethod, _ path: String, push: Bool, accept: Set<UInt>, body: [UInt8]? = nil,
    headers: [String: String] = [:], limit: Int = 1 << 20, retrying: Bool = true, root: Bool = false,
    mountFrom: String? = nil
  ) async throws(RemoteError) -> Response {
    // Scopes are space-separated; a mount needs pull on its source too.
    let scope =
      root
      ? ""
      : "repository:\(repository):" + (push ? "pull,push" : "pull") + (mountFrom.map { " repository:\($0):pull" } ?? "")
    var attempt = 0
    // One challenge answered per request: a 401 on new credentials or a new token is final.
    var answeredChallenge = false
    var staleToken: String?
    while true {
      attempt += 1
      let url = try await url(for: path, root: root)
      var request = HTTPClientRequest(url: url)
      request.method = method
      for (name, value) in headers { request.headers.add(name: name, value: value) }
      let authorization: Authorization
      do {
        authorization = try await self.authorization(scope: scope, replacing: staleToken)
      } catch  where retrying && error.isRetryable {
        guard attempt < Self.maximumAttempts else { throw error.gaveUp(after: attempt) }
        try await Self.backoff(attempt, retryAfter: (error.underlying as? Transient)?.retryAfter)
        continue
      }
      if let header = authorization.header { request.headers.add(name: "Authorization", value: header) }
      if let body {
        request.body = .bytes(body)
        request.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
      }
      let response: Response
      do {
        let answer = try await client.execute(request, timeout: .seconds(300))
        let bytes = method == .HEAD ? ByteBuffer() : try await answer.body.collect(upTo: limit)
        response = Response(status: answer.status, headers: answer.headers, body: Array(buffer: bytes))
      } catch let error as NIOTooManyBytesError {
        throw RemoteError(.corrupted, "\(label): \(method) \(path): the answer is longer than expected (\(error))")
      } catch {
        let failure = Self.transportError(error, host: host)
        if retrying, failure.isRetryable {
          guard attempt < Self.maximumAttempts else { throw failure.gaveUp(after: attempt) }
          try await Self.backoff(attempt)
          continue
        }
        throw failure
      }
      if accept.contains(response.status.code) { return response }
      // A cached token the registry no longer takes (expired early, clocks apart, keys rotated) is
      // replaced once; a token fetched for this very request is not fetched again.
      if response.status == .unauthorized, !answeredChallenge, !authorization.fresh,
        let header = response.headers.first(name: "WWW-Authenticate"), let challenge = Self.parseChallenge(header)
      {
        answeredChallenge = true
        state.withLock { $0.challenge = challenge }
        staleToken = authorization.token
        attempt -= 1
        continue
      }
      let failure = error(for: response, method: method, path: path, sentToken: authorization.token != nil)
      if retrying, failure.isRetryable {
        guard attempt < Self.maximumAttempts else { throw failure.gaveUp(after: attempt) }
        try await Self.backoff(attempt, retryAfter: response.headers.first(name: "Retry-After"))
        continue
      }
      throw failure
    }
  }

  /// The error for an unexpected status, with the registry's own code and message.
  private func error(for response: Response, method: HTTPMethod, path: String, sentToken: Bool) -> RemoteError {
    struct Errors: Decodable {
      struct Entry: Decodable {
        let code: String?
        let message: String?
      }
      let errors: [Entry]?
    }
    let detail = (try? JSONDecoder().decode(Errors.self, from: Data(response.body)))?.errors?.first.map {
      [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ")
    }
    let what =
      "\(label): \(method) \(path.hasPrefix("http") ? "upload" : path): \(response.status.code)"
      + (detail.map { " \($0)" } ?? "")
    let category: ErrorCategory
    switch response.status.code {
    case 401 where sentToken:
      return RemoteError(
        .unauthenticated, "\(what): the registry refused the token its token service issued for \(host)")
    case 401:
      return RemoteError(
        .unauthenticated,
        credential == nil
          ? "\(what): the registry needs credentials; run `registry login \(host)`"
          : "\(what): the registry refused the credentials for \(host) (wrong user name or password?)")
    case 403: category = .permissionDenied
    case 404: category = .notFound
    case 429: category = .resourceExhausted
    case 500...599: category = .unavailable
    default: category = .invalidArgument
    }
    let transient = response.status.code == 429 || (500...599).contains(response.status.code)
    return RemoteError(
      category, what, underlying: transient ? Transient(retryAfter: response.headers.first(name: "Retry-After")) : nil)
  }

  private static func transportError(_ error: any Error, host: String) -> RemoteError {
    if let error = error as? RemoteError { return error }
    if error is NIOSSLError || String(describing: error).contains("handshake") {
      return RemoteError(
        .unavailable,
        "\(host): TLS failed (\(error)); trust the server's CA with --ca-file or SSL_CERT_FILE, or use --plain-http")
    }
    return RemoteError(.unavailable, "\(host): cannot reach the registry: \(error)", underlying: Transient())
  }

  /// Marks an error a retry may cure: a lost or refused connection, 429, 5xx; with the wait the
  /// server asked for, so an upload retried whole waits as long as a single request would.
  struct Transient: Error {
    var retryAfter: String?
  }

  private func url(for path: String, root: Bool) async throws(RemoteError) -> String {
    if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
    let scheme = try await scheme()
    if path.hasPrefix("/v2/") { return "\(scheme)://\(host)\(path)" }
    return root ? "\(scheme)://\(host)/v2/" : "\(scheme)://\(host)/v2/\(repository)\(path)"
  }

  /// The next request's URL from a `Location` header, absolute or relative.
  private func location(_ response: Response) throws(RemoteError) -> String {
    guard let location = response.headers.first(name: "Location"), !location.isEmpty else {
      throw RemoteError(.invalidArgument, "\(label): the registry gave no upload Location")
    }
    if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
    let scheme = state.withLock { $0.scheme } ?? "https"
    return "\(scheme)://\(host)" + (location.hasPrefix("/") ? "" : "/") + location
  }

  static func adding(digest: Digest, to location: String) -> String {
    location + (location.contains("?") ? "&" : "?") + "digest=sha256%3A" + digest.hex
  }

  /// HTTPS, unless `--plain-http`, or the host is loopback and does not answer TLS.
  private func scheme() async throws(RemoteError) -> String {
    if let scheme = state.withLock({ $0.scheme }) { return scheme }
    var chosen = plainHTTP ? "http" : "https"
    if !plainHTTP, Self.isLoopback(host) {
      // A plain HTTP registry answers this probe; a TLS one answers 400 (Go's "HTTP request to an
      // HTTPS server") or not at all. Probing TLS first would wait for a handshake that never ends.
      let probe = try? await client.execute(HTTPClientRequest(url: "http://\(host)/v2/"), timeout: .seconds(10))
      if let probe, probe.status != .badRequest { chosen = "http" }
    }
    state.withLock { $0.scheme = chosen }
    return chosen
  }

  /// `localhost`, `127.0.0.0/8` or `[::1]`, with or without a port.
  static func isLoopback(_ host: String) -> Bool {
    var name = host
    if name.hasPrefix("[") {
      name = String(name.prefix { $0 != "]" }.dropFirst())
      return name == "::1"
    }
    if let colon = name.lastIndex(of: ":") { name = String(name[..<colon]) }
    if name == "localhost" { return true }
    let parts = name.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
  }

  // MARK: - Auth

  /// The `Authorization` for a request in `scope`: none before the first challenge, the stored
  /// credential for Basic, else the cached bearer token unless it has expired or is `stale` (the
  /// registry refused it), in which case one fetch, shared with concurrent requests, gets another.
  private func authorization(scope: String, replacing stale: String?) async throws(RemoteError) -> Authorization {
    enum Source {
      case cached(String)
      case fetch(Task<String, any Error>)
    }
    guard let challenge = state.withLock({ $0.challenge }) else { return Authorization() }
    if challenge.scheme == "basic" { return Authorization(header: credential?.basicAuthorization) }
    let source = state.withLock { state -> Source in
      if let cached = state.tokens[scope], cached.expires > Date(), cached.token != stale {
        return .cached(cached.token)
      }
      if let running = state.fetching[scope] { return .fetch(running) }
      let task = Task { () async throws -> String in
        defer { self.state.withLock { _ = $0.fetching.removeValue(forKey: scope) } }
        return try await self.fetchToken(challenge, scope: scope)
      }
      state.fetching[scope] = task
      return .fetch(task)
    }
    switch source {
    case .cached(let token):
      return Authorization(header: "Bearer \(token)", token: token)
    case .fetch(let task):
      let token: String
      do { token = try await task.value } catch { throw RemoteError.wrap(error) }
      return Authorization(header: "Bearer \(token)", token: token, fresh: true)
    }
  }

  /// Gets a bearer token from the challenge's realm for `scope`, and caches it.
  private func fetchToken(_ challenge: Challenge, scope: String) async throws(RemoteError) -> String {
    guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm) else {
      throw RemoteError(.unauthenticated, "\(label): a Bearer challenge without a realm")
    }
    var query = components.queryItems ?? []
    if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
    for part in scope.split(separator: " ") { query.append(URLQueryItem(name: "scope", value: String(part))) }
    components.queryItems = query
    guard let url = components.string else { throw RemoteError(.unauthenticated, "\(label): bad realm \(realm)") }
    var request = HTTPClientRequest(url: url)
    if let credential { request.headers.add(name: "Authorization", value: credential.basicAuthorization) }
    struct Token: Decodable {
      let token: String?
      let accessToken: String?
      let expiresIn: Int?
      enum CodingKeys: String, CodingKey {
        case token
        case accessToken = "access_token"
        case expiresIn = "expires_in"
      }
    }
    let decoded: Token
    let asked = Date()
    do {
      let response = try await client.execute(request, timeout: .seconds(60))
      let body = try await response.body.collect(upTo: 1 << 20)
      // A token service that is down or busy may recover: retried like the registry itself.
      if response.status.code == 429 || (500...599).contains(response.status.code) {
        throw RemoteError(
          .unavailable, "\(label): the token service at \(components.host ?? realm) answered \(response.status.code)",
          underlying: Transient(retryAfter: response.headers.first(name: "Retry-After")))
      }
      guard response.status == .ok else {
        throw RemoteError(
          .unauthenticated,
          "\(label): the token service at \(components.host ?? realm) answered \(response.status.code)"
            + (credential == nil ? "; run `registry login \(host)`" : " (wrong user name or password?)"))
      }
      decoded = try CanonicalJSON.decode(Token.self, from: Array(buffer: body), what: "\(label): token")
    } catch {
      throw Self.transportError(error, host: host)
    }
    guard let token = decoded.token ?? decoded.accessToken, !token.isEmpty else {
      throw RemoteError(.unauthenticated, "\(label): the token service gave no token")
    }
    // Renew a little early (5 s, or a quarter of a short lifetime); the spec's default is 60 s.
    let lifetime = TimeInterval(decoded.expiresIn.flatMap { $0 > 0 ? $0 : nil } ?? 60)
    state.withLock { $0.tokens[scope] = (token, asked.addingTimeInterval(lifetime - min(5, lifetime / 4))) }
    return token
  }

  /// Parses `Basic realm="…"` or `Bearer realm="…",service="…",scope="…"`.
  static func parseChallenge(_ header: String) -> Challenge? {
    let trimmed = header.trimmingCharacters(in: .whitespaces)
    guard let space = trimmed.firstIndex(of: " ") else {
      return trimmed.isEmpty ? nil : Challenge(scheme: trimmed.lowercased(), parameters: [:])
    }
    let scheme = trimmed[..<space].lowercased()
    var parameters: [String: String] = [:]
    var rest = Substring(trimmed[trimmed.index(after: space)...])
    while let equals = rest.firstIndex(of: "=") {
      let key = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: " ,")).lowercased()
      rest = rest[rest.index(after: equals)...]
      var value = ""
      if rest.first == "\"" {
        rest = rest.dropFirst()
        while let character = rest.first, character != "\"" {
          if character == "\\" { rest = rest.dropFirst() }
          if let next = rest.first { value.append(next) }
          rest = rest.dropFirst()
        }
        rest = rest.dropFirst()
      } else {
        let end = rest.firstIndex(of: ",") ?? rest.endIndex
        value = String(rest[..<end])
        rest = rest[end...]
      }
      parameters[key] = value
    }
    return Challenge(scheme: scheme, parameters: parameters)
  }

  /// Waits 0.25 s, 0.5 s, 1 s, … (or what `Retry-After` asks, up to 10 s).
  static func backoff(_ attempt: Int, retryAfter: String? = nil) async throws(RemoteError) {
    var seconds = 0.25 * Double(1 << min(attempt - 1, 6))
    if let retryAfter, let asked = Double(retryAfter) ?? httpDate(retryAfter)?.timeIntervalSinceNow {
      seconds = min(max(asked, 0), 10)
    }
    do { try await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) } catch {
      throw RemoteError(.unavailable, "cancelled")
    }
  }
}

extension RegistryStore {
  /// An HTTP date (`Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`, RFC 9110's preferred form).
  static func httpDate(_ text: String) -> Date? {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    return formatter.date(from: text)
  }
}

extension RemoteError {
  /// 429, 5xx and lost connections may go away on their own; TLS and auth failures do not.
  var isRetryable: Bool { underlying is RegistryStore.Transient }

  /// The last failure of a request retried in vain, saying so; no longer retryable, so an
  /// enclosing retry loop does not multiply the attempts.
  func gaveUp(after attempts: Int) -> RemoteError {
    RemoteError(category, "\(message) (gave up after \(attempts) attempts)", file: file)
  }
}
