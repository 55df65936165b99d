import ArgumentParser
import Foundation
import Inference
import Registry

extension RegistryCommand {
  /// `registry ops [NAME] [--json | --markdown]`.
  struct Ops: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the TensorFlow ops `run` supports, and the ops it is known to refuse.",
      discussion: """
        Generated from the inference core's op registry: each supported op with its dtypes, the \
        attributes its kernel reads and any limitation; then each refused op with why. With NAME, \
        that op only (exit 3 when it is neither). `run --check` answers the same question for a \
        whole model.
        """)

    @Argument(help: "One op's name (e.g. Conv2D).") var name: String?
    @Flag(name: .long, help: "Print the coverage page as Markdown (what docs/ops.md is).") var markdown = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
      if markdown, output.json || name != nil { throw ValidationError("--markdown lists every op, in Markdown only") }
    }

    func run() throws {
      try reportingErrors(json: output.json) {
        if markdown {
          Output.text(OpCoverage.markdown())
          return
        }
        if let name {
          try show(name)
          return
        }
        if output.json {
          try Output.json(Listing(supported: OpCoverage.supported, refused: OpCoverage.refused))
          return
        }
        Output.line("supported (\(OpCoverage.supported.count)):")
        for op in OpCoverage.supported { Output.line("  " + Self.describe(op)) }
        Output.line("refused (\(OpCoverage.refused.count)):")
        for op in OpCoverage.refused { Output.line("  \(op.name): \(op.reason)") }
      }
    }

    private func show(_ name: String) throws {
      switch OpCoverage.lookup(name) {
      case .supported(let op):
        if output.json {
          try Output.json(Single(name: op.name, status: "supported", supported: op, reason: nil))
        } else {
          Output.line(Self.describe(op))
        }
      case .refused(let op):
        if output.json {
          try Output.json(Single(name: op.name, status: "refused", supported: nil, reason: op.reason))
        } else {
          Output.line("\(op.name): refused: \(op.reason)")
        }
      case nil:
        throw RegistryError(
          .notFound, "no op \"\(name)\": it has no kernel and is not on the refused list (see `registry ops`)")
      }
    }

    static func describe(_ op: OpCoverage.SupportedOp) -> String {
      var text = "\(op.name): \(op.dtypes)"
      if !op.attributes.isEmpty { text += "; attributes \(op.attributes.joined(separator: ", "))" }
      if let note = op.note { text += "; \(note)" }
      return text
    }

    struct Listing: Encodable {
      let supported: [OpCoverage.SupportedOp]
      let refused: [OpCoverage.RefusedOp]
    }

    struct Single: Encodable {
      let name: String
      let status: String
      let supported: OpCoverage.SupportedOp?
      let reason: String?
    }
  }
}
