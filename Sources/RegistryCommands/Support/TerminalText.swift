/// Text from users (model names, metadata, messages, SQL results) made safe for a terminal.
///
/// An escape sequence in a name could move the cursor, recolour or retitle the terminal, or hide
/// text from the person reading it. Every control character other than newline and tab (C0, DEL
/// and the C1 range U+0080–U+009F, which some terminals also obey) is shown as `\u{…}` instead.
/// `--json` output needs none of this: JSON escapes control characters itself.
enum TerminalText {
  static func escaped(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var result = ""
    result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
    for scalar in text.unicodeScalars {
      if isControl(scalar) {
        result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x0A, 0x09: false
    case 0x00...0x1F, 0x7F...0x9F: true
    default: false
    }
  }
}
