import Foundation

/// HTML text built by hand (the SVG charts, the sanitised card): every value that goes in is
/// escaped here, so the templates may insert the result unescaped.
enum HTML {
  /// Escapes text for an element's content or a quoted attribute value.
  static func escape(_ text: String) -> String {
    guard text.contains(where: { "<>&\"'".contains($0) }) else { return text }
    var result = ""
    result.reserveCapacity(text.utf8.count + 16)
    for character in text {
      switch character {
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "&": result += "&amp;"
      case "\"": result += "&quot;"
      case "'": result += "&#39;"
      default: result.append(character)
      }
    }
    return result
  }

  /// Percent-encodes one path segment or query value (model names keep their `/`).
  static func urlComponent(_ text: String, keepingSlash: Bool = false) -> String {
    var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: "\u{0}"..."\u{7F}"))
    allowed.insert(charactersIn: "-._~:@" + (keepingSlash ? "/" : ""))
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
  }
}

/// Numbers and times as the pages print them: bytes with units, times relative to now.
enum Format {
  static func bytes(_ count: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    var value = Double(count)
    var unit = 0
    while abs(value) >= 1024, unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return unit == 0 ? "\(count) B" : String(format: value < 10 ? "%.2f %@" : "%.1f %@", value, units[unit])
  }

  static func count(_ value: Int) -> String {
    value.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
  }

  private static let parsers: [Date.ISO8601FormatStyle] = [
    Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle(),
  ]

  static func date(_ text: String) -> Date? {
    for parser in parsers {
      if let date = try? parser.parse(text) { return date }
    }
    return nil
  }

  /// "3 minutes ago", or the text itself when it is not an ISO 8601 time.
  static func relative(_ text: String, now: Date = Date()) -> String {
    guard let date = date(text) else { return text }
    let seconds = now.timeIntervalSince(date)
    let future = seconds < 0
    let magnitude = abs(seconds)
    let (amount, unit): (Int, String) =
      switch magnitude {
      case ..<45: (0, "")
      case ..<3600: (max(1, Int((magnitude / 60).rounded())), "minute")
      case ..<86_400: (Int((magnitude / 3600).rounded()), "hour")
      case ..<(86_400 * 30): (Int((magnitude / 86_400).rounded()), "day")
      case ..<(86_400 * 365): (Int((magnitude / (86_400 * 30)).rounded()), "month")
      default: (Int((magnitude / (86_400 * 365)).rounded()), "year")
      }
    if amount == 0 { return "just now" }
    let phrase = "\(amount) \(unit)\(amount == 1 ? "" : "s")"
    return future ? "in \(phrase)" : "\(phrase) ago"
  }

  /// The exact time for a tooltip, in UTC.
  static func exact(_ text: String) -> String {
    guard let date = date(text) else { return text }
    return date.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: .gmt))
      .replacingOccurrences(of: "Z", with: " UTC")
  }

  /// A template value for a time: relative text, exact tooltip, machine-readable attribute.
  static func time(_ text: String?) -> [String: Any] {
    guard let text else { return ["relative": "never", "exact": "", "iso": ""] }
    return ["relative": relative(text), "exact": exact(text), "iso": text]
  }

  static func shape(_ dimensions: [Int64]?) -> String {
    guard let dimensions else { return "unknown rank" }
    return "[" + dimensions.map { $0 < 0 ? "?" : String($0) }.joined(separator: ", ") + "]"
  }

  static func decimal(_ value: Double?) -> String {
    guard let value else { return "—" }
    if value == 0 { return "0" }
    return abs(value) >= 0.001 && abs(value) < 10_000 ? String(format: "%.4g", value) : String(format: "%.3e", value)
  }
}
