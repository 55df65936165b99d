import Foundation
import RegistryTestSupport
import Remote
import Testing

@testable import RegistryCommands

@Suite("export and import progress")
struct ProgressLineTests {
  @Test("the line counts blobs and bytes, leaves out what needed no transfer, and estimates the rest")
  func tally() {
    var tally = ProgressLine.Tally()
    tally.add(.planned(blobs: 4, bytes: 4_000_000))
    #expect(tally.line(verb: "export", elapsed: 0.1) == "export: 0/4 blobs, 0 B of 4.0 MB")
    tally.add(.finished(.skipped, bytes: 1_000_000))
    tally.add(.finished(.uploaded, bytes: 1_000_000))
    // 1 MB moved in 2 s of the 3 MB to move: 0.5 MB/s, 2 MB left, 4 s.
    #expect(
      tally.line(verb: "export", elapsed: 2)
        == "export: 2/4 blobs, 1.0 MB of 3.0 MB, 500.0 kB/s, 4s left, 1 already there (1.0 MB)")
    tally.add(.finished(.mounted, bytes: 1_000_000))
    tally.add(.finished(.fetched, bytes: 1_000_000))
    #expect(tally.done == 4 && tally.transferredBytes == 2_000_000 && tally.mounted == 1)
    #expect(tally.line(verb: "import", elapsed: 4).hasSuffix("0s left, 1 already there (1.0 MB), 1 mounted"))
  }

  @Test("durations read as seconds, minutes or hours")
  func durations() {
    #expect(ProgressLine.Tally.duration(0.2) == "1s")
    #expect(ProgressLine.Tally.duration(59) == "59s")
    #expect(ProgressLine.Tally.duration(61) == "1m01s")
    #expect(ProgressLine.Tally.duration(7_322) == "2h02m")
  }

  /// Runs the binary under `script`, which gives it a terminal; returns what the terminal saw.
  static func onTerminal(_ arguments: [String]) throws -> (status: Int32, screen: String) {
    let command = ([CommandLineTests.binary.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    process.arguments = ["-qec", command, "/dev/null"]
    let out = Pipe()
    process.standardOutput = out
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let screen = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: screen, as: UTF8.self))
  }

  @Test("drawn on a terminal and erased before the result; silent under --json and into a pipe")
  func terminalOnly() throws {
    let root = try makeTemporaryDirectory("progress")
    let store = root.appendingPathComponent("store").path
    let model = Repository.root.appendingPathComponent("Fixtures/mobilenet_v2/model").path
    let pushed = try CommandLineTests.run("--store", store, "push", model, "--name", "m")
    #expect(pushed.status == 0, "\(pushed.stderr)")

    let drawn = try Self.onTerminal(["--store", store, "export", "m", "oci-layout:\(root.path)/a"])
    #expect(drawn.status == 0, "\(drawn.screen)")
    #expect(drawn.screen.contains("\rexport: 0/4 blobs, 0 B of 1.4 MB"))
    // Erased (carriage return, clear to end of line) right before the result line.
    #expect(drawn.screen.contains("\r\u{1B}[KExported m:1"))

    let json = try Self.onTerminal(["--store", store, "export", "m", "oci-layout:\(root.path)/b", "--json"])
    #expect(json.status == 0, "\(json.screen)")
    #expect(!json.screen.contains("blobs,") && !json.screen.contains("\u{1B}"))

    let fetched = try Self.onTerminal(["--store", "\(store)2", "import", "oci-layout:\(root.path)/a"])
    #expect(fetched.status == 0, "\(fetched.screen)")
    #expect(fetched.screen.contains("\rimport: 0/"))
    #expect(fetched.screen.contains("\r\u{1B}[KImported oci-layout:"))

    let piped = try CommandLineTests.run("--store", "\(store)3", "import", "oci-layout:\(root.path)/a")
    #expect(piped.status == 0 && piped.stderr.isEmpty, "\(piped.stderr)")
    #expect(piped.stdout.hasPrefix("Imported "))
  }
}
