import Foundation
import Registry
import RegistryTestSupport
import Remote
import Testing

/// Stores, fixtures and comparisons the remote tests share.
enum RemoteSupport {
  /// A new, empty store.
  static func newStore(_ label: String = "store") throws -> Registry {
    try Registry(root: try makeTemporaryDirectory("remote-\(label)"))
  }

  /// A store holding `finetune_base` as `mlp:1` and `finetune_head` as `mlp:2` (parent `mlp:1`).
  static func lineageStore() throws -> Registry {
    let registry = try newStore("lineage")
    var base = PushOptions(model: "mlp")
    base.message = "the base"
    base.metadata = ["team": "search"]
    _ = try registry.push(try Repository.Fixtures.model("finetune_base"), base)
    var head = PushOptions(model: "mlp")
    head.parent = try Reference(parsing: "mlp:1")
    head.message = "fine-tuned head"
    _ = try registry.push(try Repository.Fixtures.model("finetune_head"), head)
    return registry
  }

  /// Pulls a version and returns every file's path and content, for byte-exact comparisons.
  static func pulledFiles(_ registry: Registry, _ reference: String) throws -> [String: Data] {
    let target = try makeTemporaryDirectory("remote-pull").appendingPathComponent("model")
    _ = try registry.pull(try Reference(parsing: reference), to: target, replacing: false)
    var files: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(atPath: target.path)
    while let relative = enumerator?.nextObject() as? String {
      var isDirectory: ObjCBool = false
      let path = target.appendingPathComponent(relative).path
      _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      files[relative] = isDirectory.boolValue ? Data("<dir>".utf8) : try Data(contentsOf: URL(fileURLWithPath: path))
    }
    return files
  }

  /// Whether CI requires every external tool (then a missing one fails the test).
  static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

  /// The path of an executable on `PATH`, if installed.
  static func executable(_ name: String) -> String? {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let path = "\(directory)/\(name)"
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
  }

  /// Runs a program to completion; returns its status and output.
  @discardableResult
  static func run(_ program: String, _ arguments: [String], stdin: String? = nil) throws -> (
    status: Int32, stdout: Data, stderr: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes before waiting, so a chatty program never blocks on a full pipe.
    let errors = Mutable<Data>(Data())
    let reader = Thread { errors.value = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return (process.terminationStatus, output, String(decoding: errors.value, as: UTF8.self))
  }
}

/// A box a helper thread writes once before the reader looks. The lock (a pthread mutex, which
/// ThreadSanitizer sees) orders the write before the read; polling `Thread.isFinished` alone does
/// not, and TSan reported the race.
final class Mutable<T>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: T
  init(_ value: T) { stored = value }

  var value: T {
    get { lock.withLock { stored } }
    set { lock.withLock { stored = newValue } }
  }
}
