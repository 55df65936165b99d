import ArgumentParser
import Foundation
import Registry
import Remote

extension RegistryCommand {
  /// `registry export REF DEST`: send a version to an OCI registry, image layout or archive.
  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Send a version to an OCI registry, image layout or archive.",
      discussion: """
        DEST is oci://HOST[:PORT]/REPOSITORY[:TAG], oci-layout:DIR[:TAG] or oci-archive:FILE.tar[:TAG]. \
        The tag defaults to the version number. Only blobs the destination lacks are sent, so an \
        interrupted export sent again finishes the job, and a fine-tune sends only its new objects. \
        The manifest is written last, after every blob is checked to be there. --format modelpack \
        writes the CNCF ModelPack layout instead, one layer per file, for modctl and ModelPack-aware tools (docs/oci.md).
        """)

    @Argument(help: "NAME (latest), NAME:VERSION or NAME@ALIAS.")
    var reference: String

    @Argument(help: "oci://HOST/REPOSITORY[:TAG], oci-layout:DIR[:TAG] or oci-archive:FILE[:TAG].")
    var destination: String

    @Option(name: .long, help: "The tag to write (default: the tag in DEST, else the version number).")
    var tag: String?

    @Option(name: .long, help: "Blobs transferred at once.")
    var jobs = 4

    @Flag(
      name: .long,
      help: "Also send the ancestors the destination lacks (tagged with their numbers, or MODEL-NUMBER), oldest first.")
    var withAncestors = false

    @Option(
      name: .long,
      help: "savedmodel (our artifact: store objects, deduplicated) or modelpack (CNCF ModelPack: one layer per file).")
    var format = ExportFormat.savedmodel

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
      guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
    }

    func run() throws {
      try reportingErrors(json: output.json) {
        let reference = try Reference(parsing: reference)
        let endpoint = try Endpoint(parsing: destination)
        // Read-write to record the export (`export` events, which later exports mount from); a
        // store this user cannot write still exports.
        let registry = try (try? store.open()) ?? store.open(.readOnly)
        let progress = ProgressLine.forTerminal(verb: "export", json: output.json)
        var transfer = remote.transferOptions(jobs: jobs, progress: progress, withAncestors: withAncestors)
        transfer.format = format
        defer { progress?.finish() }
        let (options, tag) = (transfer, tag)
        let result = try waitFor {
          try await Transfer.export(reference, from: registry, to: endpoint, tag: tag, options: options)
        }
        progress?.finish()
        if output.json {
          try Output.json(result)
        } else {
          for exported in result.ancestors + [result] {
            Output.line(
              "Exported \(exported.reference) to \(exported.destination) as :\(exported.tag) (\(exported.digest)): "
                + "\(exported.uploaded) blobs sent (\(humanBytes(exported.uploadedBytes))), "
                + "\(exported.skipped) already there" + (exported.mounted > 0 ? ", \(exported.mounted) mounted" : ""))
          }
        }
      }
    }
  }
}

extension ExportFormat: ExpressibleByArgument {}

extension RemoteOptions {
  func transferOptions(jobs: Int, progress: ProgressLine? = nil, withAncestors: Bool = false) -> TransferOptions {
    var options = TransferOptions()
    options.withAncestors = withAncestors
    if let progress { options.progress = { event in progress.handle(event) } }
    options.jobs = jobs
    options.plainHTTP = plainHTTP
    options.caFile = caFile
    return options
  }
}
