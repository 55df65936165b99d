import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
  /// `registry events [NAME]`.
  struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the event log: pushes, alias moves, metadata changes, removals, collections.")
    @Argument(help: "Only this model's events.") var name: String?
    @Option(name: .long, help: "How many of the most recent events.") var limit = 50
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let events = try store.open(.readOnly).events(model: name, limit: limit)
        if output.json {
          try Output.json(["events": events])
          return
        }
        Table.print(
          header: ["at", "actor", "action", "version", "detail"],
          rows: events.map { event in
            let subject = event.model.map { model in event.version.map { "\(model):\($0)" } ?? model } ?? "-"
            return [event.at, event.actor, event.action, subject, event.detail]
          }, indent: 0)
      }
    }
  }
}
