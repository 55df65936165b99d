import ArgumentParser
import Foundation
import Inference
import NumPyFormat
import Registry
import SavedModelFormat
import TensorIO
import TensorKernels

extension RegistryCommand {
  /// `registry run REF|DIR --input NAME=FILE ...`.
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run a signature of a stored version or a SavedModel directory, without TensorFlow.",
      discussion: """
        Inputs are NumPy .npy files (numeric, bool, fixed-width bytes 'S' or unicode 'U'; never \
        pickles) or .json files holding a (nested) array, whose dtype comes from the signature. \
        Every op is checked before anything runs; unsupported ones are all listed at once.
        """)

    @Argument(
      help:
        "A SavedModel directory written as a path (/..., ./..., ../...), or NAME, NAME:VERSION or NAME@ALIAS in the store."
    )
    var model: String

    @Option(name: .long, help: "The signature to run.") var signature = "serving_default"
    @Option(name: .long, help: "NAME=FILE (.npy or .json), one per signature input.") var input: [String] = []
    @Option(name: .customLong("output-dir"), help: "Write each output as NAME.npy here.") var outputDirectory: String?
    @Flag(
      name: .long,
      help: "Only say whether the model will run: import it and check every op, without restoring or running anything."
    ) var check = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
      if check, !input.isEmpty || outputDirectory != nil {
        throw ValidationError("--check runs nothing, so it takes no --input or --output-dir")
      }
      for item in input where !item.contains("=") || item.hasPrefix("=") {
        throw ValidationError("--input takes NAME=FILE, got \"\(item)\"")
      }
    }

    func run() throws {
      try reportingErrors(json: output.json) {
        if check {
          try checkOnly()
          return
        }
        let loaded = try load()
        guard let spec = loaded.signatures[signature] else {
          throw RegistryError(
            .invalidArgument,
            "no signature \"\(signature)\" (available: \(loaded.signatures.keys.sorted().joined(separator: ", ")))")
        }
        var tensors: [String: Tensor] = [:]
        for item in input {
          let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
          let dtype = spec.inputs.first { $0.name == parts[0] }?.dtype
          tensors[parts[0]] = try Self.readInput(URL(fileURLWithPath: parts[1]), dtype: dtype)
        }
        let outputs = try loaded.run(signature: signature, inputs: tensors)
        var summaries: [OutputSummary] = []
        for name in outputs.keys.sorted() {
          guard let tensor = outputs[name] else { continue }
          var file: String?
          if let outputDirectory {
            file = try Self.writeOutput(tensor, named: name, in: URL(fileURLWithPath: outputDirectory))
          }
          summaries.append(OutputSummary(name: name, tensor: tensor, file: file))
        }
        if output.json {
          try Output.json(["signature": AnyEncodable(signature), "outputs": AnyEncodable(summaries)])
        } else {
          for summary in summaries {
            Output.line(
              "\(summary.name): \(summary.dtype) \(Shape.format(summary.shape))\(summary.file.map { " -> \($0)" } ?? "")"
            )
            if let values = summary.values {
              Output.line("  \(values.prefix(8).joined(separator: " "))\(values.count > 8 ? " ..." : "")")
            }
          }
        }
      }
    }

    /// `--check`: the model imported and every op it could run checked, nothing restored or
    /// run. A model that will not run fails as `run` would (exit 5 listing every missing op).
    private func checkOnly() throws {
      let signatures = try LoadedModel.check(source: try source())
      if output.json {
        try Output.json(CheckResult(model: model, runs: true, signatures: signatures.map(\.key)))
        return
      }
      Output.line(
        "\(model): every op has a kernel; it will run (signatures: \(signatures.map(\.key).joined(separator: ", ")))")
    }

    struct CheckResult: Encodable {
      let model: String
      let runs: Bool
      let signatures: [String]
    }

    private func load() throws -> LoadedModel {
      try LoadedModel(source: try source())
    }

    /// A path is a directory; anything else is a reference, which loads straight from the
    /// store's objects (each re-hashed as it is read), with no copy written to disk.
    private func source() throws -> any SavedModelSource {
      if Self.isPath(model) { return DirectorySource(URL(fileURLWithPath: model)) }
      return try storedSource()
    }

    private func storedSource() throws(RegistryError) -> StoredVersionSource {
      do {
        return try store.open(.readOnly).source(of: try Reference(parsing: model))
      } catch {
        guard error.category == .notFound || error.category == .invalidArgument else { throw error }
        // A stored model is never shadowed by a directory of the same name, but say how to run one.
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), isDirectory.boolValue else {
          throw error
        }
        throw RegistryError(
          error.category, "\(error.message) (to run the directory \"\(model)\", write ./\(model))",
          underlying: error)
      }
    }

    /// The rule `run` (and docs/cli.md) gives: `/…`, `./…`, `../…`, `.` and `..` are directories;
    /// anything else, `team/model` included, is NAME, NAME:VERSION or NAME@ALIAS in the store.
    static func isPath(_ argument: String) -> Bool {
      argument.hasPrefix("/") || argument.hasPrefix("./") || argument.hasPrefix("../") || argument == "."
        || argument == ".."
    }

    /// The file name of an output: its signature key with every byte outside `[A-Za-z0-9_.-]`, and
    /// a leading dot, percent-encoded, so a key such as `../../x` or `a/b` stays inside the output
    /// directory (as `%2E.%2F..%2Fx.npy` and `a%2Fb.npy`).
    static func outputFileName(_ key: String) -> String {
      var name = ""
      for (index, byte) in key.utf8.enumerated() {
        let safe =
          (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
          || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
          || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
          || byte == UInt8(ascii: "-") || (byte == UInt8(ascii: ".") && index > 0)
        name += safe ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
      }
      return (name.isEmpty ? "%00" : name) + ".npy"
    }

    /// Writes one output as `.npy` inside `directory`, replacing (never following) whatever is at
    /// its name, and returns the file's path.
    static func writeOutput(_ tensor: Tensor, named key: String, in directory: URL) throws -> String {
      let url = directory.appendingPathComponent(outputFileName(key))
      do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      } catch {
        throw RegistryError(.unavailable, "\(directory.path): cannot create the output directory", file: directory.path)
      }
      let array = try TensorFiles.npy(from: tensor, file: url.path)
      do {
        // Atomic: written to a temporary file and renamed over the name, so a symlink planted
        // there is replaced, not followed.
        try Data(array.npyBytes()).write(to: url, options: .atomic)
      } catch {
        throw RegistryError(.unavailable, "\(url.path): cannot write the output", file: url.path)
      }
      return url.path
    }

    static func readInput(_ url: URL, dtype: DType?) throws -> Tensor {
      if url.pathExtension == "json" {
        guard let dtype else {
          throw RegistryError(.invalidArgument, "\(url.path): the signature has no such input to take a dtype from")
        }
        let data = try readInputFile(url)
        let value: Any
        do {
          value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
          throw RegistryError(.invalidArgument, "\(url.path): not valid JSON", file: url.path)
        }
        return try JSONTensor.tensor(from: value, dtype: dtype, file: url.path)
      }
      try checkInputFile(url)
      do {
        // Checks the header and the array against the limits before reading the data, once.
        let array = try NPYArray(contentsOf: url)
        return try TensorFiles.tensor(from: array, file: url.path)
      } catch let error as NPYError {
        throw RegistryError(error.category, error.message, file: url.path)
      }
    }

    /// Refuses a missing input file, one that is not a regular file (a FIFO would block the
    /// read), and one past `Limits.current.inputFileBytes`, by name, before it is read.
    static func checkInputFile(_ url: URL) throws {
      guard FileManager.default.fileExists(atPath: url.path) else {
        throw RegistryError(.notFound, "\(url.path): no such input file", file: url.path)
      }
      let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
      guard attributes?[.type] as? FileAttributeType == .typeRegular else {
        throw RegistryError(.invalidArgument, "\(url.path): the input is not a regular file", file: url.path)
      }
      let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
      do {
        try Limits.check(
          "reading this input file", size, against: Limits.current.inputFileBytes, limit: "INPUT_FILE_BYTES")
      } catch {
        throw RegistryError(error.category, "\(url.path): \(error.message)", file: url.path)
      }
    }

    /// The bytes of an input file, with a missing, unreadable or too large file reported by name.
    static func readInputFile(_ url: URL) throws -> Data {
      try checkInputFile(url)
      do {
        return try Data(contentsOf: url)
      } catch {
        throw RegistryError(.unavailable, "\(url.path): cannot read the input file", file: url.path)
      }
    }
  }
}

/// One output as `run` reports it.
struct OutputSummary: Encodable {
  let name: String
  let dtype: String
  let shape: [Int]
  let file: String?
  /// All values as text, for outputs of at most 64 elements.
  let values: [String]?

  init(name: String, tensor: Tensor, file: String?) {
    self.name = name
    dtype = tensor.dtype.tensorFlowName
    shape = tensor.shape
    self.file = file
    if tensor.elementCount <= 64 {
      if tensor.dtype == .string {
        values = (try? tensor.strings())?.map { String(decoding: $0, as: UTF8.self) }
      } else if tensor.dtype.isFloatingPoint {
        values = (try? tensor.floats())?.map { String($0) }
      } else if tensor.dtype == .bool {
        values = (try? tensor.bools())?.map { String($0) }
      } else if tensor.dtype.isComplex {
        values = Self.complexTexts(tensor)
      } else {
        values = (try? Cast.apply(tensor, to: .int64).int64s())?.map { String($0) }
      }
    } else {
      values = nil
    }
  }

  /// Complex values as `"RE+IMj"` / `"RE-IMj"` (NumPy's spelling without the parentheses), each
  /// part written as Swift writes a `Float` or `Double`: `"1.5-2.0j"`, `"nan+infj"`.
  static func complexTexts(_ tensor: Tensor) -> [String]? {
    func text(_ real: String, _ imag: String) -> String {
      imag.hasPrefix("-") ? "\(real)\(imag)j" : "\(real)+\(imag)j"
    }
    if let values = try? tensor.complex64s() { return values.map { text(String($0.real), String($0.imag)) } }
    return (try? tensor.complex128s())?.map { text(String($0.real), String($0.imag)) }
  }
}
