import ArgumentParser
import Foundation
import Registry

/// The `registry` command line. Each subcommand parses its arguments, calls the libraries and
/// renders the result as text or, with `--json`, as the documented JSON object (docs/cli.md).
///
/// The commands live in this library, one per file, so tests can parse and run them in process;
/// the `registry` executable only calls `RegistryCommand.run(arguments:)`.
public struct RegistryCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "registry",
    abstract: "A content-addressed registry for TensorFlow SavedModels.",
    discussion: """
      Exit status: 0 on success, 1 when a check found problems, 2 for a usage error, \
      3 not found, 4 corrupted input, 5 unsupported input, 6 invalid argument, 7 I/O failure, \
      8 already exists, 9 failed precondition, 10 a limit exceeded, 11 deadline exceeded, \
      12 permission denied, 13 unauthenticated, 70 internal error (docs/cli.md).
      """,
    version: "0.2.0",
    subcommands: [
      Push.self, Pull.self, List.self, Show.self, Inspect.self, Verify.self, Diff.self, Alias.self, Meta.self,
      Lineage.self, Log.self, Identify.self, Query.self, SQL.self, Events.self, Remove.self, GC.self, Fsck.self,
      Run.self, Ops.self, Serve.self, Card.self, Export.self, Import.self, Tags.self, Login.self, Logout.self,
    ]
  )

  /// Lets `--store` stand before the subcommand too (`registry --store S push ...`).
  @OptionGroup var store: StoreOptions

  public init() {}

  /// Parses `arguments` (without the program name), runs the command and returns its exit
  /// status. Never exits the process and never lets an error escape: a usage error exits 2, a
  /// failure its category's status, and an error nothing categorised is reported as `internal`
  /// (70) — with `--json`, each as the `{"error": …}` object on stdout.
  public static func run(arguments: [String]) -> Int32 {
    let json = arguments.prefix { $0 != "--" }.contains("--json")
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
      return 0
    } catch let status as ExitCode {
      return status.rawValue
    } catch {
      let status = exitCode(for: error)
      if status == .success {
        // --help, --version and help for a subcommand.
        Output.text(fullMessage(for: error))
        return 0
      }
      if status == .validationFailure {
        let message = fullMessage(for: error)
        Output.usage(message)
        if json { reportJSON(kind: "usage", message: Self.firstLine(of: message)) }
        return ExitStatus.usage.rawValue
      }
      let failure = error as? any CategorizedError ?? UncategorizedError(error)
      return report(failure, json: json).rawValue
    }
  }
}

extension RegistryCommand {
  /// The first line of ArgumentParser's usage message, without its `Error: ` prefix.
  static func firstLine(of message: String) -> String {
    let line = message.split(separator: "\n").first.map(String.init) ?? message
    return line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line
  }
}
