import ArgumentParser
import Foundation
import Registry

extension RegistryCommand {
  /// `registry card set REF FILE.md` and `registry card show REF`.
  struct Card: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Attach a Markdown model card to a version, or print it.", subcommands: [Set.self, Show.self])

    struct Set: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Store FILE.md as the model card of REF.",
        discussion: """
          The card is stored as an object in the store (kept by gc, checked by fsck) and replaces \
          any earlier card of that version. The web catalog renders it as sanitised HTML: raw HTML \
          is shown as text and only http(s) links are kept. At most REGISTRY_LIMIT_CARD_BYTES \
          (1 MiB) of UTF-8 text.
          """)
      @Argument(help: "NAME, NAME:VERSION or NAME@ALIAS") var reference: String
      @Argument(help: "The Markdown file.") var file: String
      @OptionGroup var store: StoreOptions
      @OptionGroup var output: OutputOptions

      func run() throws {
        try reportingErrors(json: output.json) {
          let registry = try store.open()
          let card = try registry.setCard(try Reference(parsing: reference), file: URL(fileURLWithPath: file))
          if output.json {
            try Output.json(["reference": card.reference, "digest": card.digest])
          } else {
            Output.line("\(card.reference): card \(card.digest)")
          }
        }
      }
    }

    struct Show: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the model card of REF (its Markdown).")
      @Argument(help: "NAME, NAME:VERSION or NAME@ALIAS") var reference: String
      @OptionGroup var store: StoreOptions
      @OptionGroup var output: OutputOptions

      func run() throws {
        try reportingErrors(json: output.json) {
          let reference = try Reference(parsing: reference)
          guard let card = try store.open(.readOnly).card(reference) else {
            throw RegistryError(.notFound, "\(reference) has no model card (add one with registry card set)")
          }
          if output.json {
            try Output.json(card)
          } else {
            // Cards are user input: escape sequences in them are shown, not obeyed.
            Output.text(TerminalText.escaped(card.markdown))
          }
        }
      }
    }
  }
}
