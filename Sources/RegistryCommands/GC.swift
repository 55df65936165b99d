import ArgumentParser
import Foundation
import Registry

extension RegistryCommand {
  /// `registry gc`.
  struct GC: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "gc",
      abstract: "Apply the retention policy and delete objects no live version needs.",
      discussion: """
        Safe to run while others push and pull (docs/gc.md). Unreferenced objects younger than \
        the grace period, or written since the oldest push still in flight started, are kept. \
        With no flags, uses the policy saved with --save-policy (if any). Durations: 0s, 90s, \
        30m, 2h, 7d, 2w.
        """)
    @Flag(name: .customLong("dry-run"), help: "Report what would be removed; change nothing.") var dryRun = false
    @Option(name: .long, help: "Keep unreferenced objects younger than this (default 24h).") var grace: String?
    @Option(name: .customLong("keep-last"), help: "Keep the newest N versions of each model.") var keepLast: Int?
    @Option(name: .customLong("keep-younger-than"), help: "Keep versions pushed within this duration.")
    var keepYoungerThan: String?
    @Flag(name: .customLong("save-policy"), help: "Save these retention and grace settings as the store's policy.")
    var savePolicy = false
    @Flag(name: .long, help: "With --json: list every deleted object digest.") var verbose = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
      if let keepLast, keepLast < 1 { throw ValidationError("--keep-last must be at least 1") }
      for (flag, value) in [("--grace", grace), ("--keep-younger-than", keepYoungerThan)] {
        if let value, Duration.parse(value) == nil {
          throw ValidationError(
            "\(flag) takes a duration of at most 100 years, such as 0s, 30m, 2h, 7d, 2w; got \"\(value)\"")
        }
      }
    }

    func run() throws {
      try reportingErrors(json: output.json) {
        let registry = try store.open()
        let saved = try registry.savedPolicy()
        var options = CollectionOptions()
        options.dryRun = dryRun
        let flagsGiven = keepLast != nil || keepYoungerThan != nil
        options.retention =
          flagsGiven
          ? RetentionPolicy(keepLast: keepLast, keepNewerThan: keepYoungerThan.flatMap(Duration.parse))
          : saved.retention
        options.grace = grace.flatMap(Duration.parse) ?? saved.grace ?? Registry.defaultGrace
        if savePolicy {
          try registry.savePolicy(options.retention, grace: grace.flatMap(Duration.parse))
        }
        let report = try registry.collect(options)
        if output.json {
          if verbose {
            try Output.json(report)
          } else {
            try Output.json(GCSummaryJSON(report))
          }
          return
        }
        let verb = report.dryRun ? "would remove" : "removed"
        Output.line(
          "\(report.dryRun ? "Dry run: " : "")grace \(Duration.describe(report.graceSeconds)), cutoff \(report.cutoff)")
        Output.line(
          "  versions \(verb) by policy: \(report.versionsRemoved.isEmpty ? "none" : report.versionsRemoved.joined(separator: ", "))"
        )
        Output.line(
          "  objects \(verb): \(report.objectsDeleted.count), \(humanBytes(report.bytesFreed)) \(report.dryRun ? "to free" : "freed")"
        )
        Output.line(
          "  objects kept: \(report.objectsReferenced) referenced, \(report.objectsKeptYoung) unreferenced but younger than the cutoff"
        )
        Output.line(
          "  ingest leftovers \(verb): \(report.ingestDirectoriesRemoved.count); leases ended: \(report.leasesExpired.count), in flight: \(report.leasesActive)"
        )
        Output.line(String(format: "  took %.2f s", report.durationSeconds))
      }
    }
  }
}

/// The `gc --json` object without the digest list (which `--verbose` adds).
struct GCSummaryJSON: Encodable {
  let dryRun: Bool
  let startedAt: String
  let graceSeconds: Double
  let cutoff: String
  let versionsRemoved: [String]
  let objectsDeleted: Int
  let bytesFreed: Int64
  let objectsReferenced: Int
  let objectsKeptYoung: Int
  let ingestDirectoriesRemoved: Int
  let leasesExpired: Int
  let leasesActive: Int
  let durationSeconds: Double

  init(_ report: CollectionReport) {
    dryRun = report.dryRun
    startedAt = report.startedAt
    graceSeconds = report.graceSeconds
    cutoff = report.cutoff
    versionsRemoved = report.versionsRemoved
    objectsDeleted = report.objectsDeleted.count
    bytesFreed = report.bytesFreed
    objectsReferenced = report.objectsReferenced
    objectsKeptYoung = report.objectsKeptYoung
    ingestDirectoriesRemoved = report.ingestDirectoriesRemoved.count
    leasesExpired = report.leasesExpired.count
    leasesActive = report.leasesActive
    durationSeconds = report.durationSeconds
  }
}
