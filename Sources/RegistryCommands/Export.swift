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
        let registry = try store.open(.readOnly)
        var transfer = remote.transferOptions(jobs: jobs)
        transfer.format = format
        let (options, tag) = (transfer, tag)
        let result = try waitFor {
          try await Transfer.export(reference, from: registry, to: endpoint, tag: tag, options: options)
        }
        if output.json {
          try Output.json(result)
        } else {
          Output.line(
            "Exported \(result.reference) to \(result.destination) as :\(result.tag) (\(result.digest)): "
              + "\(result.uploaded) blobs sent (\(humanBytes(result.uploadedBytes))), \(result.skipped) already there"
              + (result.mounted > 0 ? ", \(result.mounted) mounted" : ""))
        }
      }
    }
  }
}

extension ExportFormat: ExpressibleByArgument {}

extension RemoteOptions {
  func transferOptions(jobs: Int) -> TransferOptions {
    var options = TransferOptions()
    options.jobs = jobs
    options.plainHTTP = plainHTTP
    options.caFile = caFile
    return options
  }
}
