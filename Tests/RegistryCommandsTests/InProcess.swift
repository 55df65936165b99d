import Foundation
import RegistryTestSupport
import Testing

@testable import RegistryCommands

/// Runs `registry` commands inside the test process: parsed and run by `RegistryCommand.run`,
/// with everything they print captured.
enum InProcess {
  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  static func run(_ arguments: [String]) -> Result {
    let capture = OutputCapture()
    let status = Output.$capture.withValue(capture) { RegistryCommand.run(arguments: arguments) }
    return Result(status: status, stdout: capture.stdout, stderr: capture.stderr)
  }

  static func run(_ arguments: String...) -> Result { run(arguments) }
}

/// The shape of a JSON document: its keys and the kinds of its values, without the values, so a
/// snapshot pins the contract (names, nesting, types) and not this run's digests and times.
enum JSONShape {
  indirect enum Value: Decodable, Hashable {
    case null, bool, number, string
    case array([Value])
    case object([String: Value])

    init(from decoder: any Decoder) throws {
      let container = try decoder.singleValueContainer()
      if container.decodeNil() {
        self = .null
      } else if (try? container.decode(Bool.self)) != nil {
        self = .bool
      } else if (try? container.decode(Double.self)) != nil {
        self = .number
      } else if (try? container.decode(String.self)) != nil {
        self = .string
      } else if let array = try? container.decode([Value].self) {
        self = .array(array)
      } else {
        self = .object(try container.decode([String: Value].self))
      }
    }
  }

  /// The shape as indented text: `key: string`, arrays as the distinct shapes of their elements.
  static func describe(_ json: String) throws -> String {
    let value = try JSONDecoder().decode(Value.self, from: Data(json.utf8))
    return render(value, indent: 0) + "\n"
  }

  private static func render(_ value: Value, indent: Int) -> String {
    let pad = String(repeating: "  ", count: indent + 1)
    switch value {
    case .null: return "null"
    case .bool: return "bool"
    case .number: return "number"
    case .string: return "string"
    case .array(let elements):
      let shapes = Array(Set(elements.map { render($0, indent: indent + 1) })).sorted()
      if shapes.isEmpty { return "[]" }
      return "[\n" + shapes.map { pad + $0 }.joined(separator: "\n" + pad + "|\n") + "\n"
        + String(repeating: "  ", count: indent) + "]"
    case .object(let fields):
      if fields.isEmpty { return "{}" }
      let lines = fields.keys.sorted().map { key in
        pad + key + ": " + render(fields[key] ?? .null, indent: indent + 1)
      }
      return "{\n" + lines.joined(separator: "\n") + "\n" + String(repeating: "  ", count: indent) + "}"
    }
  }
}

/// Text files under `Tests/RegistryCommandsTests/Snapshots/` that pin long outputs. A change to a
/// pinned output fails the test with both texts; `RECORD_SNAPSHOTS=1 swift test` rewrites them
/// (then review the diff and commit it).
enum Snapshot {
  static let directory = Repository.root.appendingPathComponent("Tests/RegistryCommandsTests/Snapshots")

  static func check(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = directory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try actual.write(to: url, atomically: true, encoding: .utf8)
      return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
      Issue.record(
        "no snapshot \(name); record it with RECORD_SNAPSHOTS=1 and commit it", sourceLocation: sourceLocation)
      return
    }
    #expect(actual == expected, "snapshot \(name) differs", sourceLocation: sourceLocation)
  }
}
