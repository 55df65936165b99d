import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
  /// `registry show REF`: one version in full.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a version: files, sizes, bytes unique and shared, signatures, fingerprint, lineage, metadata.")

    @Argument(help: "NAME (latest), NAME:VERSION or NAME@ALIAS.")
    var reference: String

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let detail = try store.open(.readOnly).detail(try Reference(parsing: reference))
        if output.json {
          try Output.json(detail)
        } else {
          Self.render(detail)
        }
      }
    }

    static func render(_ detail: VersionDetail) {
      let version = detail.version
      let aliases = version.aliases.isEmpty ? "" : "  (aliases: \(version.aliases.joined(separator: ", ")))"
      Output.line("\(version.reference)\(aliases)")
      Output.line("  created:   \(version.createdAt) by \(version.createdBy)")
      if let source = version.sourcePath { Output.line("  from:      \(source)") }
      if let message = version.message { Output.line("  message:   \(message)") }
      Output.line("  parent:    \(version.parent ?? "none")")
      Output.line("  manifest:  \(version.manifest)")
      Output.line("  files:     \(version.fileCount), \(humanBytes(version.logicalBytes))")
      Output.line("  tensors:   \(detail.tensorCount), \(humanBytes(detail.tensorBytes))")
      let sharing = detail.sharing
      Output.line(
        "  objects:   \(sharing.objects), \(humanBytes(sharing.bytes)): unique to this version \(sharing.uniqueObjects) (\(humanBytes(sharing.uniqueBytes))), shared with others \(sharing.sharedObjects) (\(humanBytes(sharing.sharedBytes)))"
      )
      Output.line(
        "  pushed:    \(version.newObjects) new objects, \(humanBytes(version.newBytes)) (\(humanBytes(version.storedBytes)) on disk)"
      )
      for metaGraph in detail.metaGraphs {
        Output.line(
          "  meta graph: tags \(metaGraph.tags.joined(separator: ",")), TensorFlow \(metaGraph.tensorflowVersion)")
      }
      if !detail.metadata.isEmpty {
        Output.line()
        Output.line("Metadata:")
        for (key, value) in detail.metadata.sorted(by: { $0.key < $1.key }) { Output.line("  \(key)=\(value)") }
      }
      Output.line()
      Output.line("Signatures:")
      for signature in detail.signatures where !signature.key.hasPrefix("__") {
        Output.line("  \(signature.key) (\(signature.methodName))")
        for tensor in signature.inputs {
          Output.line("    in  \(tensor.name): \(tensor.dtype) \(describeShape(tensor.shape))")
        }
        for tensor in signature.outputs {
          Output.line("    out \(tensor.name): \(tensor.dtype) \(describeShape(tensor.shape))")
        }
      }
      Output.line()
      if let fingerprint = detail.fingerprint {
        Output.line(
          "Fingerprint: producer \(fingerprint.producer), \(fingerprint.status); singleprint \(fingerprint.graphDefProgramHash)/\(fingerprint.signatureDefHash)/\(fingerprint.savedObjectGraphHash)/\(fingerprint.checkpointHash)"
        )
      } else {
        Output.line("Fingerprint: none")
      }
      Output.line()
      Output.line("Files:")
      Table.print(
        header: ["path", "bytes", "mode", "sha256"],
        rows: detail.files.map { file -> [String] in
          let path = file.kind == .directory ? file.path + "/" : file.path
          let size = file.size.map(String.init) ?? "-"
          let digest = file.sha256.map { String($0.hex.prefix(16)) } ?? ""
          return [path, size, String(file.mode, radix: 8), digest]
        }, indent: 2)
    }
  }
}
