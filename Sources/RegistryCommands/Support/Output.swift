import ArgumentParser
import Foundation
import Registry

/// Writing results (stdout) and diagnostics (stderr).
///
/// Everything a command prints goes through here, so an in-process test can capture it with
/// `Output.$capture.withValue(…)` instead of spawning the binary.
enum Output {
  /// Set by in-process runs (tests) to collect what a command prints.
  @TaskLocal static var capture: OutputCapture?

  static func json<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    var data = try encoder.encode(value)
    data.append(UInt8(ascii: "\n"))
    standardOutput(data)
  }

  /// One line of human text; terminal control characters in it are escaped (`TerminalText`).
  static func line(_ text: String = "") {
    standardOutput(Data((TerminalText.escaped(text) + "\n").utf8))
  }

  /// Text printed as is (help and version output), ending in one newline.
  static func text(_ text: String) {
    standardOutput(Data(endingInNewline(text).utf8))
  }

  static func diagnostic(_ text: String) {
    standardError(Data("registry: \(TerminalText.escaped(text))\n".utf8))
  }

  /// Usage errors are printed as ArgumentParser words them (with the usage line), unprefixed.
  static func usage(_ text: String) {
    standardError(Data(endingInNewline(text).utf8))
  }

  private static func endingInNewline(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }

  private static func standardOutput(_ data: Data) {
    if let capture {
      capture.append(stdout: data)
    } else {
      FileHandle.standardOutput.write(data)
    }
  }

  private static func standardError(_ data: Data) {
    if let capture {
      capture.append(stderr: data)
    } else {
      FileHandle.standardError.write(data)
    }
  }
}

/// What an in-process run printed.
public final class OutputCapture: @unchecked Sendable {
  // @unchecked: both buffers are only touched under `lock`.
  private let lock = NSLock()
  private var out = Data()
  private var err = Data()

  public init() {}

  public var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
  public var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

  func append(stdout data: Data) { lock.withLock { out.append(data) } }
  func append(stderr data: Data) { lock.withLock { err.append(data) } }
}

/// Exit statuses, documented in docs/cli.md: 0 success, 1 a check found problems, 2 a usage
/// error, and each error category's own status (`ErrorCategory.exitStatus`).
enum ExitStatus {
  static let checkFailed = ExitCode(1)
  static let usage = ExitCode(2)

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
    throw report(error, json: json)
  } catch {
    throw report(UncategorizedError(error), json: json)
  }
}

/// Prints a failure (stderr, and the JSON error object on stdout with `--json`) and returns the
/// exit status for it.
func report(_ error: some CategorizedError, json: Bool) -> ExitCode {
  Output.diagnostic(error.message)
  if json { reportJSON(kind: error.category.rawValue, message: error.message, file: error.file) }
  return ExitStatus.of(error.category)
}

/// `{"error": {"kind": …, "message": …, "file": …}}` on stdout (docs/cli.md).
func reportJSON(kind: String, message: String, file: String? = nil) {
  var fields = ["kind": kind, "message": message]
  fields["file"] = file
  try? Output.json(["error": fields])
}
