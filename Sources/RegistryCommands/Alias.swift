import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
  /// `registry alias set NAME@ALIAS VERSION` and `registry alias rm NAME@ALIAS`.
  struct Alias: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Point NAME@ALIAS at a version, or remove an alias.", subcommands: [Set.self, Remove.self])

    static func split(_ text: String) throws -> (model: String, alias: String) {
      guard let at = text.lastIndex(of: "@") else {
        throw ValidationError("expected NAME@ALIAS, got \"\(text)\"")
      }
      return (String(text[..<at]), String(text[text.index(after: at)...]))
    }

    struct Set: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Point NAME@ALIAS at NAME:VERSION.",
        discussion: """
          Moving an alias to a version whose serving signatures would break its callers (an input \
          or output removed, a dtype changed, a shape narrowed, a new required input) is refused \
          with the differences listed, unless --force.
          """)

      @Argument(help: "NAME@ALIAS") var target: String
      @Argument(help: "The version number (or a REF of the same model).") var version: String
      @Flag(name: .long, help: "Move it even if the signatures are incompatible.") var force = false
      @OptionGroup var store: StoreOptions
      @OptionGroup var output: OutputOptions

      func run() throws {
        let (model, alias) = try Alias.split(target)
        try reportingErrors(json: output.json) {
          let registry = try store.open()
          let number: Int
          if let value = Int(version) {
            number = value
          } else {
            let resolved = try registry.resolve(try Reference(parsing: version))
            guard resolved.model == model else {
              throw RegistryError(.invalidArgument, "\(version) is a version of \(resolved.model), not of \(model)")
            }
            number = resolved.number
          }
          let result = try registry.setAlias(alias, model: model, version: number, force: force)
          for problem in result.overridden { Output.diagnostic("warning: forced past: \(problem)") }
          if output.json {
            try Output.json(
              AliasJSON(
                model: model, alias: alias, version: number, previous: result.previous, overridden: result.overridden))
          } else {
            let from = result.previous.map { " (was \(model):\($0))" } ?? ""
            Output.line("\(model)@\(alias) -> \(model):\(number)\(from)")
          }
        }
      }
    }

    struct Remove: ParsableCommand {
      static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove NAME@ALIAS.")
      @Argument(help: "NAME@ALIAS") var target: String
      @OptionGroup var store: StoreOptions
      @OptionGroup var output: OutputOptions

      func run() throws {
        let (model, alias) = try Alias.split(target)
        try reportingErrors(json: output.json) {
          try store.open().removeAlias(alias, model: model)
          if output.json {
            try Output.json(["removed": "\(model)@\(alias)"])
          } else {
            Output.line("removed \(model)@\(alias)")
          }
        }
      }
    }
  }
}

struct AliasJSON: Encodable {
  let model: String
  let alias: String
  let version: Int
  let previous: Int?
  let overridden: [SignatureIncompatibility]
}
