import ArgumentParser
import Foundation
import Registry

/// Durations on the command line: a number and a unit (s, m, h, d, w).
enum Duration {
  static func parse(_ text: String) -> TimeInterval? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
    guard let unit = text.last, let scale = units[unit], let value = Double(text.dropLast()), value >= 0, value.isFinite
    else {
      return nil
    }
    return value * scale
  }

  static func describe(_ seconds: Double) -> String {
    for (unit, scale) in [("w", 604_800.0), ("d", 86_400), ("h", 3600), ("m", 60)]
    where seconds >= scale && seconds.truncatingRemainder(dividingBy: scale) == 0 {
      return "\(Int(seconds / scale))\(unit)"
    }
    return "\(Int(seconds))s"
  }
}
