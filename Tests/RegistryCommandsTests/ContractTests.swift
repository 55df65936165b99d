import ArgumentParser
import Foundation
import RegistryTestSupport
import TestModels
import Testing

@testable import RegistryCommands

/// The command line's contract, pinned: every command's `--help`, the shape of every `--json`
/// output on success and on failure, and the exit status and error kind of each failure path.
/// Commands run in process (`InProcess`); snapshots live in `Snapshots/`.
@Suite("command-line contract")
struct ContractTests {
  /// Every command and subcommand, with its path of names (`["alias", "set"]`).
  static func commands(
    _ type: any ParsableCommand.Type = RegistryCommand.self, path: [String] = []
  ) -> [(path: [String], type: any ParsableCommand.Type)] {
    let here = path.isEmpty ? [] : [(path: path, type: type)]
    return here
      + type.configuration.subcommands.flatMap { child in commands(child, path: path + [child._commandName]) }
  }

  @Test("every command's --help matches its snapshot")
  func help() throws {
    let all = Self.commands()
    #expect(all.count >= 23, "the command tree lost commands: \(all.map(\.path))")
    try Snapshot.check(RegistryCommand.helpMessage(columns: 100) + "\n", named: "help/registry.txt")
    for (path, type) in all {
      let text = RegistryCommand.helpMessage(for: type, columns: 100)
      try Snapshot.check(text + "\n", named: "help/\(path.joined(separator: "-")).txt")
    }
  }

  /// A store holding a fine-tune lineage (mlp:1 → mlp:2) and the Keras MLP (`k:1`), and the files
  /// the scenarios read.
  struct Scene {
    let store: String
    let scratch: URL
    var base: String { (try? Repository.Fixtures.model("finetune_base").path) ?? "" }
    var head: String { (try? Repository.Fixtures.model("finetune_head").path) ?? "" }

    init() throws {
      scratch = try makeTemporaryDirectory("contract")
      store = scratch.appendingPathComponent("store").path
      try Data("[[1, 2, 3, 4]]".utf8).write(to: scratch.appendingPathComponent("features.json"))
      try Data("[[1, 2, 3, 4]".utf8).write(to: scratch.appendingPathComponent("bad.json"))
      try UnsupportedModel.write(to: scratch.appendingPathComponent("unsupported"))
    }

    func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    func run(_ arguments: String...) -> InProcess.Result { run(arguments) }

    func run(_ arguments: [String]) -> InProcess.Result {
      InProcess.run(["--store", store] + arguments)
    }
  }

  @Test("every command's --json output has the documented shape, on success and on failure")
  func jsonShapes() throws {
    let scene = try Scene()
    let keras = try Repository.Fixtures.model("keras2_mlp").path
    // (snapshot name, arguments): each must succeed and print one JSON object.
    let successes: [(String, [String])] = [
      ("push", ["push", scene.base, "--name", "mlp", "--message", "base", "--json"]),
      ("push-parent", ["push", scene.head, "--name", "mlp", "--parent", "mlp:1", "--alias", "prod", "--json"]),
      ("push-keras", ["push", keras, "--name", "k", "--json"]),
      ("list", ["list", "--json"]),
      ("list-model", ["list", "mlp", "--json"]),
      ("show", ["show", "mlp:2", "--json"]),
      ("pull", ["pull", "mlp:1", "--to", scene.path("pulled"), "--json"]),
      ("inspect", ["inspect", scene.base, "--json"]),
      ("verify", ["verify", scene.base, "--json"]),
      ("diff", ["diff", "mlp:1", "mlp:2", "--json"]),
      ("alias-set", ["alias", "set", "mlp@stable", "1", "--json"]),
      ("alias-rm", ["alias", "rm", "mlp@stable", "--json"]),
      ("meta-set", ["meta", "set", "mlp:2", "team=search", "--json"]),
      ("meta-rm", ["meta", "rm", "mlp:2", "team", "--json"]),
      ("lineage", ["lineage", "mlp:2", "--json"]),
      ("log", ["log", "mlp", "--json"]),
      ("identify", ["identify", scene.head, "--json"]),
      ("query", ["query", "--model", "mlp", "--json"]),
      ("sql", ["sql", "SELECT name, 1 AS one FROM models ORDER BY name", "--json"]),
      ("events", ["events", "--json"]),
      ("run", ["run", "k", "--input", "features=\(scene.path("features.json"))", "--json"]),
      ("run-check", ["run", "k", "--check", "--json"]),
      ("ops", ["ops", "--json"]),
      ("ops-one", ["ops", "Conv2D", "--json"]),
      ("rm", ["rm", "k", "--json"]),
      ("gc", ["gc", "--grace", "0s", "--json"]),
      ("fsck", ["fsck", "--json"]),
      ("export", ["export", "mlp:1", "oci-layout:\(scene.path("layout"))", "--json"]),
      ("import", ["import", "oci-layout:\(scene.path("layout")):1", "--name", "copy", "--json"]),
      ("tags", ["tags", "oci-layout:\(scene.path("layout"))", "--json"]),
    ]
    for (name, arguments) in successes {
      let result = scene.run(arguments)
      #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
      try Snapshot.check(try JSONShape.describe(result.stdout), named: "json/\(name).txt")
    }
  }

  /// One failure per command at least, each with the status and kind docs/cli.md gives it.
  /// The command words at the start of an argument list (`["alias", "set", "x@y"]` → `alias set`).
  static func commandPath(of arguments: [String]) -> String {
    let words = arguments.prefix(2).filter { word in commands().contains { $0.path.contains(word) } }
    return words.joined(separator: " ")
  }

  @Test("every command fails with one JSON error object, its documented status and kind")
  func failures() throws {
    let scene = try Scene()
    let keras = try Repository.Fixtures.model("keras2_mlp").path
    #expect(scene.run("push", scene.base, "--name", "mlp", "--alias", "prod").status == 0)
    #expect(scene.run("push", keras, "--name", "k").status == 0)
    let missingDirectory = scene.path("no-such-dir")
    let cases: [(status: Int32, kind: String, arguments: [String])] = [
      (2, "usage", ["push", "--json"]),
      (2, "usage", ["pull", "mlp", "--json"]),
      (2, "usage", ["frobnicate", "--json"]),
      (3, "not_found", ["push", missingDirectory, "--name", "x", "--json"]),
      (3, "not_found", ["pull", "nope", "--to", scene.path("out"), "--json"]),
      (8, "already_exists", ["pull", "mlp", "--to", scene.scratch.path, "--json"]),
      (3, "not_found", ["list", "nope", "--json"]),
      (3, "not_found", ["show", "mlp:9", "--json"]),
      (3, "not_found", ["inspect", missingDirectory, "--json"]),
      (6, "invalid_argument", ["inspect", scene.scratch.path, "--json"]),
      (3, "not_found", ["diff", "mlp:1", "mlp:7", "--json"]),
      (3, "not_found", ["alias", "set", "nope@prod", "1", "--json"]),
      (9, "failed_precondition", ["rm", "mlp@prod", "--json"]),
      (3, "not_found", ["alias", "rm", "mlp@nothing", "--json"]),
      (3, "not_found", ["meta", "set", "nope:1", "a=b", "--json"]),
      (3, "not_found", ["meta", "rm", "mlp:1", "absent-key", "--json"]),
      (3, "not_found", ["lineage", "nope", "--json"]),
      (3, "not_found", ["log", "nope", "--json"]),
      (3, "not_found", ["identify", missingDirectory, "--json"]),
      (6, "invalid_argument", ["sql", "DELETE FROM models", "--json"]),
      (6, "invalid_argument", ["sql", "SELECT * FROM no_such_table", "--json"]),
      (6, "invalid_argument", ["run", "k", "--input", "features=\(scene.path("bad.json"))", "--json"]),
      (3, "not_found", ["run", "k", "--input", "features=\(scene.path("missing.json"))", "--json"]),
      (3, "not_found", ["run", "k", "--input", "features=\(scene.path("missing.npy"))", "--json"]),
      (6, "invalid_argument", ["run", "k", "--signature", "nope", "--json"]),
      (5, "unsupported", ["run", scene.path("unsupported"), "--json"]),
      (5, "unsupported", ["run", scene.path("unsupported"), "--check", "--json"]),
      (2, "usage", ["run", "k", "--check", "--input", "x=y.json", "--json"]),
      (3, "not_found", ["ops", "NoSuchOp", "--json"]),
      (3, "not_found", ["query", "--model", "x", "--json", "--store", scene.path("no-store")]),
      (3, "not_found", ["events", "--json", "--store", scene.path("no-store")]),
      (3, "not_found", ["verify", missingDirectory, "--json"]),
      (3, "not_found", ["serve", "--rest-port", "0", "--json", "--store", scene.path("no-store")]),
      (3, "not_found", ["card", "set", "mlp:9", scene.path("card.md"), "--json"]),
      (3, "not_found", ["card", "show", "mlp", "--json"]),
      (6, "invalid_argument", ["export", "mlp", "docker://host/repo", "--json"]),
      (3, "not_found", ["import", "oci-layout:\(missingDirectory)", "--json"]),
      (3, "not_found", ["tags", "oci-layout:\(missingDirectory)", "--json"]),
      (2, "usage", ["login", "registry.example", "--username", "u", "--json"]),
      (3, "not_found", ["logout", "no-such-host.example", "--json"]),
    ]
    var shapes = Set<String>()
    for (status, kind, arguments) in cases {
      let result = scene.run(arguments)
      let line = arguments.joined(separator: " ")
      #expect(result.status == status, "\(line): exit \(result.status), stderr \(result.stderr)")
      let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
      let error = object?["error"] as? [String: Any]
      #expect(error?["kind"] as? String == kind, "\(line): stdout \(result.stdout)")
      #expect(!result.stderr.isEmpty, "\(line): nothing on stderr")
      if status != 2 {
        #expect(result.stderr.split(separator: "\n").count == 1, "\(line): stderr \(result.stderr)")
        shapes.insert(try JSONShape.describe(result.stdout))
      }
    }
    // A failure case above for each command of the tree (gc and fsck fail on damage, below).
    let covered = Set(cases.map { Self.commandPath(of: $0.arguments) })
    for (path, _) in Self.commands() where !["gc", "fsck"].contains(path[0]) {
      let name = path.joined(separator: " ")
      #expect(covered.contains { $0 == name || $0.hasPrefix(name + " ") }, "no failure case for \(name)")
    }
    // Every error object has one of two shapes: with and without `file`.
    #expect(shapes.count <= 2, "\(shapes)")
    try Snapshot.check(shapes.sorted().joined(separator: "---\n"), named: "json/error.txt")
  }

  @Test("a corrupt object fails pull (4) and fsck (1) by name, and a check failure exits 1")
  func corruptObject() throws {
    let scene = try Scene()
    #expect(scene.run("push", scene.base, "--name", "mlp").status == 0)
    let objects = URL(fileURLWithPath: scene.store).appendingPathComponent("objects")
    let files = try #require(FileManager.default.enumerator(atPath: objects.path)?.allObjects as? [String])
      .map { objects.appendingPathComponent($0) }
      .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    let victim = try #require(
      files.max { (try? Data(contentsOf: $0).count) ?? 0 < (try? Data(contentsOf: $1).count) ?? 0 })
    var bytes = [UInt8](try Data(contentsOf: victim))
    bytes[bytes.count - 1] ^= 0xFF
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: victim.path)
    try Data(bytes).write(to: victim)
    let pull = scene.run("pull", "mlp", "--to", scene.path("out"), "--json")
    #expect(pull.status == 4, "\(pull.stderr)")
    #expect(pull.stdout.contains("\"corrupted\""))
    #expect(!FileManager.default.fileExists(atPath: scene.path("out")))
    let fsck = scene.run("fsck", "--json")
    #expect(fsck.status == 1, "\(fsck.stderr)")
    #expect(fsck.stderr.contains("corrupt"))
  }
}
