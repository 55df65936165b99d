import Foundation
import RegistryCore
import Remote

/// The one line `export` and `import` redraw on a terminal while blobs move: blobs and bytes
/// done, rate, time left, and what needed no transfer. Drawn on stderr only when stderr is a
/// terminal and the output is not `--json`, at most ten times a second, and erased at the end
/// so the result line stands alone (a log file or a cron mail never sees it).
final class ProgressLine: Sendable {
  /// What the line shows, from the transfer's events.
  struct Tally: Equatable {
    var blobs = 0
    var bytes: Int64 = 0
    var done = 0
    var transferredBytes: Int64 = 0
    var skipped = 0
    var skippedBytes: Int64 = 0
    var mounted = 0
    var mountedBytes: Int64 = 0

    mutating func add(_ event: TransferEvent) {
      switch event {
      case .planned(let blobs, let bytes):
        self.blobs = blobs
        self.bytes = bytes
      case .finished(let outcome, let bytes):
        done += 1
        switch outcome {
        case .uploaded, .fetched: transferredBytes += bytes
        case .skipped:
          skipped += 1
          skippedBytes += bytes
        case .mounted:
          mounted += 1
          mountedBytes += bytes
        }
      }
    }

    /// `export: 12/40 blobs, 45.2 MB of 180.3 MB, 120.0 MB/s, 2s left, 8 already there (27.0 MB)`.
    func line(verb: String, elapsed: TimeInterval) -> String {
      let toMove = max(0, bytes - skippedBytes - mountedBytes)
      var parts = ["\(verb): \(done)/\(blobs) blobs", "\(humanBytes(transferredBytes)) of \(humanBytes(toMove))"]
      if elapsed >= 0.5, transferredBytes > 0 {
        let rate = Double(transferredBytes) / elapsed
        parts.append("\(humanBytes(Int64(rate)))/s")
        let left = Double(max(0, toMove - transferredBytes)) / rate
        parts.append("\(Self.duration(left)) left")
      }
      if skipped > 0 { parts.append("\(skipped) already there (\(humanBytes(skippedBytes)))") }
      if mounted > 0 { parts.append("\(mounted) mounted") }
      return parts.joined(separator: ", ")
    }

    static func duration(_ seconds: Double) -> String {
      let whole = Int(seconds.rounded(.up))
      if whole < 60 { return "\(whole)s" }
      if whole < 3600 { return "\(whole / 60)m\(String(format: "%02d", whole % 60))s" }
      return "\(whole / 3600)h\(String(format: "%02d", whole / 60 % 60))m"
    }
  }

  private struct State {
    var tally = Tally()
    var lastDraw: Date?
    var drawn = false
  }

  private let verb: String
  private let started = Date()
  private let state = Locked(State())

  private init(verb: String) { self.verb = verb }

  /// A line for `verb`, or nil when nothing should be drawn (`--json`, stderr not a terminal,
  /// or output captured by a test).
  static func forTerminal(verb: String, json: Bool) -> ProgressLine? {
    guard !json, Output.capture == nil, isatty(STDERR_FILENO) == 1 else { return nil }
    return ProgressLine(verb: verb)
  }

  /// Takes an event; redraws when the last drawing is a tenth of a second old.
  func handle(_ event: TransferEvent) {
    let now = Date()
    let text: String? = state.withLock { state in
      state.tally.add(event)
      if let last = state.lastDraw, now.timeIntervalSince(last) < 0.1 { return nil }
      state.lastDraw = now
      state.drawn = true
      return state.tally.line(verb: verb, elapsed: now.timeIntervalSince(started))
    }
    // Clear to the end of the line after a carriage return: a shorter line leaves no tail.
    if let text { FileHandle.standardError.write(Data(("\r" + TerminalText.escaped(text) + "\u{1B}[K").utf8)) }
  }

  /// Erases the line, if one is drawn (before the result or an error is printed).
  func finish() {
    let drawn = state.withLock { state in
      defer { state.drawn = false }
      return state.drawn
    }
    if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}
