import ArgumentParser
import Foundation
import Registry

/// Durations on the command line: a number and a unit (ms, s, m, h, d, w), at most `maximum`.
enum Duration {
  /// The longest duration taken: 100 years. A longer grace period or retention means nothing,
  /// and past it the arithmetic breaks: `106751991167301d` overflowed `Int` when described, and
  /// `9999999999999999w` put the cutoff in the year -4712.
  static let maximum: TimeInterval = 100 * 365.25 * 86_400

  /// The seconds `text` says, or nil when it is not a duration or is longer than `maximum`.
  static func parse(_ text: String) -> TimeInterval? {
    let units: [(suffix: String, scale: Double)] = [
      ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800),
    ]
    guard let (suffix, scale) = units.first(where: { text.hasSuffix($0.suffix) }),
      let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite
    else {
      return nil
    }
    let seconds = value * scale
    return seconds <= maximum ? seconds : nil
  }

  /// The shortest spelling of `seconds` in one unit. Values past `maximum` (a policy saved
  /// before the bound) or not finite are printed as seconds rather than converted to `Int`.
  static func describe(_ seconds: Double) -> String {
    guard seconds.isFinite, abs(seconds) <= maximum else { return "\(seconds)s" }
    for (unit, scale) in [("w", 604_800.0), ("d", 86_400), ("h", 3600), ("m", 60)]
    where seconds >= scale && seconds.truncatingRemainder(dividingBy: scale) == 0 {
      return "\(Int(seconds / scale))\(unit)"
    }
    return "\(Int(seconds))s"
  }
}
