import Foundation
import Glibc
import RegistryTestSupport
import TestModels
import Testing

@Suite("registry run")
struct RunCommandTests {
  static let fixtures = Repository.root.appendingPathComponent("Fixtures")

  @Test("runs a directory and a stored version, writing outputs that match TensorFlow's")
  func runsAndWrites() throws {
    let model = Self.fixtures.appendingPathComponent("keras2_mlp/model").path
    let input = Self.fixtures.appendingPathComponent("keras2_mlp/reference/inputs/serving_default/features.npy").path
    let expected = try Data(
      contentsOf: Self.fixtures.appendingPathComponent("keras2_mlp/reference/outputs/serving_default/probs.npy"))
    let out = try makeTemporaryDirectory("run-out")
    let direct = try CommandLineTests.run("run", model, "--input", "features=\(input)", "--output-dir", out.path)
    #expect(direct.status == 0, "\(direct.stderr)")
    #expect(direct.stdout.hasPrefix("probs: DT_FLOAT [2, 3]"))
    let written = try Data(contentsOf: out.appendingPathComponent("probs.npy"))
    // Same header and shape as NumPy's file; values within float32 tolerance (checked in InferenceTests).
    #expect(written.count == expected.count)
    #expect(written.prefix(80) == expected.prefix(80))

    let store = try makeTemporaryDirectory("run-store").path
    #expect(try CommandLineTests.run("--store", store, "push", model, "--name", "mlp").status == 0)
    let stored = try CommandLineTests.run("--store", store, "run", "mlp", "--input", "features=\(input)", "--json")
    #expect(stored.status == 0, "\(stored.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(stored.stdout.utf8)) as? [String: Any]
    let outputs = object?["outputs"] as? [[String: Any]]
    #expect(outputs?.first?["name"] as? String == "probs")
    #expect((outputs?.first?["values"] as? [String])?.count == 6)
  }

  @Test("a stored text model reads its vocabulary from the store, and a lost vocabulary object fails the load by name")
  func storedAssets() throws {
    let model = Self.fixtures.appendingPathComponent("string_lookup/model").path
    let input = Self.fixtures.appendingPathComponent("string_lookup/reference/inputs/serving_default/words.npy").path
    let expected = try Data(
      contentsOf: Self.fixtures.appendingPathComponent("string_lookup/reference/outputs/serving_default/ids.npy"))
    let store = try makeTemporaryDirectory("run-assets")
    #expect(try CommandLineTests.run("--store", store.path, "push", model, "--name", "lookup").status == 0)
    let out = try makeTemporaryDirectory("run-assets-out")
    let stored = try CommandLineTests.run(
      "--store", store.path, "run", "lookup", "--input", "words=\(input)", "--output-dir", out.path)
    #expect(stored.status == 0, "\(stored.stderr)")
    #expect(try Data(contentsOf: out.appendingPathComponent("ids.npy")) == expected)

    // Remove the vocabulary's object: the stored version no longer loads, and says which file.
    let files = try CommandLineTests.run("--store", store.path, "show", "lookup", "--json")
    let vocabulary = try #require(
      (try JSONSerialization.jsonObject(with: Data(files.stdout.utf8)) as? [String: Any]).flatMap { object in
        (object["files"] as? [[String: Any]])?.first { ($0["path"] as? String)?.hasPrefix("assets/") == true }
      })
    let sha = try #require(vocabulary["sha256"] as? String)
    let objects = store.appendingPathComponent("objects/sha256")
    let hex = Array(sha.dropFirst("sha256:".count))
    try FileManager.default.removeItem(
      at: objects.appendingPathComponent(String(hex[0..<2])).appendingPathComponent(String(hex[2..<4]))
        .appendingPathComponent(String(hex)))
    let broken = try CommandLineTests.run("--store", store.path, "run", "lookup", "--input", "words=\(input)")
    #expect(broken.status != 0)
    #expect(broken.stderr.contains("assets/"), "\(broken.stderr)")
  }

  @Test("small inputs can be JSON")
  func jsonInput() throws {
    let model = Self.fixtures.appendingPathComponent("keras2_mlp/model").path
    let file = try makeTemporaryDirectory("json").appendingPathComponent("x.json")
    try Data("[[0.1, 0.2, 0.3, 0.4]]".utf8).write(to: file)
    let result = try CommandLineTests.run("run", model, "--input", "features=\(file.path)")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.hasPrefix("probs: DT_FLOAT [1, 3]"))
  }

  @Test("bad inputs and unsupported models fail clearly with a non-zero status")
  func failures() throws {
    let model = Self.fixtures.appendingPathComponent("keras2_mlp/model").path
    let wrong = Self.fixtures.appendingPathComponent("tf1_builder/reference/inputs/serving_default/x.npy").path
    let badShape = try CommandLineTests.run("run", model, "--input", "features=\(wrong)")
    #expect(badShape.status == 6)
    #expect(badShape.stderr.contains("must have shape"), "\(badShape.stderr)")
    let missing = try CommandLineTests.run("run", model)
    #expect(missing.status == 6 && missing.stderr.contains("missing input"))
    let unknown = try CommandLineTests.run("run", model, "--signature", "nope")
    #expect(unknown.status == 6 && unknown.stderr.contains("no signature"))
    let unsupported = try makeTemporaryDirectory("unsupported").appendingPathComponent("model")
    try UnsupportedModel.write(to: unsupported)
    let refused = try CommandLineTests.run("run", unsupported.path)
    #expect(refused.status == 5)
    #expect(refused.stderr.contains("unsupported ops"), "\(refused.stderr)")
    #expect(refused.stderr.contains("RandomUniform (2x, e.g. graph/random, graph/random_1)"), "\(refused.stderr)")
    #expect(refused.stderr.contains("SparseBincount (1x, e.g. inner_fn/bincount)"), "\(refused.stderr)")
  }

  @Test("a hostile .npy input fails by name with its category, before its data is read, and a FIFO is not waited on")
  func hostileInputs() throws {
    let model = Self.fixtures.appendingPathComponent("keras2_mlp/model").path
    let scratch = try makeTemporaryDirectory("hostile-input")
    func npy(_ name: String, header: String, size: UInt64) throws -> String {
      let body = Array(header.utf8)
      let url = scratch.appendingPathComponent(name)
      try Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(body.count & 0xFF), UInt8(body.count >> 8)] + body)
        .write(to: url)
      let handle = try FileHandle(forWritingTo: url)
      try handle.truncate(atOffset: size)
      try handle.close()
      return url.path
    }
    // A sparse 3 GB file whose header describes one float: refused before 3 GB is read.
    let lying = try npy("lying.npy", header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", size: 3 << 30)
    // A header asking for 10^12 zero-width strings.
    let huge = try npy(
      "huge.npy", header: "{'descr': '|S0', 'fortran_order': False, 'shape': (1000000000000,), }", size: 100)
    let extraKey = try npy(
      "extra.npy", header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 0}", size: 100)
    let fifo = scratch.appendingPathComponent("fifo.npy").path
    #expect(mkfifo(fifo, 0o644) == 0)
    for (path, status, words) in [
      (lying, 6, "the data has"), (huge, 10, "TENSOR_ELEMENTS"), (extraKey, 6, "unexpected key 'x'"),
      (fifo, 6, "not a regular file"),
    ] {
      let result = try CommandLineTests.run("run", model, "--input", "features=\(path)")
      #expect(result.status == Int32(status), "\(path): \(result.stderr)")
      #expect(result.stderr.contains(path) && result.stderr.contains(words), "\(result.stderr)")
    }
  }

  @Test("string inputs can be JSON arrays; string lookups run and match TensorFlow")
  func stringInputs() throws {
    let model = Self.fixtures.appendingPathComponent("string_lookup/model").path
    let file = try makeTemporaryDirectory("json-strings").appendingPathComponent("words.json")
    try Data(#"["fox", "unicorn", "the", ""]"#.utf8).write(to: file)
    let result = try CommandLineTests.run("run", model, "--input", "words=\(file.path)", "--json")
    #expect(result.status == 0, "\(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let outputs = object?["outputs"] as? [[String: Any]]
    #expect(outputs?.first?["values"] as? [String] == ["3", "-1", "0", "-1"])
  }

  @Test("string outputs are written as fixed-width bytes .npy files")
  func stringOutputs() throws {
    let model = Self.fixtures.appendingPathComponent("string_ops/model").path
    let input = Self.fixtures.appendingPathComponent("string_ops/reference/inputs/text/text.npy").path
    let out = try makeTemporaryDirectory("string-out")
    let result = try CommandLineTests.run(
      "run", model, "--signature", "text", "--input", "text=\(input)", "--output-dir", out.path)
    #expect(result.status == 0, "\(result.stderr)")
    let written = try Data(contentsOf: out.appendingPathComponent("lower.npy"))
    let expected = try Data(
      contentsOf: Self.fixtures.appendingPathComponent("string_ops/reference/outputs/text/lower.npy"))
    #expect(written == expected)
  }
}
