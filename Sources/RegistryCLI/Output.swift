import ArgumentParser
import Foundation
import Registry
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
    of(RegistryError.Kind(kind))
  }
}

extension ExitStatus {
  static func of(_ kind: RegistryError.Kind) -> ExitCode {
    switch kind {
    case .notFound: return ExitCode(3)
    case .corrupted: return ExitCode(4)
    case .unsupported: return ExitCode(5)
    case .invalidArgument: return ExitCode(6)
    case .unavailable: return ExitCode(7)
    case .alreadyExists: return ExitCode(8)
    case .failedPrecondition: return ExitCode(9)
    }
  }
}

/// Runs a command body, printing a failure of the libraries as one line on stderr (and as a JSON
/// error object on stdout with `--json`) and exiting with the status for its kind.
func reportingErrors(json: Bool, _ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as FormatError {
    try fail(json: json, kind: error.kind.rawValue, message: error.description, file: error.file, status: ExitStatus.of(error.kind))
  } catch let error as RegistryError {
    try fail(json: json, kind: error.kind.rawValue, message: error.message, file: nil, status: ExitStatus.of(error.kind))
  }
}

private func fail(json: Bool, kind: String, message: String, file: String?, status: ExitCode) throws -> Never {
  Output.diagnostic(message)
  if json {
    var fields = ["kind": kind, "message": message]
    fields["file"] = file
    try? Output.json(["error": fields])
  }
  throw status
}

/// Byte counts for people: `12.3 MB` (SI units, as `ls -h --si` and disk vendors use).
func humanBytes(_ bytes: Int64) -> String {
  let units = ["B", "kB", "MB", "GB", "TB"]
  var value = Double(bytes)
  var unit = 0
  while value >= 1000, unit < units.count - 1 {
    value /= 1000
    unit += 1
  }
  return unit == 0 ? "\(bytes) B" : String(format: "%.1f ", value) + units[unit]
}
