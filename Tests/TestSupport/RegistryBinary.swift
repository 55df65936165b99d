import Foundation

/// The built `registry` binary, for tests that run it as users do (a test target that uses it
/// depends on `RegistryCLI`, so SwiftPM builds it next to the test bundle).
public enum RegistryBinary {
  /// `$REGISTRY_BINARY`, else the `registry` nearest the test bundle, else `.build/debug/registry`.
  public static let url: URL = {
    if let path = ProcessInfo.processInfo.environment["REGISTRY_BINARY"] {
      return URL(fileURLWithPath: path)
    }
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = directory.appendingPathComponent("registry")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return Repository.root.appendingPathComponent(".build/debug/registry")
  }()
}
