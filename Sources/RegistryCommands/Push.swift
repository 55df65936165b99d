import ArgumentParser
import Foundation
import Registry

extension RegistryCommand {
  /// `registry push DIR --name NAME`: store a SavedModel directory as a new version.
  struct Push: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Store a SavedModel directory as a new version of a model.",
      discussion: """
        The directory is checked first (graph, fingerprint, index and every tensor's CRC32C); \
        nothing is stored if any check fails. Files are stored as deduplicated objects, each \
        tensor its own object, and the version becomes visible in one transaction. Pushing a \
        directory identical to the model's latest version makes no new version and stores nothing.
        """)

    @Argument(help: "The SavedModel directory.")
    var directory: String

    @Option(name: .long, help: "The model to add a version to (created on first push).")
    var name: String

    @Option(name: .long, help: "Point NAME@ALIAS at the new version (repeatable).")
    var alias: [String] = []

    @Option(name: .long, help: "Record KEY=VALUE metadata with the version (repeatable).")
    var meta: [String] = []

    @Option(
      name: .long,
      help:
        "The version this one derives from (NAME, NAME:VERSION or NAME@ALIAS), or 'auto' for the version sharing the most tensor bytes."
    )
    var parent: String?

    @Option(name: .long, help: "A message describing the version.")
    var message: String?

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
      for item in meta where !item.contains("=") || item.hasPrefix("=") {
        throw ValidationError("--meta takes KEY=VALUE, got \"\(item)\"")
      }
    }

    func run() throws {
      try reportingErrors(json: output.json) {
        var options = PushOptions(model: name)
        options.aliases = alias
        options.message = message
        if parent == "auto" {
          options.inferParent = true
        } else {
          options.parent = try parent.map { text throws(RegistryError) in try Reference(parsing: text) }
        }
        for item in meta {
          let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
          options.metadata[String(parts[0])] = String(parts[1])
        }
        let result = try store.open().push(URL(fileURLWithPath: directory), options)
        for field in result.fingerprintWarnings {
          Output.diagnostic("warning: fingerprint.pb field \(field) does not match the files (stored as is)")
        }
        if output.json {
          try Output.json(result)
          return
        }
        if result.created {
          Output.line("Pushed \(result.reference)")
        } else {
          Output.line("Unchanged: identical to \(result.reference), the latest version; no new version made")
        }
        Output.line(
          "  \(result.files) files, \(humanBytes(result.logicalBytes)); \(result.objects) objects, \(result.newObjects) new"
        )
        Output.line(
          "  new: \(humanBytes(result.newBytes)) (\(humanBytes(result.storedBytes)) on disk); already stored: \(humanBytes(result.reusedBytes))"
        )
        Output.line("  manifest \(result.manifest)")
        if let parent = result.parent, result.created { Output.line("  parent \(parent)") }
        if let suggested = result.suggestedParent, let shared = result.suggestedParentSharedBytes, result.created {
          Output.line(
            "  hint: shares \(humanBytes(shared)) of tensors with \(suggested); pass --parent \(suggested) (or --parent auto) to record lineage"
          )
        }
      }
    }
  }
}
