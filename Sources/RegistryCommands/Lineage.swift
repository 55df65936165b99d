import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
  /// `registry lineage REF`: ancestors and descendants.
  struct Lineage: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a version's ancestors and descendants.")
    @Argument(help: "NAME, NAME:VERSION or NAME@ALIAS") var reference: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let lineage = try store.open(.readOnly).lineage(try Reference(parsing: reference))
        if output.json {
          try Output.json(
            LineageJSON(
              version: lineage.version, ancestors: lineage.ancestors,
              descendants: lineage.descendants.map { LineageJSON.Descendant(depth: $0.depth, version: $0.version) }))
          return
        }
        for (index, ancestor) in lineage.ancestors.enumerated().reversed() {
          Output.line(
            String(repeating: "  ", count: lineage.ancestors.count - 1 - index)
              + "\(ancestor.reference)  \(ancestor.createdAt)  \(ancestor.message ?? "")")
        }
        let indent = String(repeating: "  ", count: lineage.ancestors.count)
        Output.line(
          indent
            + "\(lineage.version.reference)  \(lineage.version.createdAt)  \(lineage.version.message ?? "")  <- this version"
        )
        for descendant in lineage.descendants {
          Output.line(
            indent + String(repeating: "  ", count: descendant.depth)
              + "\(descendant.version.reference)  \(descendant.version.createdAt)  \(descendant.version.message ?? "")")
        }
      }
    }
  }
}

struct LineageJSON: Encodable {
  struct Descendant: Encodable {
    let depth: Int
    let version: VersionSummary
  }
  let version: VersionSummary
  let ancestors: [VersionSummary]
  let descendants: [Descendant]
}
