import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
  /// `registry meta set REF KEY=VALUE...` and `registry meta rm REF KEY...`.
  struct Meta: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Set or remove metadata on a version.", subcommands: [Set.self, Remove.self])

    struct Set: ParsableCommand {
      static let configuration = CommandConfiguration(commandName: "set", abstract: "Set KEY=VALUE pairs on a version.")
      @Argument(help: "NAME, NAME:VERSION or NAME@ALIAS") var reference: String
      @Argument(help: "KEY=VALUE pairs") var pairs: [String]
      @OptionGroup var store: StoreOptions
      @OptionGroup var output: OutputOptions

      func validate() throws {
        for pair in pairs where !pair.contains("=") || pair.hasPrefix("=") {
          throw ValidationError("expected KEY=VALUE, got \"\(pair)\"")
        }
      }

      func run() throws {
        try reportingErrors(json: output.json) {
          let registry = try store.open()
          let reference = try Reference(parsing: reference)
          for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            try registry.setMetadata(reference, key: String(parts[0]), value: String(parts[1]))
          }
          let detail = try registry.detail(reference)
          if output.json {
            try Output.json([
              "reference": AnyEncodable(detail.version.reference), "metadata": AnyEncodable(detail.metadata),
            ])
          } else {
            for (key, value) in detail.metadata.sorted(by: { $0.key < $1.key }) { Output.line("\(key)=\(value)") }
          }
        }
      }
    }

    struct Remove: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove keys from a version's metadata.")
      @Argument(help: "NAME, NAME:VERSION or NAME@ALIAS") var reference: String
      @Argument(help: "Keys") var keys: [String]
      @OptionGroup var store: StoreOptions
      @OptionGroup var output: OutputOptions

      func run() throws {
        try reportingErrors(json: output.json) {
          let registry = try store.open()
          let reference = try Reference(parsing: reference)
          for key in keys { try registry.removeMetadata(reference, key: key) }
          if output.json {
            try Output.json(["removed": keys])
          } else {
            Output.line("removed \(keys.joined(separator: ", "))")
          }
        }
      }
    }
  }
}
