import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

extension RegistryCommand {
  /// `registry diff REF REF`.
  struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show what changed between two versions: tag sets, signatures, ops, tensors, files, bytes added.")
    @Argument(help: "The earlier version.") var first: String
    @Argument(help: "The later version.") var second: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
      try reportingErrors(json: output.json) {
        let diff = try store.open(.readOnly).diff(try Reference(parsing: first), try Reference(parsing: second))
        if output.json {
          try Output.json(diff)
        } else {
          DiffText.render(diff)
        }
      }
    }
  }
}

enum DiffText {
  static func render(_ diff: VersionDiff) {
    Output.line("diff \(diff.from) \(diff.to)")
    if diff.isEmpty {
      Output.line("  no differences in tag sets, signatures, ops, tensors or files")
    }
    for tags in diff.tagsAdded { Output.line("+ tag set \(tags.joined(separator: ","))") }
    for tags in diff.tagsRemoved { Output.line("- tag set \(tags.joined(separator: ","))") }
    for change in diff.signatures {
      let mark = change.change == "added" ? "+" : (change.change == "removed" ? "-" : "~")
      Output.line("\(mark) signature \(change.key)")
      for detail in change.details { Output.line("    \(detail)") }
    }
    if !diff.opsAdded.isEmpty { Output.line("+ ops \(diff.opsAdded.joined(separator: ", "))") }
    if !diff.opsRemoved.isEmpty { Output.line("- ops \(diff.opsRemoved.joined(separator: ", "))") }
    for tensor in diff.tensorsAdded {
      Output.line("+ tensor \(tensor.name) \(tensor.dtype) \(describeShape(tensor.shape)) \(humanBytes(tensor.size))")
    }
    for tensor in diff.tensorsRemoved {
      Output.line("- tensor \(tensor.name) \(tensor.dtype) \(describeShape(tensor.shape)) \(humanBytes(tensor.size))")
    }
    for tensor in diff.tensorsChanged {
      var line = "~ tensor \(tensor.name)"
      if tensor.dtype.before != tensor.dtype.after { line += " dtype \(tensor.dtype.before) -> \(tensor.dtype.after)" }
      if tensor.shape.before != tensor.shape.after {
        line += " shape \(describeShape(tensor.shape.before)) -> \(describeShape(tensor.shape.after))"
      }
      line += " \(humanBytes(tensor.size.after))"
      if let maximum = tensor.maxAbsDifference, let mean = tensor.meanAbsDifference, let count = tensor.elementsChanged
      {
        line += String(format: "; %d elements differ, max |Δ| %.6g, mean |Δ| %.6g", count, maximum, mean)
      }
      Output.line(line)
    }
    Output.line("  \(diff.tensorsUnchanged) tensors unchanged")
    for file in diff.files {
      let mark = file.change == "added" ? "+" : (file.change == "removed" ? "-" : "~")
      let sizes = [file.sizeBefore, file.sizeAfter].map { $0.map(String.init) ?? "-" }.joined(separator: " -> ")
      Output.line("\(mark) file \(file.path) (\(sizes) bytes)")
    }
    Output.line("  \(humanBytes(diff.bytesAdded)) of objects in \(diff.to) that \(diff.from) does not have")
  }
}
