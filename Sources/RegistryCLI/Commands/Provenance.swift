import ArgumentParser
import Catalog
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
            try Output.json(AliasJSON(model: model, alias: alias, version: number, previous: result.previous, overridden: result.overridden))
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
            try Output.json(["reference": AnyEncodable(detail.version.reference), "metadata": AnyEncodable(detail.metadata)])
          } else {
            for (key, value) in detail.metadata.sorted(by: { $0.key < $1.key }) { Output.line("\(key)=\(value)") }
          }
        }
      }
    }

    struct Remove: ParsableCommand {
      static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove keys from a version's metadata.")
      @Argument(help: "NAME, NAME:VERSION or NAME@ALIAS") var reference: String
      @Argument(help: "Keys") var keys: [String]
      @OptionGroup var store: StoreOptions
      @OptionGroup var output: OutputOptions

      func run() throws {
        try reportingErrors(json: output.json) {
          let registry = try store.open()
          let reference = try Reference(parsing: reference)
          for key in keys { try registry.removeMetadata(reference, key: key) }
          if output.json { try Output.json(["removed": keys]) } else { Output.line("removed \(keys.joined(separator: ", "))") }
        }
      }
    }
  }

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
          Output.line(String(repeating: "  ", count: lineage.ancestors.count - 1 - index) + "\(ancestor.reference)  \(ancestor.createdAt)  \(ancestor.message ?? "")")
        }
        let indent = String(repeating: "  ", count: lineage.ancestors.count)
        Output.line(indent + "\(lineage.version.reference)  \(lineage.version.createdAt)  \(lineage.version.message ?? "")  <- this version")
        for descendant in lineage.descendants {
          Output.line(
            indent + String(repeating: "  ", count: descendant.depth)
              + "\(descendant.version.reference)  \(descendant.version.createdAt)  \(descendant.version.message ?? "")")
        }
      }
    }
  }

  /// `registry log NAME`: the history of a model.
  struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the history of a model: who pushed what, when, with which message and aliases.")
    @Argument(help: "A model name.") var name: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let history = try store.open(.readOnly).history(name)
        if output.json {
          try Output.json(["model": AnyEncodable(name), "versions": AnyEncodable(history.map { LogJSON(version: $0.version, removedAt: $0.removedAt) })])
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

  /// `registry diff REF REF`.
  struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show what changed between two versions: tag sets, signatures, ops, tensors, files, bytes added.")
    @Argument(help: "The earlier version.") var first: String
    @Argument(help: "The later version.") var second: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let diff = try store.open(.readOnly).diff(try Reference(parsing: first), try Reference(parsing: second))
        if output.json {
          try Output.json(diff)
        } else {
          DiffText.render(diff)
        }
      }
    }
  }

  /// `registry identify DIR`.
  struct Identify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Say which stored versions a SavedModel directory is, or which it is closest to.")
    @Argument(help: "A SavedModel directory.") var directory: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let result = try store.open(.readOnly).identify(URL(fileURLWithPath: directory))
        if output.json {
          try Output.json(result)
          return
        }
        Output.line("\(result.path): \(humanBytes(result.logicalBytes)), manifest \(result.manifest)")
        Output.line(result.identical.isEmpty ? "identical to: no stored version" : "identical to: \(result.identical.joined(separator: ", "))")
        if !result.sameFingerprint.isEmpty {
          Output.line("same fingerprint (singleprint) as: \(result.sameFingerprint.joined(separator: ", "))")
        }
        if !result.closest.isEmpty {
          Output.line("closest by shared bytes:")
          for candidate in result.closest {
            Output.line(String(format: "  %@  %@ shared (%.1f%%)", candidate.reference, humanBytes(candidate.sharedBytes), candidate.sharedFraction * 100))
          }
        }
      }
    }
  }

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
    @Option(name: .customLong("input-dtype"), help: "A serving signature input dtype, e.g. DT_STRING.") var inputDtype: [String] = []
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
            [$0.reference, $0.createdAt, $0.createdBy, humanBytes($0.logicalBytes), $0.aliases.joined(separator: ","), $0.message ?? ""]
          }, indent: 0)
      }
    }
  }

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

  /// `registry events [NAME]`.
  struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the event log: pushes, alias moves, metadata changes, removals, collections.")
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

struct AliasJSON: Encodable {
  let model: String
  let alias: String
  let version: Int
  let previous: Int?
  let overridden: [SignatureIncompatibility]
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

struct LogJSON: Encodable {
  let version: VersionSummary
  let removedAt: String?
}

enum DiffText {
  static func render(_ diff: VersionDiff) {
    Output.line("diff \(diff.from) \(diff.to)")
    if diff.isEmpty {
      Output.line("  no differences in tag sets, signatures, ops, tensors or files")
    }
    for tags in diff.tagsAdded { Output.line("+ tag set \(tags.joined(separator: ","))") }
    for tags in diff.tagsRemoved { Output.line("- tag set \(tags.joined(separator: ","))") }
    for change in diff.signatures {
      let mark = change.change == "added" ? "+" : (change.change == "removed" ? "-" : "~")
      Output.line("\(mark) signature \(change.key)")
      for detail in change.details { Output.line("    \(detail)") }
    }
    if !diff.opsAdded.isEmpty { Output.line("+ ops \(diff.opsAdded.joined(separator: ", "))") }
    if !diff.opsRemoved.isEmpty { Output.line("- ops \(diff.opsRemoved.joined(separator: ", "))") }
    for tensor in diff.tensorsAdded {
      Output.line("+ tensor \(tensor.name) \(tensor.dtype) \(describeShape(tensor.shape)) \(humanBytes(tensor.size))")
    }
    for tensor in diff.tensorsRemoved {
      Output.line("- tensor \(tensor.name) \(tensor.dtype) \(describeShape(tensor.shape)) \(humanBytes(tensor.size))")
    }
    for tensor in diff.tensorsChanged {
      var line = "~ tensor \(tensor.name)"
      if tensor.dtype.before != tensor.dtype.after { line += " dtype \(tensor.dtype.before) -> \(tensor.dtype.after)" }
      if tensor.shape.before != tensor.shape.after {
        line += " shape \(describeShape(tensor.shape.before)) -> \(describeShape(tensor.shape.after))"
      }
      line += " \(humanBytes(tensor.size.after))"
      if let maximum = tensor.maxAbsDifference, let mean = tensor.meanAbsDifference, let count = tensor.elementsChanged {
        line += String(format: "; %d elements differ, max |Δ| %.6g, mean |Δ| %.6g", count, maximum, mean)
      }
      Output.line(line)
    }
    Output.line("  \(diff.tensorsUnchanged) tensors unchanged")
    for file in diff.files {
      let mark = file.change == "added" ? "+" : (file.change == "removed" ? "-" : "~")
      let sizes = [file.sizeBefore, file.sizeAfter].map { $0.map(String.init) ?? "-" }.joined(separator: " -> ")
      Output.line("\(mark) file \(file.path) (\(sizes) bytes)")
    }
    Output.line("  \(humanBytes(diff.bytesAdded)) of objects in \(diff.to) that \(diff.from) does not have")
  }
}
