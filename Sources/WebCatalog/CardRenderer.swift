import Foundation
import Ink

/// Model cards: Markdown rendered by Ink, then rebuilt tag by tag from an allow-list.
///
/// Ink passes raw HTML through, so its output is not trusted: every tag is parsed and either
/// re-emitted from scratch (allowed name, no attributes but a checked `href`) or shown as text.
/// Links survive only with an `http:` or `https:` target; any other link keeps its text.
enum CardRenderer {
  /// Tags a card may use, all without attributes except `a`'s `href`.
  private static let allowedTags: Set<String> = [
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "hr", "br",
    "table", "thead", "tbody", "tr", "th", "td", "a", "del", "s",
  ]
  private static let voidTags: Set<String> = ["hr", "br"]

  /// Stands in for `<` while Ink parses, so Ink sees no raw HTML at all: given an inline tag,
  /// Ink 0.6 stops parsing Markdown for the rest of the card. Any occurrence in the card itself
  /// is replaced first.
  private static let lessThan: Character = "\u{E000}"

  static func html(fromMarkdown markdown: String) -> String {
    let shielded = String(
      markdown.map { character -> Character in
        character == "<" ? lessThan : character == lessThan ? "\u{FFFD}" : character
      })
    return sanitize(MarkdownParser().html(from: shielded)).replacingOccurrences(of: String(lessThan), with: "&lt;")
  }

  /// Rebuilds `html` keeping only allowed tags; everything else becomes escaped text.
  static func sanitize(_ html: String) -> String {
    let scalars = Array(html.unicodeScalars)
    var output = String.UnicodeScalarView()
    var index = 0
    // Each open `a` records whether it was kept, so its closing tag is dropped with it.
    var openLinks: [Bool] = []
    func append(_ text: String) { output.append(contentsOf: text.unicodeScalars) }
    while index < scalars.count {
      let scalar = scalars[index]
      switch scalar {
      case "<":
        if let tag = Tag.parse(scalars, at: index) {
          index = tag.end
          let source = String(String.UnicodeScalarView(scalars[tag.start..<tag.end]))
          append(render(tag, openLinks: &openLinks) ?? HTML.escape(source))
        } else {
          append("&lt;")
          index += 1
        }
      case ">":
        append("&gt;")
        index += 1
      case "&":
        let entity = Self.entity(scalars, at: index)
        append(entity ?? "&amp;")
        index += entity.map { $0.unicodeScalars.count } ?? 1
      case "\"":
        append("&quot;")
        index += 1
      default:
        if scalar.value < 0x20, scalar != "\n", scalar != "\t", scalar != "\r" {
          index += 1
          continue
        }
        output.append(scalar)
        index += 1
      }
    }
    return String(output)
  }

  /// The tag rebuilt, or `nil` when it is not allowed (the caller shows it as text).
  private static func render(_ tag: Tag, openLinks: inout [Bool]) -> String? {
    guard allowedTags.contains(tag.name) else { return nil }
    if tag.closing {
      if tag.name == "a" { return (openLinks.popLast() ?? false) ? "</a>" : "" }
      return voidTags.contains(tag.name) ? "" : "</\(tag.name)>"
    }
    if tag.name == "a" {
      guard let href = tag.attributes["href"], let safe = safeLink(href) else {
        openLinks.append(false)
        return ""
      }
      openLinks.append(true)
      return "<a href=\"\(HTML.escape(safe))\" rel=\"nofollow noopener noreferrer\">"
    }
    return "<\(tag.name)>"
  }

  /// `href` when it is an absolute http(s) URL with a host, after undoing the entities Ink wrote.
  static func safeLink(_ href: String) -> String? {
    let decoded = decodeEntities(href).trimmingCharacters(in: .whitespacesAndNewlines)
    guard decoded.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }),
      let url = URL(string: decoded), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
      let host = url.host, !host.isEmpty
    else { return nil }
    return decoded
  }

  private static func decodeEntities(_ text: String) -> String {
    text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
      .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
      .replacingOccurrences(of: "&amp;", with: "&")
  }

  /// A character reference (`&amp;`, `&#39;`, `&#x27;`) starting at `index`, kept as it is.
  private static func entity(_ scalars: [Unicode.Scalar], at index: Int) -> String? {
    var end = index + 1
    var body = ""
    while end < scalars.count, end - index <= 10 {
      let scalar = scalars[end]
      if scalar == ";" {
        let valid =
          body.first == "#"
          ? body.dropFirst().allSatisfy(\.isHexDigit) && body.count > 1
          : !body.isEmpty && body.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return valid ? "&" + body + ";" : nil
      }
      body.unicodeScalars.append(scalar)
      end += 1
    }
    return nil
  }

  /// One tag as Ink (or a card's raw HTML) wrote it.
  private struct Tag {
    let start: Int
    let end: Int
    let name: String
    let closing: Bool
    let attributes: [String: String]

    /// Parses `<name attr="value" ...>` or `</name>` at `start`; `nil` when it is not a tag.
    static func parse(_ scalars: [Unicode.Scalar], at start: Int) -> Tag? {
      var index = start + 1
      func peek() -> Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }
      func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r"
      }
      var closing = false
      if peek() == "/" {
        closing = true
        index += 1
      }
      var name = ""
      while let scalar = peek(), scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
        name.unicodeScalars.append(scalar)
        index += 1
      }
      guard name.unicodeScalars.first?.properties.isAlphabetic == true else { return nil }
      var attributes: [String: String] = [:]
      while true {
        while let scalar = peek(), isSpace(scalar) { index += 1 }
        guard let scalar = peek() else { return nil }
        if scalar == ">" {
          return Tag(start: start, end: index + 1, name: name.lowercased(), closing: closing, attributes: attributes)
        }
        if scalar == "/" {
          index += 1
          continue
        }
        var key = ""
        while let scalar = peek(), !isSpace(scalar), scalar != "=", scalar != ">", scalar != "/" {
          if scalar == "<" || scalar == "\"" || scalar == "'" { return nil }
          key.unicodeScalars.append(scalar)
          index += 1
        }
        guard !key.isEmpty else { return nil }
        while let scalar = peek(), isSpace(scalar) { index += 1 }
        var value = ""
        if peek() == "=" {
          index += 1
          while let scalar = peek(), isSpace(scalar) { index += 1 }
          if let quote = peek(), quote == "\"" || quote == "'" {
            index += 1
            while let scalar = peek(), scalar != quote {
              value.unicodeScalars.append(scalar)
              index += 1
            }
            guard peek() == quote else { return nil }
            index += 1
          } else {
            while let scalar = peek(), !isSpace(scalar), scalar != ">" {
              value.unicodeScalars.append(scalar)
              index += 1
            }
          }
        }
        // The first occurrence wins, as in browsers.
        if attributes[key.lowercased()] == nil { attributes[key.lowercased()] = value }
      }
    }
  }
}
