import ArgumentParser
import Foundation
import SavedModelFormat

/// Writing results and diagnostics, and turning failures into exit statuses.
enum Output {
  static func json<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
  }

  static func line(_ text: String = "") {
    print(text)
  }

  static func diagnostic(_ text: String) {
    FileHandle.standardError.write(Data("registry: \(text)\n".utf8))
  }
}

/// Exit statuses, documented in docs/cli.md.
enum ExitStatus {
  static let checkFailed = ExitCode(1)

  static func of(_ kind: FormatError.Kind) -> ExitCode {
    switch kind {
    case .notFound: return ExitCode(3)
    case .corrupted: return ExitCode(4)
    case .unsupported: return ExitCode(5)
    case .invalidArgument: return ExitCode(6)
    case .unavailable: return ExitCode(7)
    }
  }
}

/// Runs a command body, printing any `FormatError` as one line on stderr (and as a JSON error
/// object on stdout with `--json`) and exiting with the status for its kind.
func reportingErrors(json: Bool, _ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as FormatError {
    Output.diagnostic(error.description)
    if json {
      try? Output.json(
        ["error": ["kind": error.kind.rawValue, "file": error.file, "problem": error.problem]])
    }
    throw ExitStatus.of(error.kind)
  }
}
