import ArgumentParser

/// The `registry` command line. Each subcommand parses its arguments, calls the libraries and
/// renders the result as text or, with `--json`, as the documented JSON object (docs/cli.md).
@main
struct RegistryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "registry",
    abstract: "A content-addressed registry for TensorFlow SavedModels.",
    discussion: """
      Exit status: 0 on success, 1 when a check found problems, 2 for a usage error, \
      3 not found, 4 corrupted input, 5 unsupported input, 6 invalid argument, 7 I/O failure.
      """,
    version: "0.1.0",
    subcommands: [Inspect.self, Verify.self]
  )
}

/// Options every command takes.
struct OutputOptions: ParsableArguments {
  @Flag(name: .long, help: "Print one JSON object on stdout instead of text.")
  var json = false
}
