import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
  /// `registry sql "SELECT ..."`.
  struct SQL: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sql", abstract: "Run read-only SQL on the catalog (docs/catalog.md describes the tables).",
      discussion: """
        Limits (docs/security.md): 10 s per statement (exit 11 past it), values and results of at \
        most 64 MiB, at most 10,000 rows; a cut result says so on stderr and in `truncated` with \
        --json. REGISTRY_LIMIT_SQL_SECONDS, _SQL_BYTES and _SQL_ROWS raise them.
        """)
    @Argument(help: "One SQL statement that only reads.") var statement: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let result = try store.open(.readOnly).sql(statement)
        if output.json {
          try Output.json(result)
        } else {
          Table.print(header: result.columns, rows: result.rows.map { $0.map { $0 ?? "NULL" } }, indent: 0)
        }
        if let truncated = result.truncated { Output.diagnostic("result \(truncated)") }
      }
    }
  }
}
