import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
  /// `registry query ...`.
  struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Find versions by tensor, object digest, op, signature dtype, metadata or model.",
      discussion: """
        Each option may repeat; values of one option match if any matches (IN). Different options \
        must all match (AND), or any of them with --any (OR). Example: registry query --op Einsum \
        --op MatMul --meta team=search --input-dtype DT_STRING
        """)
    @Option(name: .long, help: "Model name.") var model: [String] = []
    @Option(name: .long, help: "Tensor (checkpoint key) name.") var tensor: [String] = []
    @Option(name: .long, help: "Tensor or object digest (sha256:...).") var digest: [String] = []
    @Option(name: .long, help: "Op type, e.g. Einsum.") var op: [String] = []
    @Option(name: .customLong("input-dtype"), help: "A serving signature input dtype, e.g. DT_STRING.") var inputDtype:
      [String] = []
    @Option(name: .customLong("output-dtype"), help: "A serving signature output dtype.") var outputDtype: [String] = []
    @Option(name: .long, help: "Metadata KEY or KEY=VALUE.") var meta: [String] = []
    @Flag(name: .customLong("any"), help: "Match versions satisfying any option instead of all.") var matchAny = false
    @Flag(name: .customLong("include-removed"), help: "Include removed versions.") var includeRemoved = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        var query = VersionQuery()
        query.models = model
        query.tensorNames = tensor
        query.digests = digest
        query.ops = op
        query.inputDtypes = inputDtype
        query.outputDtypes = outputDtype
        query.metadata = meta
        query.matchAll = !matchAny
        query.includeRemoved = includeRemoved
        let versions = try store.open(.readOnly).query(query)
        if output.json {
          try Output.json(["versions": versions])
          return
        }
        Table.print(
          header: ["version", "created", "by", "size", "aliases", "message"],
          rows: versions.map {
            [
              $0.reference, $0.createdAt, $0.createdBy, humanBytes($0.logicalBytes), $0.aliases.joined(separator: ","),
              $0.message ?? "",
            ]
          }, indent: 0)
      }
    }
  }
}
