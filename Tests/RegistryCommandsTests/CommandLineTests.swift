import ContentStore
import Foundation
import RegistryCore
import RegistryTestSupport
import Testing

/// End-to-end: run the built `registry` binary and check stdout, stderr and the exit status.
@Suite("registry command line")
struct CommandLineTests {
  static let fixture = Repository.root.appendingPathComponent("Fixtures/module_two_signatures/model")

  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
    /// The process ended on a signal (a crash, or a kill), not an exit.
    var signaled = false
  }

  static var binary: URL { RegistryBinary.url }

  static func run(_ arguments: String...) throws -> Result {
    try start(arguments).finish()
  }

  /// A process started in the background; `finish()` waits and collects its output.
  struct Running {
    let process: Process
    let out: Pipe
    let err: Pipe

    func finish() -> Result {
      let stdout = out.fileHandleForReading.readDataToEndOfFile()
      let stderr = err.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      return Result(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self), signaled: process.terminationReason == .uncaughtSignal)
    }
  }

  static func start(_ arguments: String...) throws -> Running {
    try start(arguments)
  }

  /// Starts the binary with `arguments`, optionally through a wrapper command (`timeout`,
  /// `taskset`, `setpriv`, `prlimit`: its path first, then its own arguments), with extra
  /// environment variables, in a working directory.
  static func start(
    _ arguments: [String], through wrapper: [String] = [], environment: [String: String] = [:],
    in directory: URL? = nil
  ) throws -> Running {
    let process = Process()
    if let command = wrapper.first {
      process.executableURL = URL(fileURLWithPath: command)
      process.arguments = Array(wrapper.dropFirst()) + [binary.path] + arguments
    } else {
      process.executableURL = binary
      process.arguments = arguments
    }
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return Running(process: process, out: out, err: err)
  }

  static func sha256(_ data: Data) -> String {
    Digest.of(data).hex
  }

  static func scratchCopy() throws -> URL {
    try Repository.Fixtures.scratchCopy("module_two_signatures")
  }

  @Test("inspect prints signatures in saved_model_cli's layout and exits 0")
  func inspectText() throws {
    let result = try Self.run("inspect", Self.fixture.path)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("MetaGraphDef with tag-set: 'serve'"))
    #expect(result.stdout.contains("signature_def['serving_default']:"))
    #expect(result.stdout.contains("Method name is: tensorflow/serving/predict"))
    #expect(result.stdout.contains("Fingerprint (producer 4): consistent"))
    #expect(result.stderr.isEmpty)
  }

  @Test("inspect --json prints one documented object")
  func inspectJSON() throws {
    let result = try Self.run("inspect", "--json", Self.fixture.path)
    #expect(result.status == 0)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    for key in [
      "path", "graph_file", "saved_model_schema_version", "meta_graphs", "variables",
      "variable_shards", "files", "total_bytes", "has_keras_metadata", "fingerprint",
    ] {
      #expect(object[key] != nil, "missing \(key)")
    }
    let metaGraphs = try #require(object["meta_graphs"] as? [[String: Any]])
    let signatures = try #require(metaGraphs.first?["signatures"] as? [[String: Any]])
    #expect(signatures.contains { $0["key"] as? String == "serving_default" })
  }

  @Test("verify exits 0 on a good model and 1 naming the file on a damaged one")
  func verifyStatus() throws {
    let good = try Self.run("verify", Self.fixture.path)
    #expect(good.status == 0, "\(good.stderr)")
    #expect(good.stdout.hasSuffix("OK\n"))

    let copy = try Self.scratchCopy()
    let shard = copy.appendingPathComponent("variables/variables.data-00000-of-00001")
    var bytes = [UInt8](try Data(contentsOf: shard))
    bytes[0] ^= 0xFF
    try Data(bytes).write(to: shard)
    let bad = try Self.run("verify", copy.path)
    #expect(bad.status == 1)
    #expect(bad.stderr.contains(shard.path))
    #expect(bad.stderr.contains("CRC32C mismatch"))
    #expect(bad.stdout.contains("FAILED"))

    let json = try Self.run("verify", "--json", copy.path)
    #expect(json.status == 1)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(object["passed"] as? Bool == false)
  }

  @Test("a missing directory exits 3, an empty one 6, each with one line on stderr")
  func errorStatuses() throws {
    let missing = try Self.run("inspect", "/tmp/definitely-not-here-\(UUID())")
    #expect(missing.status == 3)
    #expect(missing.stderr.hasPrefix("registry: /tmp/definitely-not-here-"))
    #expect(missing.stderr.split(separator: "\n").count == 1)

    let empty = try makeTemporaryDirectory("empty")
    let result = try Self.run("verify", empty.path)
    #expect(result.status == 6)
    #expect(result.stderr.contains("not a SavedModel directory"))

    let json = try Self.run("inspect", "--json", empty.path)
    #expect(json.status == 6)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let error = try #require(object["error"] as? [String: String])
    #expect(error["kind"] == "invalid_argument")
  }
}

/// `inspect` must show the same signatures as `saved_model_cli show --all`, whose output for each
/// fixture TensorFlow recorded in `reference/saved_model_cli.txt`.
@Suite("inspect agrees with saved_model_cli")
struct SavedModelCLIAgreementTests {
  /// Throws (failing the suite) when `Fixtures/` is missing or none has a reference, rather than
  /// running zero cases.
  static func fixtures() throws -> [String] {
    try Repository.Fixtures.names(having: "reference/saved_model_cli.txt")
  }

  /// The tag-set, signature, tensor and method lines, whitespace-trimmed.
  static func signatureLines(_ text: Substring) -> [String] {
    text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { line in
      ["signature_def[", "inputs[", "outputs[", "dtype: ", "shape: ", "name: ", "Method name is: "]
        .contains { line.hasPrefix($0) }
    }
  }

  @Test("signature sections are identical", arguments: try fixtures())
  func agreement(name: String) throws {
    let root = Repository.root.appendingPathComponent("Fixtures/\(name)")
    let reference = try String(
      contentsOf: root.appendingPathComponent("reference/saved_model_cli.txt"), encoding: .utf8)
    // saved_model_cli lists concrete functions after the signatures; only signatures compare.
    let theirs = Self.signatureLines(reference.components(separatedBy: "Concrete Functions:")[0][...])
    let result = try CommandLineTests.run("inspect", root.appendingPathComponent("model").path)
    #expect(result.status == 0)
    let ours = Self.signatureLines(result.stdout.components(separatedBy: "\nOps (")[0][...])
    #expect(!theirs.isEmpty)
    #expect(ours == theirs)
  }
}
