import ArgumentParser
import Foundation
import SavedModelFormat

extension RegistryCommand {
  /// `registry inspect DIR`: what `saved_model_cli show --all` shows, plus variables, ops, assets,
  /// files and the fingerprint status.
  struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a SavedModel's signatures, variables, ops, assets, files and fingerprint.")

    @Argument(help: "A SavedModel directory.")
    var directory: String

    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let model = try SavedModelDirectory(url: URL(fileURLWithPath: directory))
        let inspection = try SavedModelInspection(model)
        if output.json {
          try Output.json(inspection)
        } else {
          InspectionText.render(inspection)
        }
      }
    }
  }
}

/// The human-readable form of `inspect`.
enum InspectionText {
  static func render(_ inspection: SavedModelInspection) {
    Output.line(
      "SavedModel \(inspection.path) (\(inspection.graphFile), schema version \(inspection.savedModelSchemaVersion))"
    )
    for metaGraph in inspection.metaGraphs {
      Output.line()
      let version = metaGraph.tensorflowVersion.isEmpty ? "unknown" : metaGraph.tensorflowVersion
      Output.line(
        "MetaGraphDef with tag-set: '\(metaGraph.tags.joined(separator: ", "))' (TensorFlow \(version), \(metaGraph.nodeCount) nodes, \(metaGraph.functionCount) functions)"
      )
      for signature in metaGraph.signatures {
        Output.line()
        Output.line("signature_def['\(signature.key)']:")
        renderTensors("inputs", signature.inputs)
        renderTensors("outputs", signature.outputs)
        Output.line("  Method name is: \(signature.methodName)")
      }
      Output.line()
      Output.line("Ops (\(metaGraph.ops.count)): \(metaGraph.ops.joined(separator: ", "))")
      if !metaGraph.assets.isEmpty {
        Output.line("Assets: \(metaGraph.assets.joined(separator: ", "))")
      }
    }

    Output.line()
    Output.line(
      "Variables: \(inspection.variables.count) tensors, \(inspection.variableBytes) bytes in \(inspection.variableShards) shard(s)"
    )
    if !inspection.variables.isEmpty {
      let rows = inspection.variables.map {
        [$0.name, $0.dtype, describeShape($0.shape), String($0.bytes), String($0.shard)]
      }
      Table.print(header: ["name", "dtype", "shape", "bytes", "shard"], rows: rows, indent: 2)
    }

    Output.line()
    Output.line(
      "Files: \(inspection.files.filter { $0.kind == .file }.count), \(inspection.totalBytes) bytes\(inspection.hasKerasMetadata ? " (with keras_metadata.pb)" : "")"
    )
    Table.print(
      header: ["path", "bytes", "mode"],
      rows: inspection.files.map {
        [
          $0.kind == .directory ? $0.path + "/" : $0.path, $0.kind == .directory ? "-" : String($0.size),
          String($0.mode, radix: 8),
        ]
      }, indent: 2)

    Output.line()
    if let fingerprint = inspection.fingerprint {
      Output.line(
        "Fingerprint (producer \(fingerprint.producer)): \(fingerprint.isConsistent ? "consistent" : "MISMATCH")")
      FingerprintText.render(fingerprint)
    } else {
      Output.line("Fingerprint: none (no fingerprint.pb)")
    }
  }

  static func renderTensors(_ label: String, _ tensors: [SavedModelInspection.TensorSpec]) {
    Output.line("  The given SavedModel SignatureDef contains the following \(label):")
    if tensors.isEmpty { Output.line("    (none)") }
    for tensor in tensors {
      Output.line("    \(label)['\(tensor.key)'] tensor_info:")
      Output.line("        dtype: \(tensor.dtype)")
      Output.line("        shape: \(describeShape(tensor.shape))")
      Output.line("        name: \(tensor.tensorName)")
    }
  }
}

enum FingerprintText {
  static func render(_ report: FingerprintReport) {
    let rows = report.fields.map { field in
      [field.name, field.stored, field.status.rawValue, field.note ?? ""]
    }
    Table.print(header: ["field", "stored", "status", "note"], rows: rows, indent: 2)
  }
}
