import ArgumentParser
import Foundation
import Registry

extension RegistryCommand {
  /// `registry fsck`.
  struct Fsck: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Re-hash every object and check every version against the store and the catalog.",
      discussion:
        "Exits 1 when an object is corrupt or missing, a version's row or manifest cannot be read, or the catalog disagrees with a manifest."
    )
    @Flag(name: .long, help: "Move corrupt objects to quarantine/ and rebuild catalog rows from manifests.")
    var repair = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      var clean = true
      try reportingErrors(json: output.json) {
        let report = try store.open().fsck(repair: repair)
        clean = report.isClean
        if output.json {
          try Output.json(report)
        } else {
          Output.line(
            "checked \(report.objectsChecked) objects (\(humanBytes(report.bytesChecked))) and \(report.versionsChecked) versions"
          )
          for object in report.corrupt {
            Output.line(
              "CORRUPT \(object.digest): \(object.problem); needed by \(object.versions.isEmpty ? "no live version" : object.versions.joined(separator: ", "))"
            )
          }
          for object in report.missing {
            Output.line(
              "MISSING \(object.digest): \(object.problem); needed by \(object.versions.joined(separator: ", "))")
          }
          for version in report.unreadableVersions {
            Output.line("UNREADABLE \(version.version): \(version.problem)")
          }
          for version in report.catalogMismatches {
            Output.line(
              "CATALOG \(version): file rows disagree with the manifest\(report.rebuilt.contains(version) ? " (rebuilt)" : "")"
            )
          }
          for path in report.quarantined { Output.line("quarantined \(path)") }
          Output.line("orphans (collectable by gc): \(report.orphans)")
          Output.line(report.isClean ? "clean" : "PROBLEMS FOUND")
        }
        for object in report.corrupt { Output.diagnostic("\(object.digest): corrupt: \(object.problem)") }
        for object in report.missing { Output.diagnostic("\(object.digest): missing") }
        for version in report.unreadableVersions {
          Output.diagnostic("\(version.version): unreadable: \(version.problem)")
        }
        if let problem = report.eventLogProblem {
          Output.diagnostic("this run is not in the event log: \(problem)")
        }
      }
      if !clean { throw ExitStatus.checkFailed }
    }
  }
}
