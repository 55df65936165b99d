import Foundation

/// Paths inside this repository, found from this file's own location.
public enum Repository {
  /// The repository's root directory.
  public static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// A file or directory that must exist, by its path relative to the root. Throws, naming it,
  /// when it does not, so a missing checkout never turns into a test that checks nothing.
  public static func path(_ relative: String) throws -> URL {
    let url = root.appendingPathComponent(relative)
    guard FileManager.default.fileExists(atPath: url.path) else { throw MissingFile(path: url.path) }
    return url
  }

  /// The SavedModels under `Fixtures/` that TensorFlow wrote (each `Fixtures/NAME/model`).
  public enum Fixtures {
    public static let root = Repository.root.appendingPathComponent("Fixtures")

    /// A fixture's `model` directory; throws when it is missing.
    public static func model(_ name: String) throws -> URL { try Repository.path("Fixtures/\(name)/model") }

    /// Every fixture's name, sorted. Throws when `Fixtures/` is missing or holds none, so a
    /// parameterised test over them can never run zero cases and pass.
    public static func names(having relative: String = "model") throws -> [String] {
      let entries = try FileManager.default.contentsOfDirectory(atPath: root.path)
      let names = entries.filter {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/\(relative)").path)
      }.sorted()
      guard !names.isEmpty else { throw MissingFile(path: root.appendingPathComponent("*/\(relative)").path) }
      return names
    }

    /// Copies a fixture's model into a fresh temporary directory that the caller may damage.
    public static func scratchCopy(_ name: String) throws -> URL {
      let copy = try makeTemporaryDirectory("fixture-\(name)").appendingPathComponent("model")
      try FileManager.default.copyItem(at: try model(name), to: copy)
      return copy
    }
  }
}

/// A file the tests need is not in the checkout.
public struct MissingFile: Error, CustomStringConvertible {
  public let path: String
  public var description: String { "\(path) is missing: the tests need the repository's committed files" }
}
