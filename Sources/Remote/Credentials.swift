import Foundation
import RegistryCore

/// A user name and password (or identity token) for one registry host.
public struct Credential: Sendable, Equatable {
  public let username: String
  public let password: String

  public init(username: String, password: String) {
    self.username = username
    self.password = password
  }

  /// `Basic base64(user:password)`.
  var basicAuthorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }
}

/// Credentials where docker, podman and skopeo keep them: podman/skopeo's `auth.json`
/// (`$REGISTRY_AUTH_FILE`), then docker's `config.json` (`$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`), each an `auths` object keyed by host whose entries hold `auth`
/// (base64 of `user:password`) or `username` and `password`. `registry login` writes docker's file.
/// Credential helpers (`credsStore`, `credHelpers`) are not consulted.
public enum CredentialStore {
  /// docker's config file for this environment.
  public static func dockerConfigPath(_ environment: [String: String]) -> String {
    if let directory = environment["DOCKER_CONFIG"], !directory.isEmpty { return directory + "/config.json" }
    return (environment["HOME"] ?? NSHomeDirectory()) + "/.docker/config.json"
  }

  /// The files read, in order.
  static func paths(_ environment: [String: String]) -> [String] {
    var paths: [String] = []
    if let file = environment["REGISTRY_AUTH_FILE"], !file.isEmpty { paths.append(file) }
    paths.append(dockerConfigPath(environment))
    return paths
  }

  /// The credential for `host`, from the first file that has one.
  public static func credential(for host: String, environment: [String: String]) throws(RemoteError) -> Credential? {
    for path in paths(environment) {
      guard let object = try readObject(path), let auths = object["auths"] as? [String: Any] else { continue }
      let entry = (auths[host] ?? auths["https://\(host)"] ?? auths["http://\(host)"]) as? [String: Any]
      guard let entry else { continue }
      if let auth = entry["auth"] as? String, !auth.isEmpty {
        guard let decoded = Data(base64Encoded: auth).map({ String(decoding: $0, as: UTF8.self) }),
          let colon = decoded.firstIndex(of: ":")
        else {
          throw RemoteError(.invalidArgument, "\(path): the \"auth\" entry for \(host) is not base64 of user:password")
        }
        return Credential(
          username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
      }
      if let username = entry["username"] as? String, let password = entry["password"] as? String {
        return Credential(username: username, password: password)
      }
    }
    return nil
  }

  /// Records a credential in docker's config file, keeping everything else in it; the file is
  /// readable by its owner only.
  public static func store(_ credential: Credential, for host: String, environment: [String: String])
    throws(RemoteError)
  {
    let path = dockerConfigPath(environment)
    var object = try readObject(path) ?? [:]
    var auths = object["auths"] as? [String: Any] ?? [:]
    auths[host] = ["auth": Data("\(credential.username):\(credential.password)".utf8).base64EncodedString()]
    object["auths"] = auths
    try writeObject(object, to: path)
  }

  /// Removes a host's credential from docker's config file; false when there was none.
  public static func remove(host: String, environment: [String: String]) throws(RemoteError) -> Bool {
    let path = dockerConfigPath(environment)
    guard var object = try readObject(path), var auths = object["auths"] as? [String: Any],
      auths.removeValue(forKey: host) != nil
    else { return false }
    object["auths"] = auths
    try writeObject(object, to: path)
    return true
  }

  private static func readObject(_ path: String) throws(RemoteError) -> [String: Any]? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    guard Int64(data.count) <= Limits.current.fileBytes,
      let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    else {
      throw RemoteError(.invalidArgument, "\(path): not a JSON object", file: path)
    }
    return object
  }

  private static func writeObject(_ object: [String: Any], to path: String) throws(RemoteError) {
    do {
      let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
      let temporary = path + ".tmp-\(getpid())"
      guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
      else { throw RemoteError(.unavailable, "\(temporary): cannot create", file: temporary) }
      guard rename(temporary, path) == 0 else {
        throw RemoteError(.unavailable, "\(path): cannot replace: \(String(cString: strerror(errno)))", file: path)
      }
    } catch {
      throw RemoteError.wrap(error)
    }
  }
}
