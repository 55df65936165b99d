import ArgumentParser
import Foundation
import Registry

extension RegistryCommand {
  /// `registry pull REF --to DIR`: write a version out as a SavedModel directory.
  struct Pull: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a version out as a byte-identical, verified SavedModel directory.",
      discussion: """
        Files are written into a temporary directory beside the target, every object and file \
        is checked against its SHA-256, and the directory is renamed into place only when \
        complete, so the target is either the whole version or untouched.
        """)

    @Argument(help: "NAME (latest), NAME:VERSION or NAME@ALIAS.")
    var reference: String

    @Option(name: .long, help: "The directory to create.")
    var to: String

    @Flag(name: .long, help: "Replace the target if it exists.")
    var force = false

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let reference = try Reference(parsing: reference)
        let result = try store.open(.readOnly).pull(reference, to: URL(fileURLWithPath: to), replacing: force)
        if output.json {
          try Output.json(result)
        } else {
          Output.line(
            "Pulled \(result.reference) to \(result.target) (\(result.files) files, \(humanBytes(result.bytes)), verified)"
          )
        }
      }
    }
  }
}
