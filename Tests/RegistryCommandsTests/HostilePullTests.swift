import Foundation
import RegistryTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `pull --force` deletes what is at its target, so every target that is not a directory an
/// earlier pull wrote must be refused, with nothing changed; and a pulled tree never carries
/// setuid, setgid or sticky bits.
@Suite("pull refuses to destroy what it did not write")
struct HostilePullTests {
  struct Scene {
    let root: URL
    let store: String

    init() throws {
      root = try makeTemporaryDirectory("hostile-pull")
      store = root.appendingPathComponent("store").path
      let model = try Repository.Fixtures.model("finetune_base").path
      let push = try CommandLineTests.run("--store", store, "push", model, "--name", "m")
      #expect(push.status == 0, "\(push.stderr)")
    }

    /// Runs the binary in `directory` (for the working-directory rules).
    func run(in directory: URL? = nil, _ arguments: String...) throws -> CommandLineTests.Result {
      try CommandLineTests.start(["--store", store] + arguments, in: directory ?? root).finish()
    }

    /// Every file below `path` with its size, to show nothing changed (SQLite's `-wal` and `-shm`
    /// files come and go with every reader).
    func snapshot(_ path: String) -> [String: Int] {
      var result: [String: Int] = [:]
      let enumerator = FileManager.default.enumerator(atPath: path)
      while let relative = enumerator?.nextObject() as? String {
        if relative.hasSuffix("-wal") || relative.hasSuffix("-shm") { continue }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + relative)
        result[relative] = (attributes?[.size] as? Int) ?? -1
      }
      return result
    }
  }

  @Test("--force refuses the store, anything inside it, and any ancestor of it")
  func storeIsSafe() throws {
    let scene = try Scene()
    let before = scene.snapshot(scene.store)
    for target in [scene.store, scene.store + "/objects", scene.store + "/objects/sha256", scene.root.path] {
      let result = try scene.run("pull", "m", "--to", target, "--force", "--json")
      #expect(result.status == 9, "\(target): \(result.status) \(result.stderr)")
      #expect(result.stdout.contains("failed_precondition"))
    }
    #expect(scene.snapshot(scene.store) == before)
    #expect(try scene.run("pull", "m", "--to", scene.root.appendingPathComponent("ok").path).status == 0)
  }

  @Test("--force refuses the working directory and its ancestors")
  func workingDirectoryIsSafe() throws {
    let scene = try Scene()
    let work = scene.root.appendingPathComponent("work/here")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    try Data("mine".utf8).write(to: work.appendingPathComponent("notes.txt"))
    for target in [".", "..", work.path, "../../work"] {
      let result = try scene.run(in: work, "pull", "m", "--to", target, "--force")
      #expect(result.status == 9, "\(target): \(result.status) \(result.stderr)")
    }
    #expect(try String(contentsOf: work.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine")
  }

  @Test("--force refuses files, FIFOs, symlinks and directories that pull did not write")
  func onlyPulledDirectories() throws {
    let scene = try Scene()
    let file = scene.root.appendingPathComponent("file.txt")
    try Data("keep".utf8).write(to: file)
    let fifo = scene.root.appendingPathComponent("fifo").path
    #expect(mkfifo(fifo, 0o644) == 0)
    let link = scene.root.appendingPathComponent("link").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file.path)
    let mine = scene.root.appendingPathComponent("mine")
    try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
    try Data("keep".utf8).write(to: mine.appendingPathComponent("work.txt"))
    for target in [file.path, fifo, link, mine.path] {
      let result = try scene.run("pull", "m", "--to", target, "--force")
      #expect(result.status == 9, "\(target): \(result.status) \(result.stderr)")
    }
    #expect(try String(contentsOf: file, encoding: .utf8) == "keep")
    #expect(try String(contentsOf: mine.appendingPathComponent("work.txt"), encoding: .utf8) == "keep")
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == file.path)
  }

  @Test("--force replaces a directory that pull wrote, and only while it is that directory")
  func replacesWhatItWrote() throws {
    let scene = try Scene()
    let target = scene.root.appendingPathComponent("pulled").path
    #expect(try scene.run("pull", "m", "--to", target).status == 0)
    let again = try scene.run("pull", "m", "--to", target, "--force")
    #expect(again.status == 0, "\(again.stderr)")
    // The user has added work to it since: refused, and the work is kept.
    let notes = URL(fileURLWithPath: target).appendingPathComponent("notes.txt")
    try Data("mine".utf8).write(to: notes)
    #expect(try scene.run("pull", "m", "--to", target, "--force").status == 9)
    #expect(try String(contentsOf: notes, encoding: .utf8) == "mine")
    // Replaced by a directory of the user's own at the same path (often with the same inode
    // number, which the file system hands out again): refused.
    try FileManager.default.removeItem(atPath: target)
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    #expect(try scene.run("pull", "m", "--to", target, "--force").status == 9)
  }

  @Test("pulled files and directories never keep setuid, setgid or sticky bits")
  func modesStripped() throws {
    let scene = try Scene()
    let model = try Repository.Fixtures.scratchCopy("finetune_head")
    let graph = model.appendingPathComponent("saved_model.pb").path
    #expect(chmod(graph, 0o6755) == 0)
    #expect(chmod(model.appendingPathComponent("variables").path, 0o1777) == 0)
    #expect(try scene.run("push", model.path, "--name", "setuid").status == 0)
    let target = scene.root.appendingPathComponent("setuid-out")
    #expect(try scene.run("pull", "setuid", "--to", target.path).status == 0)
    let file = try FileManager.default.attributesOfItem(atPath: target.appendingPathComponent("saved_model.pb").path)
    #expect((file[.posixPermissions] as? Int) == 0o755)
    let directory = try FileManager.default.attributesOfItem(atPath: target.appendingPathComponent("variables").path)
    #expect((directory[.posixPermissions] as? Int) == 0o777)
  }

  @Test("a killed pull's leftovers are removed by the next pull to the same name")
  func leftoversCleaned() throws {
    let scene = try Scene()
    let dead = scene.root.appendingPathComponent(".out.pull-999999999-0a1b")
    let live = scene.root.appendingPathComponent(".out.pull-\(getpid())-0a1b")
    for directory in [dead, live] {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
    #expect(try scene.run("pull", "m", "--to", scene.root.appendingPathComponent("out").path).status == 0)
    #expect(!FileManager.default.fileExists(atPath: dead.path))
    #expect(FileManager.default.fileExists(atPath: live.path), "a pull still running (this process) is left alone")
  }
}
