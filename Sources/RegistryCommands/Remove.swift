import ArgumentParser
import Foundation
import Registry

extension RegistryCommand {
  /// `registry rm REF`.
  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rm",
      abstract: "Remove a version: it leaves list and pull; gc later frees the bytes no other version uses.",
      discussion: "Refused while an alias points at the version; move or remove the alias first.")
    @Argument(help: "NAME:VERSION or NAME@ALIAS (NAME alone removes the latest version).") var reference: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let removed = try store.open().remove(try Reference(parsing: reference))
        if output.json {
          try Output.json(["removed": removed.reference])
        } else {
          Output.line("removed \(removed.reference); run `registry gc` to free its unshared bytes")
        }
      }
    }
  }
}
