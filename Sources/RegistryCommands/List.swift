import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
  /// `registry list [NAME]`: models, or the versions of one model.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List models, or the versions of one model.")

    @Argument(help: "A model name; without it, every model is listed.")
    var name: String?

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let registry = try store.open(.readOnly)
        if let name {
          let versions = try registry.versions(of: name)
          if output.json {
            try Output.json(["model": AnyEncodable(name), "versions": AnyEncodable(versions)])
            return
          }
          let rows = versions.map { version in
            [
              String(version.number), version.createdAt, version.createdBy, String(version.fileCount),
              humanBytes(version.logicalBytes), humanBytes(version.newBytes), version.aliases.joined(separator: ","),
              version.message ?? "",
            ]
          }
          Table.print(
            header: ["version", "created", "by", "files", "size", "new", "aliases", "message"], rows: rows, indent: 0)
        } else {
          let models = try registry.models()
          if output.json {
            try Output.json(["models": models])
            return
          }
          if models.isEmpty {
            Output.line("No models in \(registry.root.path)")
            return
          }
          let rows = models.map { model in
            [
              model.name, String(model.versionCount), model.latestVersion.map(String.init) ?? "-",
              model.latestAt ?? "-", humanBytes(model.logicalBytes),
              model.aliases.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
            ]
          }
          Table.print(header: ["model", "versions", "latest", "updated", "size", "aliases"], rows: rows, indent: 0)
        }
      }
    }
  }
}
