import ArgumentParser
import Foundation
import SavedModelFormat

extension RegistryCommand {
  /// `registry verify DIR`: every index block CRC, every tensor CRC32C, every fingerprint field
  /// that can be recomputed. Exits 0 only when all pass and names each failure otherwise.
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check every checksum of a SavedModel: index blocks, tensors, fingerprint.")

    @Argument(help: "A SavedModel directory.")
    var directory: String

    @OptionGroup var output: OutputOptions

    func run() throws {
      let url = URL(fileURLWithPath: directory)
      let report = SavedModelVerifier.verify(url)
      // A directory that cannot even be opened is a failure of the command, not a check that
      // failed: one error line (and the JSON error object), with its own category's status.
      if !report.passed, report.tensorsChecked == 0, report.indexBlocksChecked == 0, report.failures.count == 1,
        let first = report.failures.first
      {
        throw RegistryCommands.report(FormatError(first.kind, file: first.file, first.problem), json: output.json)
      }
      if output.json {
        try Output.json(VerifyJSON(path: url.path, passed: report.passed, report: report))
      } else {
        render(report, path: url.path)
      }
      for failure in report.failures {
        Output.diagnostic("\(failure.file): \(failure.problem)")
      }
      if let fingerprint = report.fingerprint {
        for field in fingerprint.fields where field.status == .mismatch {
          Output.diagnostic(
            "\(url.appendingPathComponent("fingerprint.pb").path): \(field.name) is \(field.stored) but the files give \(field.computed ?? "?")"
          )
        }
      }
      if !report.passed { throw ExitStatus.checkFailed }
    }

    private func render(_ report: VerificationReport, path: String) {
      Output.line("Verifying \(path)")
      Output.line("  index blocks checked:  \(report.indexBlocksChecked)")
      Output.line("  tensors checked:       \(report.tensorsChecked) (\(report.tensorBytesChecked) bytes)")
      if report.unreferencedShardBytes != 0 {
        Output.line("  shard bytes outside any tensor: \(report.unreferencedShardBytes)")
      }
      if let fingerprint = report.fingerprint {
        Output.line("  fingerprint (producer \(fingerprint.producer)):")
        FingerprintText.render(fingerprint)
      } else {
        Output.line("  fingerprint: none")
      }
      Output.line(
        report.passed
          ? "OK"
          : "FAILED: \(report.failures.count) problem(s)\(report.fingerprint?.isConsistent == false ? " and a fingerprint mismatch" : "")"
      )
    }
  }
}

/// The JSON object `verify --json` prints.
struct VerifyJSON: Encodable {
  let path: String
  let passed: Bool
  let report: VerificationReport
}
