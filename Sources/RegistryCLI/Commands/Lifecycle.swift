import ArgumentParser
import Foundation
import Registry

extension RegistryCommand {
  /// `registry rm REF`.
  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rm",
      abstract: "Remove a version: it leaves list and pull; gc later frees the bytes no other version uses.",
      discussion: "Refused while an alias points at the version; move or remove the alias first.")
    @Argument(help: "NAME:VERSION or NAME@ALIAS (NAME alone removes the latest version).") var reference: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let removed = try store.open().remove(try Reference(parsing: reference))
        if output.json {
          try Output.json(["removed": removed.reference])
        } else {
          Output.line("removed \(removed.reference); run `registry gc` to free its unshared bytes")
        }
      }
    }
  }

  /// `registry gc`.
  struct Collect: ParsableCommand {
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
    @Option(name: .customLong("keep-younger-than"), help: "Keep versions pushed within this duration.") var keepYoungerThan: String?
    @Flag(name: .customLong("save-policy"), help: "Save these retention and grace settings as the store's policy.") var savePolicy = false
    @Flag(name: .long, help: "With --json: list every deleted object digest.") var verbose = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
      if let keepLast, keepLast < 1 { throw ValidationError("--keep-last must be at least 1") }
      for (flag, value) in [("--grace", grace), ("--keep-younger-than", keepYoungerThan)] {
        if let value, Duration.parse(value) == nil {
          throw ValidationError("\(flag) takes a duration such as 0s, 30m, 2h, 7d, 2w; got \"\(value)\"")
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
        options.retention = flagsGiven
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
        Output.line("\(report.dryRun ? "Dry run: " : "")grace \(Duration.describe(report.graceSeconds)), cutoff \(report.cutoff)")
        Output.line("  versions \(verb) by policy: \(report.versionsRemoved.isEmpty ? "none" : report.versionsRemoved.joined(separator: ", "))")
        Output.line("  objects \(verb): \(report.objectsDeleted.count), \(humanBytes(report.bytesFreed)) \(report.dryRun ? "to free" : "freed")")
        Output.line("  objects kept: \(report.objectsReferenced) referenced, \(report.objectsKeptYoung) unreferenced but younger than the cutoff")
        Output.line("  ingest leftovers \(verb): \(report.ingestDirectoriesRemoved.count); leases ended: \(report.leasesExpired.count), in flight: \(report.leasesActive)")
        Output.line(String(format: "  took %.2f s", report.durationSeconds))
      }
    }
  }

  /// `registry fsck`.
  struct Fsck: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Re-hash every object and check every version against the store and the catalog.",
      discussion: "Exits 1 when an object is corrupt or missing or the catalog disagrees with a manifest.")
    @Flag(name: .long, help: "Move corrupt objects to quarantine/ and rebuild catalog rows from manifests.") var repair = false
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
          Output.line("checked \(report.objectsChecked) objects (\(humanBytes(report.bytesChecked))) and \(report.versionsChecked) versions")
          for object in report.corrupt {
            Output.line("CORRUPT \(object.digest): \(object.problem); needed by \(object.versions.isEmpty ? "no live version" : object.versions.joined(separator: ", "))")
          }
          for object in report.missing {
            Output.line("MISSING \(object.digest): \(object.problem); needed by \(object.versions.joined(separator: ", "))")
          }
          for version in report.catalogMismatches {
            Output.line("CATALOG \(version): file rows disagree with the manifest\(report.rebuilt.contains(version) ? " (rebuilt)" : "")")
          }
          for path in report.quarantined { Output.line("quarantined \(path)") }
          Output.line("orphans (collectable by gc): \(report.orphans)")
          Output.line(report.isClean ? "clean" : "PROBLEMS FOUND")
        }
        for object in report.corrupt { Output.diagnostic("\(object.digest): corrupt: \(object.problem)") }
        for object in report.missing { Output.diagnostic("\(object.digest): missing") }
      }
      if !clean { throw ExitStatus.checkFailed }
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

/// Durations on the command line: a number and a unit (s, m, h, d, w).
enum Duration {
  static func parse(_ text: String) -> TimeInterval? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
    guard let unit = text.last, let scale = units[unit], let value = Double(text.dropLast()), value >= 0, value.isFinite else {
      return nil
    }
    return value * scale
  }

  static func describe(_ seconds: Double) -> String {
    for (unit, scale) in [("w", 604_800.0), ("d", 86_400), ("h", 3600), ("m", 60)] where seconds >= scale && seconds.truncatingRemainder(dividingBy: scale) == 0 {
      return "\(Int(seconds / scale))\(unit)"
    }
    return "\(Int(seconds))s"
  }
}
