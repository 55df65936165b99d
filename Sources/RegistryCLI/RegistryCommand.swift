import ArgumentParser
import Foundation
import Registry

/// The `registry` command line. Each subcommand parses its arguments, calls the libraries and
/// renders the result as text or, with `--json`, as the documented JSON object (docs/cli.md).
@main
struct RegistryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "registry",
    abstract: "A content-addressed registry for TensorFlow SavedModels.",
    discussion: """
      Exit status: 0 on success, 1 when a check found problems, 2 for a usage error, \
      3 not found, 4 corrupted input, 5 unsupported input, 6 invalid argument, 7 I/O failure, \
      8 already exists, 9 failed precondition.
      """,
    version: "0.1.0",
    subcommands: [
      Push.self, Pull.self, List.self, Show.self, Inspect.self, Verify.self, Diff.self, Alias.self, Meta.self,
      Lineage.self, Log.self, Identify.self, Query.self, SQL.self, Events.self, Remove.self, Collect.self, Fsck.self, Run.self,
    ]
  )

  /// Lets `--store` stand before the subcommand too (`registry --store S push ...`).
  @OptionGroup var store: StoreOptions
}

/// Where the store is: `--store`, else `$REGISTRY_STORE`, else a per-user default.
struct StoreOptions: ParsableArguments {
  @Option(name: .long, help: "The store directory (default: $REGISTRY_STORE, else ~/.local/share/registry).")
  var store: String?

  func open(_ access: Registry.Access = .readWrite) throws(RegistryError) -> Registry {
    try Registry(root: store.map { URL(fileURLWithPath: $0) } ?? Registry.defaultRoot(), access: access)
  }
}

/// Options every command takes.
struct OutputOptions: ParsableArguments {
  @Flag(name: .long, help: "Print one JSON object on stdout instead of text.")
  var json = false
}
