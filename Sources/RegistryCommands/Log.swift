import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
  /// `registry log NAME`: the history of a model.
  struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the history of a model: who pushed what, when, with which message and aliases.")
    @Argument(help: "A model name.") var name: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let history = try store.open(.readOnly).history(name)
        if output.json {
          try Output.json([
            "model": AnyEncodable(name),
            "versions": AnyEncodable(history.map { LogJSON(version: $0.version, removedAt: $0.removedAt) }),
          ])
          return
        }
        for entry in history.reversed() {
          let version = entry.version
          let aliases = version.aliases.isEmpty ? "" : " (\(version.aliases.map { "@" + $0 }.joined(separator: ", ")))"
          let removed = entry.removedAt.map { " [removed \($0)]" } ?? ""
          Output.line("\(version.reference)\(aliases)\(removed)")
          Output.line("  \(version.createdAt) by \(version.createdBy)\(version.parent.map { ", parent \($0)" } ?? "")")
          Output.line("  \(humanBytes(version.logicalBytes)), \(humanBytes(version.newBytes)) new")
          if let message = version.message { Output.line("  \(message)") }
          Output.line()
        }
      }
    }
  }
}

struct LogJSON: Encodable {
  let version: VersionSummary
  let removedAt: String?
}
