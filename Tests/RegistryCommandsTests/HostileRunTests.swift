import Foundation
import RegistryTestSupport
import TestModels
import Testing

@testable import RegistryCommands

/// `run` given models and names crafted to write outside the output directory, to be mistaken for
/// something else, or to drive the terminal.
@Suite("run and text output against hostile models and names")
struct HostileRunTests {
  @Test("an output key such as ../../escaped_out is written inside --output-dir, percent-encoded")
  func outputKeyStaysInside() throws {
    let scratch = try makeTemporaryDirectory("hostile-output")
    let model = scratch.appendingPathComponent("a/b/model")
    try HostileModels.writeIdentity(to: model, outputKey: "../../escaped_out")
    let input = scratch.appendingPathComponent("x.json")
    try Data("[1.5, 2.5]".utf8).write(to: input)
    let out = scratch.appendingPathComponent("a/b/out")
    let result = InProcess.run("run", model.path, "--input", "x=\(input.path)", "--output-dir", out.path)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.appendingPathComponent("a/escaped_out.npy").path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["%2E.%2F..%2Fescaped_out.npy"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("a").path) == ["b"])
  }

  @Test("a symlink planted at an output's name is replaced, not followed")
  func outputSymlinkReplaced() throws {
    let scratch = try makeTemporaryDirectory("hostile-symlink")
    let model = scratch.appendingPathComponent("model")
    try HostileModels.writeIdentity(to: model, outputKey: "y")
    let input = scratch.appendingPathComponent("x.json")
    try Data("[1.0]".utf8).write(to: input)
    let victim = scratch.appendingPathComponent("victim.txt")
    try Data("keep me".utf8).write(to: victim)
    let out = scratch.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: out.appendingPathComponent("y.npy").path, withDestinationPath: victim.path)
    let result = InProcess.run("run", model.path, "--input", "x=\(input.path)", "--output-dir", out.path)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try String(contentsOf: victim, encoding: .utf8) == "keep me")
  }

  @Test("output file names are single path components")
  func outputFileNames() {
    #expect(RegistryCommand.Run.outputFileName("probs") == "probs.npy")
    #expect(RegistryCommand.Run.outputFileName("dense_1.out-2") == "dense_1.out-2.npy")
    #expect(RegistryCommand.Run.outputFileName("..") == "%2E..npy")
    #expect(RegistryCommand.Run.outputFileName("a/b") == "a%2Fb.npy")
    #expect(RegistryCommand.Run.outputFileName("") == "%00.npy")
    for key in ["..", "../x", "/etc/passwd", "a\u{0}b", "é/x"] {
      #expect(!RegistryCommand.Run.outputFileName(key).contains("/"), "\(key)")
    }
  }

  @Test("run's argument is a directory only when written as a path; NAME is always a reference")
  func pathRule() {
    for path in ["/models/m", "./m", "../m", ".", ".."] { #expect(RegistryCommand.Run.isPath(path), "\(path)") }
    for reference in ["m", "team/m", "m:3", "m@prod", "models/m"] {
      #expect(!RegistryCommand.Run.isPath(reference), "\(reference)")
    }
  }

  @Test("escape sequences in names and metadata reach the terminal escaped, and JSON keeps them")
  func terminalEscapes() throws {
    let scratch = try makeTemporaryDirectory("ansi")
    let store = scratch.appendingPathComponent("store").path
    let model = try Repository.Fixtures.model("finetune_base").path
    #expect(InProcess.run("--store", store, "push", model, "--name", "m").status == 0)
    let evil = "\u{1B}]0;owned\u{07}\u{1B}[31mred\u{9B}2J"
    #expect(InProcess.run("--store", store, "meta", "set", "m:1", "note=\(evil)").status == 0)
    let show = InProcess.run("--store", store, "show", "m:1")
    #expect(show.status == 0)
    #expect(!show.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
    #expect(show.stdout.contains(#"note=\u{1B}]0;owned\u{7}\u{1B}[31mred\u{9B}2J"#))
    let sql = InProcess.run("--store", store, "sql", "SELECT value FROM metadata")
    #expect(!sql.stdout.unicodeScalars.contains { $0.value == 0x1B })
    let json = InProcess.run("--store", store, "show", "m:1", "--json")
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect((object?["metadata"] as? [String: String])?["note"] == evil)
  }
}

/// A model's asset list names files the graph reads; it must not reach outside `assets/`.
@Suite("asset names that escape")
struct HostileAssetTests {
  @Test("run refuses an asset named ../../../../etc/hostname and verify flags it")
  func escapingAsset() throws {
    let model = try Repository.Fixtures.scratchCopy("string_lookup")
    try HostileModels.renameAssets(in: model, to: "../../../../etc/hostname")
    let run = InProcess.run("run", model.path, "--json")
    #expect(run.status == 6, "\(run.stderr)")
    #expect(run.stderr.contains("not a file inside the model's assets/ directory"), "\(run.stderr)")
    let verify = InProcess.run("verify", model.path)
    #expect(verify.status == 1)
    #expect(verify.stderr.contains("asset_file_def names \"../../../../etc/hostname\""), "\(verify.stderr)")
  }
}
