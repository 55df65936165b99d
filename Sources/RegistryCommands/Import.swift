import ArgumentParser
import Foundation
import Registry
import Remote

extension RegistryCommand {
  /// `registry import SRC`: bring a version from an OCI registry, image layout or archive.
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Bring a version in from an OCI registry, image layout or archive.",
      discussion: """
        SRC is oci://HOST[:PORT]/REPOSITORY[:TAG|@sha256:HEX], oci-layout:DIR[:TAG] or \
        oci-archive:FILE.tar[:TAG]. Every blob is checked against its digest as it arrives and \
        only objects the store lacks are fetched; the version appears when everything is stored, \
        keeping its message, creator, creation time and metadata, and its parent when the parent \
        is in the store. A version whose manifest the store already holds is not imported again.
        """)

    @Argument(help: "oci://HOST/REPOSITORY[:TAG|@DIGEST], oci-layout:DIR[:TAG] or oci-archive:FILE[:TAG].")
    var source: String

    @Option(name: .long, help: "The model to import into (default: the exported model's name).")
    var name: String?

    @Option(name: .long, help: "An alias to point at the imported version (repeatable).")
    var alias: [String] = []

    @Option(name: .long, help: "Blobs transferred at once.")
    var jobs = 4

    @Flag(name: .long, help: "Also import, from the same place and first, the ancestors the store lacks.")
    var withAncestors = false

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
      guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
    }

    func run() throws {
      try reportingErrors(json: output.json) {
        let endpoint = try Endpoint(parsing: source)
        let registry = try store.open()
        let progress = ProgressLine.forTerminal(verb: "import", json: output.json)
        let options = remote.transferOptions(jobs: jobs, progress: progress, withAncestors: withAncestors)
        defer { progress?.finish() }
        let (name, aliases) = (name, alias)
        let result = try waitFor {
          try await Transfer.import(from: endpoint, into: registry, name: name, aliases: aliases, options: options)
        }
        progress?.finish()
        if output.json {
          try Output.json(result)
        } else if result.created {
          for imported in result.ancestors + [result] {
            Output.line(
              "Imported \(imported.source) as \(imported.reference): \(imported.downloaded) blobs fetched "
                + "(\(humanBytes(imported.downloadedBytes))), \(imported.skipped) already stored"
                + (imported.parent.map { ", parent \($0)" } ?? ""))
          }
          if let missing = result.missingParent {
            Output.line(
              "Its parent (manifest \(missing)) is not in this store, so it has none here; "
                + "import the parent first, or again with --with-ancestors, to keep the lineage")
          }
        } else {
          Output.line("Already stored as \(result.reference) (manifest \(result.manifest)); nothing imported")
        }
      }
    }
  }
}
