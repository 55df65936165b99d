import Foundation
import RegistryTestSupport
import TestModels
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The adversarial suite: hostile inputs built from code, each run through the real binary under a
/// memory cap (`prlimit --as`) and a time limit (`timeout`), in a sandbox of its own. A case fails
/// on a signal (a crash), a timeout (a hang), a change anywhere in the sandbox outside the places
/// the command may write (an escape), or a change to the store (data loss). The counts are printed
/// and kept in docs/security.md.
@Suite("adversarial inputs", .serialized)
struct AdversarialTests {
  /// The sandbox of one case: `store/` (a store with `m:1` and `m:2`), `work/` (the case's files,
  /// also the working directory) and `outside/`, a canary nothing may touch.
  struct Sandbox {
    let root: URL
    var store: String { root.appendingPathComponent("store").path }
    var work: URL { root.appendingPathComponent("work") }

    func path(_ relative: String) -> String { work.appendingPathComponent(relative).path }

    func write(_ relative: String, _ bytes: [UInt8]) throws {
      let url = work.appendingPathComponent(relative)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(bytes).write(to: url)
    }

    func write(_ relative: String, _ text: String) throws { try write(relative, Array(text.utf8)) }
  }

  struct Case: Sendable {
    let name: String
    /// Where the command may write, relative to the sandbox (e.g. `work/out`).
    var writable: [String] = []
    /// Whether the command may change the store (a push, an alias).
    var changesStore = false
    /// Whether the command records its run in the event log (`fsck`): a row it adds to `events`
    /// is not a change to what the store holds.
    var logsRun = false
    let prepare: @Sendable (Sandbox) throws -> [String]
  }

  enum Outcome: String, CaseIterable {
    case clean, crash, hang, escape
    case dataLoss = "data loss"
  }

  static let cases: [Case] = [
    Case(name: "pull --force onto the store") { box in ["pull", "m", "--to", box.store, "--force"] },
    Case(name: "pull --force onto objects/") { box in ["pull", "m", "--to", box.store + "/objects", "--force"] },
    Case(name: "pull --force onto the working directory") { _ in ["pull", "m", "--to", ".", "--force"] },
    Case(name: "pull --force onto its parent") { _ in ["pull", "m", "--to", "..", "--force"] },
    Case(name: "pull --force onto a file") { box in
      try box.write("file.txt", "mine")
      return ["pull", "m", "--to", box.path("file.txt"), "--force"]
    },
    Case(name: "pull --force onto a FIFO") { box in
      _ = mkfifo(box.path("fifo"), 0o644)
      return ["pull", "m", "--to", box.path("fifo"), "--force"]
    },
    Case(name: "pull --force onto a user's directory") { box in
      try box.write("mine/notes.txt", "mine")
      return ["pull", "m", "--to", box.path("mine"), "--force"]
    },
    Case(name: "run writes an output named ../../escaped_out", writable: ["work/a/b/out"]) { box in
      try HostileModels.writeIdentity(to: box.work.appendingPathComponent("a/b/model"), outputKey: "../../escaped_out")
      try box.write("x.json", "[1.0, 2.0]")
      return ["run", box.path("a/b/model"), "--input", "x=\(box.path("x.json"))", "--output-dir", box.path("a/b/out")]
    },
    Case(name: "run reads an asset named ../../../../etc/hostname") { box in
      let model = box.work.appendingPathComponent("lookup")
      try FileManager.default.copyItem(at: try Repository.Fixtures.model("string_lookup"), to: model)
      try HostileModels.renameAssets(in: model, to: "../../../../etc/hostname")
      return ["run", model.path]
    },
    Case(name: "verify a model whose asset escapes") { box in
      let model = box.work.appendingPathComponent("lookup")
      try FileManager.default.copyItem(at: try Repository.Fixtures.model("string_lookup"), to: model)
      try HostileModels.renameAssets(in: model, to: "/etc/hostname")
      return ["verify", model.path]
    },
    Case(name: "push a model named a/../b") { _ in
      ["push", try Repository.Fixtures.model("keras2_mlp").path, "--name", "a/../b"]
    },
    Case(name: "sql that never ends") { _ in
      ["sql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"]
    },
    Case(name: "sql randomblob(1e9)") { _ in ["sql", "SELECT length(randomblob(1000000000))"] },
    Case(name: "sql that writes") { _ in ["sql", "DELETE FROM versions"] },
    Case(name: "sql ATTACH to write elsewhere") { box in ["sql", "ATTACH DATABASE '\(box.path("x.db"))' AS x"] },
    Case(name: "gc --dry-run changes nothing") { _ in ["gc", "--grace", "0s", "--dry-run"] },
    Case(name: "gc --grace 106751991167301d") { _ in ["gc", "--grace", "106751991167301d", "--dry-run"] },
    Case(name: "gc --grace 9999999999999999w") { _ in ["gc", "--grace", "9999999999999999w", "--dry-run"] },
    Case(name: "run with a malformed JSON input") { box in
      try box.write("bad.json", "[[1, 2")
      return ["run", "m", "--input", "features=\(box.path("bad.json"))"]
    },
    Case(name: "run with a .npy header claiming 10^12 strings") { box in
      try box.write("huge.npy", Self.npy(descr: "|S0", shape: "(1000000000000,)"))
      return ["run", "m", "--input", "x=\(box.path("huge.npy"))"]
    },
    Case(name: "run with a .npy of <U4611686018427387904") { box in
      try box.write("wide.npy", Self.npy(descr: "<U4611686018427387904", shape: "(2,)"))
      return ["run", "m", "--input", "x=\(box.path("wide.npy"))"]
    },
    Case(name: "run with a FIFO as input") { box in
      _ = mkfifo(box.path("input.npy"), 0o644)
      return ["run", "m", "--input", "x=\(box.path("input.npy"))"]
    },
    Case(name: "inspect a directory holding a FIFO as saved_model.pb") { box in
      try FileManager.default.createDirectory(
        at: box.work.appendingPathComponent("model"), withIntermediateDirectories: true)
      _ = mkfifo(box.path("model/saved_model.pb"), 0o644)
      return ["inspect", box.path("model")]
    },
    Case(name: "inspect a sparse 3 GB saved_model.pb") { box in
      try box.write("sparse/saved_model.pb", [])
      _ = truncate(box.path("sparse/saved_model.pb"), 3 << 30)
      return ["inspect", box.path("sparse")]
    },
    Case(name: "push a model holding a symlink to /etc/passwd", changesStore: false) { box in
      let model = box.work.appendingPathComponent("linked")
      try FileManager.default.copyItem(at: try Repository.Fixtures.model("keras2_mlp"), to: model)
      try FileManager.default.createSymbolicLink(
        atPath: model.appendingPathComponent("passwd").path, withDestinationPath: "/etc/passwd")
      return ["push", model.path, "--name", "linked"]
    },
    Case(name: "pull with a FIFO in place of an object") { box in
      let objects = box.store + "/objects/sha256"
      let enumerator = FileManager.default.enumerator(atPath: objects)
      var victim: String?
      while let path = enumerator?.nextObject() as? String {
        if path.split(separator: "/").count == 3 { victim = objects + "/" + path }
      }
      if let victim {
        try FileManager.default.removeItem(atPath: victim)
        _ = mkfifo(victim, 0o644)
      }
      return ["pull", "m:1", "--to", box.path("out")]
    },
    Case(name: "fsck with a FIFO in place of an object", logsRun: true) { box in
      let objects = box.store + "/objects/sha256"
      let enumerator = FileManager.default.enumerator(atPath: objects)
      while let path = enumerator?.nextObject() as? String {
        guard path.split(separator: "/").count == 3 else { continue }
        try FileManager.default.removeItem(atPath: objects + "/" + path)
        _ = mkfifo(objects + "/" + path, 0o644)
        break
      }
      return ["fsck"]
    },
    Case(name: "inspect a sparse 3 GB variables.index") { box in
      let model = box.work.appendingPathComponent("sparse-index")
      try FileManager.default.copyItem(at: try Repository.Fixtures.model("keras2_mlp"), to: model)
      _ = truncate(model.appendingPathComponent("variables/variables.index").path, 3 << 30)
      return ["inspect", model.path]
    },
    Case(name: "run a Const of shape [10^6, 10^6] holding one value") { box in
      try HostileModels.writeConstant(to: box.work.appendingPathComponent("const"), shape: [1_000_000, 1_000_000])
      return ["run", box.path("const")]
    },
    Case(name: "run a Const of shape [2^32, 2^32]") { box in
      try HostileModels.writeConstant(to: box.work.appendingPathComponent("const"), shape: [1 << 32, 1 << 32])
      return ["run", box.path("const")]
    },
    Case(name: "run a function that calls itself") { box in
      try HostileModels.writeRecursion(to: box.work.appendingPathComponent("recursion"))
      try box.write("x.json", "[1.0]")
      return ["run", box.path("recursion"), "--input", "x=\(box.path("x.json"))"]
    },
    Case(name: "names with terminal escapes") { _ in ["show", "m\u{1B}]0;owned\u{07}:1"] },
    Case(name: "run an unsupported model") { box in
      try UnsupportedModel.write(to: box.work.appendingPathComponent("unsupported"))
      return ["run", box.path("unsupported")]
    },
  ]

  /// A `.npy` file with the given header and no data.
  static func npy(descr: String, shape: String) -> [UInt8] {
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    let length = UInt16(header.utf8.count)
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
  }

  /// Every path below `root` with its size and modification time, except under `excluded`.
  static func listing(_ root: URL, excluding excluded: [String]) -> [String: String] {
    var result: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root.path)
    while let relative = enumerator?.nextObject() as? String {
      if excluded.contains(where: { relative == $0 || relative.hasPrefix($0 + "/") }) { continue }
      if relative.hasSuffix("-wal") || relative.hasSuffix("-shm") { continue }
      let attributes = try? FileManager.default.attributesOfItem(atPath: root.path + "/" + relative)
      // A directory is described by its entries (listed too), not its time: creating an allowed
      // output directory inside it changes its time.
      if attributes?[.type] as? FileAttributeType == .typeDirectory {
        result[relative] = "directory"
      } else {
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        result[relative] = "\(attributes?[.size] ?? "-") \(modified)"
      }
    }
    return result
  }

  /// What a store holds: every object file (path, size, time) and the catalog's rows (its SQL
  /// dump). Lock files and SQLite's page layout may change under any command that opens the
  /// store for writing; what is stored may not.
  /// - Parameter ignoringEvents: leave the event log's rows out of the catalog's dump.
  static func storeContent(_ store: String, ignoringEvents: Bool = false) throws -> [String: String] {
    var content = listing(URL(fileURLWithPath: store + "/objects"), excluding: [])
    let dump = Process()
    dump.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    dump.arguments = ["-readonly", store + "/catalog.sqlite", ".dump"]
    let out = Pipe()
    dump.standardOutput = out
    try dump.run()
    let rows = out.fileHandleForReading.readDataToEndOfFile()
    dump.waitUntilExit()
    let dumped = String(decoding: rows, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    content["catalog rows"] = dumped.filter { !ignoringEvents || !$0.hasPrefix("INSERT INTO events ") }.joined(
      separator: "\n")
    return content
  }

  /// The sanitizer the binary was built with (`Scripts/sanitize.sh` sets it), if any.
  static let sanitizer = ProcessInfo.processInfo.environment["REGISTRY_TEST_SANITIZER"]

  /// Runs the binary under an 8 GiB memory cap (more than any honest case needs, far less than a
  /// lying length asks for) and a 60 s limit (`timeout -s KILL`). The cap is `prlimit --as`,
  /// except for a sanitizer build: its runtime reserves terabytes of address space for shadow
  /// memory and could not start under that cap, so the sanitizer's own limits stand in (an
  /// allocation past 8 GiB, or a resident size past it, ends the process with a report).
  static func runCapped(_ arguments: [String], in directory: URL) throws -> CommandLineTests.Result {
    let timeLimit = ["/usr/bin/timeout", "-s", "KILL", "60"]
    guard let sanitizer else {
      return try CommandLineTests.start(
        arguments, through: ["/usr/bin/prlimit", "--as=8589934592", "--"] + timeLimit, in: directory
      ).finish()
    }
    let variable = sanitizer == "thread" ? "TSAN_OPTIONS" : "ASAN_OPTIONS"
    let options = [ProcessInfo.processInfo.environment[variable], "max_allocation_size_mb=8192:hard_rss_limit_mb=8192"]
      .compactMap { $0 }.joined(separator: ":")
    return try CommandLineTests.start(arguments, through: timeLimit, environment: [variable: options], in: directory)
      .finish()
  }

  /// Whether a sanitizer reported: an error, a race, or its memory limit (it exits with status 1
  /// or 66 afterwards, which would otherwise pass for a clean refusal). The registry never prints
  /// these names itself.
  static func sanitizerReported(_ stderr: String) -> Bool {
    stderr.contains("AddressSanitizer") || stderr.contains("ThreadSanitizer")
  }

  @Test(
    "no hostile input crashes, hangs, escapes its sandbox or changes the store",
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
  func suite() throws {
    var counts: [Outcome: Int] = [:]
    for testCase in Self.cases {
      let box = Sandbox(root: try makeTemporaryDirectory("adversarial"))
      try FileManager.default.createDirectory(at: box.work, withIntermediateDirectories: true)
      try FileManager.default.createDirectory(
        at: box.root.appendingPathComponent("outside"), withIntermediateDirectories: true)
      try Data("canary".utf8).write(to: box.root.appendingPathComponent("outside/canary.txt"))
      for fixture in ["finetune_base", "finetune_head"] {
        #expect(
          InProcess.run("--store", box.store, "push", try Repository.Fixtures.model(fixture).path, "--name", "m").status
            == 0)
      }
      let arguments = try testCase.prepare(box)
      let storeBefore = try Self.storeContent(box.store, ignoringEvents: testCase.logsRun)
      let sandboxBefore = Self.listing(box.root, excluding: ["store"] + testCase.writable)
      let result = try Self.runCapped(["--store", box.store] + arguments, in: box.work)
      let (status, signaled, stderr) = (result.status, result.signaled, result.stderr)
      // What the user saw, for the log: the case, its exit status and the first line of stderr.
      print("adversarial: \(testCase.name): exit \(status): \(stderr.split(separator: "\n").first ?? "")")
      let outcome: Outcome
      // timeout -s KILL: the child is killed (137 through timeout) when it runs past the limit.
      if status == 137 || status == 124 {
        outcome = .hang
      } else if signaled || status > 128 || Self.sanitizerReported(stderr) {
        outcome = .crash
      } else if Self.listing(box.root, excluding: ["store"] + testCase.writable) != sandboxBefore {
        outcome = .escape
      } else if !testCase.changesStore,
        try Self.storeContent(box.store, ignoringEvents: testCase.logsRun) != storeBefore
      {
        outcome = .dataLoss
      } else {
        outcome = .clean
      }
      counts[outcome, default: 0] += 1
      #expect(outcome == .clean, "\(testCase.name): \(outcome.rawValue) (exit \(status))")
      try? FileManager.default.removeItem(at: box.root)
    }
    let summary = Outcome.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")
    print("adversarial suite: \(Self.cases.count) cases: \(summary)")
    #expect(Self.cases.count >= 25)
  }
}
