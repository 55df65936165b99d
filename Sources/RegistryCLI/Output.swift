import ArgumentParser
import Foundation
import Registry
import RegistryCore

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

  static func of(_ category: ErrorCategory) -> ExitCode {
    ExitCode(category.exitStatus)
  }
}

/// Runs a command body, printing a failure as one line on stderr (and as a JSON error object on
/// stdout with `--json`) and exiting with the status for its category.
func reportingErrors(json: Bool, _ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as ExitCode {
    throw error
  } catch let error as any CategorizedError {
    try fail(json: json, error)
  } catch {
    try fail(json: json, UncategorizedError(error))
  }
}

private func fail(json: Bool, _ error: some CategorizedError) throws -> Never {
  Output.diagnostic(error.message)
  if json {
    var fields = ["kind": error.category.rawValue, "message": error.message]
    fields["file"] = error.file
    try? Output.json(["error": fields])
  }
  throw ExitStatus.of(error.category)
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
