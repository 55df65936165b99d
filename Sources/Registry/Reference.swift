import Catalog

/// A version reference as users write it: `NAME` (latest), `NAME:VERSION` or `NAME@ALIAS`.
public struct Reference: Sendable, Equatable, CustomStringConvertible {
  public let model: String
  public let selector: VersionSelector

  public init(model: String, selector: VersionSelector) {
    self.model = model
    self.selector = selector
  }

  /// Parses a reference; the model name and alias must be valid names.
  public init(parsing text: String) throws(RegistryError) {
    if let at = text.lastIndex(of: "@") {
      let model = String(text[..<at])
      let alias = String(text[text.index(after: at)...])
      try Self.validateModelName(model)
      try Self.validateAlias(alias)
      self.init(model: model, selector: .alias(alias))
    } else if let colon = text.lastIndex(of: ":") {
      let model = String(text[..<colon])
      let number = String(text[text.index(after: colon)...])
      try Self.validateModelName(model)
      guard let value = Int(number), value >= 1 else {
        throw RegistryError(.invalidArgument, "\"\(text)\": the version after ':' must be a number from 1")
      }
      self.init(model: model, selector: .number(value))
    } else {
      try Self.validateModelName(text)
      self.init(model: text, selector: .latest)
    }
  }

  public var description: String {
    switch selector {
    case .latest: return model
    case .number(let number): return "\(model):\(number)"
    case .alias(let alias): return "\(model)@\(alias)"
    }
  }

  /// Model names: 1–200 characters of letters, digits, `.`, `_`, `-` and `/`, each `/`-separated
  /// part starting with a letter or digit (so `team/model` namespaces work, and no name looks like
  /// a flag or holds a path trick such as `a/../b`, `a/./b` or a hidden `.x` part).
  public static func validateModelName(_ name: String) throws(RegistryError) {
    let partsStartWell = name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
      part.unicodeScalars.first.map(isLetterOrDigit) ?? false
    }
    guard isName(name, allowingSlash: true), partsStartWell else {
      throw RegistryError(
        .invalidArgument,
        "\"\(name)\" is not a valid model name (letters, digits, '.', '_', '-', '/'; each part between slashes "
          + "starting with a letter or digit)")
    }
  }

  /// Aliases: like model names without `/`, and not all digits (that would read as a version).
  public static func validateAlias(_ alias: String) throws(RegistryError) {
    guard isName(alias, allowingSlash: false), !alias.allSatisfy(\.isNumber) else {
      throw RegistryError(
        .invalidArgument, "\"\(alias)\" is not a valid alias (letters, digits, '.', '_', '-'; not only digits)")
    }
  }

  private static func isName(_ text: String, allowingSlash: Bool) -> Bool {
    guard (1...200).contains(text.count), let first = text.unicodeScalars.first, isLetterOrDigit(first) else {
      return false
    }
    return text.unicodeScalars.allSatisfy { scalar in
      isLetterOrDigit(scalar) || scalar == "." || scalar == "_" || scalar == "-" || (allowingSlash && scalar == "/")
    } && !text.contains("//") && !text.hasSuffix("/")
  }

  /// ASCII only: a name is also a file-system and URL path element, where look-alike letters
  /// from other scripts would be a trap.
  private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
  }
}
