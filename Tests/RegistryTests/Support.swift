import ContentStore
import Foundation
import Registry
import RegistryCore
import RegistryTestSupport

enum TestSupport {
  static let repoRoot = Repository.root
  static let fixtures = Repository.Fixtures.root

  /// Every fixture; throws (failing the test) when `Fixtures/` is missing or empty.
  static func fixtureNames() throws -> [String] { try Repository.Fixtures.names() }

  static func model(_ name: String) -> URL { fixtures.appendingPathComponent("\(name)/model") }

  static func temporaryDirectory(_ label: String) throws -> URL { try makeTemporaryDirectory(label) }

  static func newRegistry() throws -> Registry {
    try Registry(root: try temporaryDirectory("registry-store"))
  }

  /// Copies a fixture somewhere the test may change it, restoring the empty directories
  /// TensorFlow wrote (such as `assets/`), which a git checkout does not keep.
  static func copy(_ name: String) throws -> URL {
    let target = try temporaryDirectory("model").appendingPathComponent("model")
    try FileManager.default.copyItem(at: model(name), to: target)
    let facts = fixtures.appendingPathComponent("\(name)/reference/facts.json")
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: facts)) as? [String: Any]
    for directory in object?["empty_directories"] as? [String] ?? [] {
      try FileManager.default.createDirectory(
        at: target.appendingPathComponent(directory), withIntermediateDirectories: true)
    }
    return target
  }

  /// Every file and directory below `root`: path -> (kind, mode, sha256 of content).
  static func tree(_ root: URL) throws -> [String: String] {
    var result: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root.path)
    while let relative = enumerator?.nextObject() as? String {
      let path = root.appendingPathComponent(relative).path
      let attributes = try FileManager.default.attributesOfItem(atPath: path)
      let mode = String((attributes[.posixPermissions] as? Int) ?? 0, radix: 8)
      if (attributes[.type] as? FileAttributeType) == .typeDirectory {
        result[relative] = "dir \(mode)"
      } else {
        result[relative] = "file \(mode) \(Digest.of([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))))"
      }
    }
    return result
  }

  /// Every object file in a store.
  static func objectFiles(_ registry: Registry) -> [String] {
    let root = registry.objects.root.appendingPathComponent("sha256").path
    let enumerator = FileManager.default.enumerator(atPath: root)
    var files: [String] = []
    while let relative = enumerator?.nextObject() as? String {
      if relative.count == 70 { files.append(relative) }  // "ab/cd/<64 hex>"
    }
    return files
  }
}
