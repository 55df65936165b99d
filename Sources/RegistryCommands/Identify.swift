import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
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
        Output.line(
          result.identical.isEmpty
            ? "identical to: no stored version" : "identical to: \(result.identical.joined(separator: ", "))")
        if !result.sameFingerprint.isEmpty {
          Output.line("same fingerprint (singleprint) as: \(result.sameFingerprint.joined(separator: ", "))")
        }
        if !result.closest.isEmpty {
          Output.line("closest by shared bytes:")
          for candidate in result.closest {
            Output.line(
              String(
                format: "  %@  %@ shared (%.1f%%)", candidate.reference, humanBytes(candidate.sharedBytes),
                candidate.sharedFraction * 100))
          }
        }
      }
    }
  }
}
