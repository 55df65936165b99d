import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
  /// `registry sql "SELECT ..."`.
  struct SQL: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sql", abstract: "Run read-only SQL on the catalog (docs/catalog.md describes the tables).")
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
      }
    }
  }
}
