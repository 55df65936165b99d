/// Why a regular expression was rejected: invalid RE2 syntax, or RE2 syntax this engine does not
/// implement (`isUnsupported`).
package struct RegexError: Error, Sendable, CustomStringConvertible {
  package let pattern: String
  package let reason: String
  package let isUnsupported: Bool

  package var description: String {
    isUnsupported
      ? "regular expression \"\(pattern)\" uses \(reason), which is not supported"
      : "invalid regular expression \"\(pattern)\": \(reason)"
  }
}

/// Parses RE2 syntax (Perl-like, as `RE2(pattern)` with default options) into a `RegexNode`.
///
/// Supported: literals and escapes (`\n \t \r \f \v \a`, `\x41`, `\x{263a}`, octal `\0`/`\101`,
/// escaped punctuation, `\Q...\E`); `.`; classes `[...]` with ranges, negation, `\d \s \w` and their
/// negations, POSIX `[:alpha:]`/`[:^alpha:]`, `\pL`/`\p{Lu}`/`\PN` general categories and `\p{Any}`;
/// `^ $ \A \z \b \B`; groups `( )`, `(?: )`, `(?P<name> )`; flags `(?imsU)`,
/// `(?i: )`, `(?-i)`; alternation; `* + ? {n} {n,} {n,m}`, greedy or lazy. Rejected as RE2 rejects
/// them: backreferences, lookaround, possessive and stacked repetition, repeats over 1000.
/// Rejected as unsupported here: `\C` and Unicode script classes (`\p{Greek}`).
struct RegexParser {
  struct Flags {
    var foldCase = false
    var multiLine = false
    var dotMatchesNewline = false
    var ungreedy = false
  }

  static let maximumRepeat = 1000

  private let pattern: String
  private let scalars: [UInt32]
  private var position = 0
  private var flags = Flags()
  private(set) var captureCount = 0

  /// Parses `pattern` (UTF-8 bytes) and returns its tree and number of capturing groups.
  static func parse(_ pattern: [UInt8]) throws(RegexError) -> (node: RegexNode, captureCount: Int) {
    var parser = try RegexParser(pattern)
    let node = try parser.parseAlternation()
    if parser.position < parser.scalars.count {
      throw parser.error("unexpected ): \(parser.pattern)")
    }
    if try repeatWeight(node, parser) > maximumRepeat {
      throw parser.error("invalid repetition size: nested repetitions exceed \(maximumRepeat)")
    }
    return (node, parser.captureCount)
  }

  private init(_ bytes: [UInt8]) throws(RegexError) {
    pattern = String(decoding: bytes, as: UTF8.self)
    let text = UTF8Text(bytes)
    scalars = text.scalars
    if text.scalars.contains(where: { $0 >= UTF8Text.invalidBase }) {
      throw RegexError(pattern: pattern, reason: "invalid UTF-8", isUnsupported: false)
    }
  }

  private func error(_ reason: String) -> RegexError {
    RegexError(pattern: pattern, reason: reason, isUnsupported: false)
  }

  private func unsupported(_ reason: String) -> RegexError {
    RegexError(pattern: pattern, reason: reason, isUnsupported: true)
  }

  private func peek(_ offset: Int = 0) -> UInt32? {
    position + offset < scalars.count ? scalars[position + offset] : nil
  }

  private func text(_ range: Range<Int>) -> String {
    var string = String.UnicodeScalarView()
    for index in range where index < scalars.count {
      if let scalar = Unicode.Scalar(scalars[index]) { string.append(scalar) }
    }
    return String(string)
  }

  private static func ascii(_ character: Character) -> UInt32 { UInt32(character.asciiValue ?? 0) }

  // MARK: - Structure

  private mutating func parseAlternation() throws(RegexError) -> RegexNode {
    var branches = [try parseConcatenation()]
    while peek() == Self.ascii("|") {
      position += 1
      branches.append(try parseConcatenation())
    }
    return branches.count == 1 ? branches[0] : .alternation(branches)
  }

  private mutating func parseConcatenation() throws(RegexError) -> RegexNode {
    var items: [RegexNode] = []
    var lastRepetitionStart: Int?
    while let scalar = peek(), scalar != Self.ascii("|"), scalar != Self.ascii(")") {
      let start = position
      var bounds: (min: Int, max: Int?)?
      switch scalar {
      case Self.ascii("*"): bounds = (0, nil)
      case Self.ascii("+"): bounds = (1, nil)
      case Self.ascii("?"): bounds = (0, 1)
      case Self.ascii("{"): bounds = try parseCountedRepetition()
      default: bounds = nil
      }
      if let bounds {
        if scalar != Self.ascii("{") { position += 1 }
        var lazy = false
        if peek() == Self.ascii("?") {
          lazy = true
          position += 1
        }
        if let previous = lastRepetitionStart {
          throw error("bad repetition operator: \(text(previous..<position))")
        }
        guard let operand = items.popLast() else {
          throw error("no argument for repetition operator: \(text(start..<position))")
        }
        items.append(.repetition(operand, min: bounds.min, max: bounds.max, greedy: lazy == flags.ungreedy))
        lastRepetitionStart = start
        continue
      }
      lastRepetitionStart = nil
      switch scalar {
      case Self.ascii("("):
        if let group = try parseGroup() { items.append(group) }
      case Self.ascii("["):
        items.append(.set(try parseClass()))
      case Self.ascii("."):
        position += 1
        items.append(.any(matchesNewline: flags.dotMatchesNewline))
      case Self.ascii("^"):
        position += 1
        items.append(.assertion(flags.multiLine ? .beginLine : .beginText))
      case Self.ascii("$"):
        position += 1
        items.append(.assertion(flags.multiLine ? .endLine : .endText))
      case Self.ascii("\\"):
        items += try parseEscapeAtom()
      default:
        position += 1
        items.append(.literal(scalar, foldsCase: flags.foldCase))
      }
    }
    if items.isEmpty { return .empty }
    return items.count == 1 ? items[0] : .concatenation(items)
  }

  /// `{n}`, `{n,}` or `{n,m}` at the current position, consumed; nil (nothing consumed) when the
  /// brace does not start one, in which case it is a literal `{`.
  private mutating func parseCountedRepetition() throws(RegexError) -> (min: Int, max: Int?)? {
    let start = position
    var index = position + 1
    func number() -> Int? {
      var value: Int?
      while index < scalars.count, (Self.ascii("0")...Self.ascii("9")).contains(scalars[index]) {
        value = min((value ?? 0) * 10 + Int(scalars[index] - Self.ascii("0")), 100_000)
        index += 1
      }
      return value
    }
    guard let low = number() else { return nil }
    var high: Int? = low
    if index < scalars.count, scalars[index] == Self.ascii(",") {
      index += 1
      high = number()
    }
    guard index < scalars.count, scalars[index] == Self.ascii("}") else { return nil }
    position = index + 1
    if low > Self.maximumRepeat || (high ?? 0) > Self.maximumRepeat || (high.map { $0 < low } ?? false) {
      throw error("invalid repetition size: \(text(start..<position))")
    }
    return (low, high)
  }

  /// A group starting at `(`; nil for a flags-only group such as `(?i)`, which changes the flags
  /// until the end of the enclosing group.
  private mutating func parseGroup() throws(RegexError) -> RegexNode? {
    let start = position
    position += 1
    var capture: Int?
    var groupFlags = flags
    if peek() == Self.ascii("?") {
      position += 1
      let next = peek()
      let afterNext = peek(1)
      if next == Self.ascii("=") {
        throw error("invalid perl operator: \(text(start..<position + 1)) (lookahead; RE2 has no lookaround)")
      }
      if next == Self.ascii("!") {
        throw error("invalid perl operator: \(text(start..<position + 1)) (negative lookahead; RE2 has no lookaround)")
      }
      if next == Self.ascii("<"), afterNext == Self.ascii("=") || afterNext == Self.ascii("!") {
        throw error("invalid perl operator: \(text(start..<position + 1)) (lookbehind; RE2 has no lookaround)")
      }
      if next == Self.ascii("P"), afterNext == Self.ascii("=") || afterNext == Self.ascii(">") {
        throw error("invalid perl operator: \(text(start..<position + 1)) (backreference; RE2 has no backreferences)")
      }
      if next == Self.ascii("<") {
        throw error("invalid perl operator: \(text(start..<position + 1)) (RE2 names groups with (?P<name>...))")
      }
      if next == Self.ascii("P") && afterNext == Self.ascii("<") {
        position += 2
        let nameStart = position
        while let scalar = peek(), scalar != Self.ascii(">") {
          let isName =
            (Self.ascii("0")...Self.ascii("9")).contains(scalar) || (Self.ascii("a")...Self.ascii("z")).contains(scalar)
            || (Self.ascii("A")...Self.ascii("Z")).contains(scalar) || scalar == Self.ascii("_")
          guard isName else { throw error("invalid named capture group: \(text(start..<position + 1))") }
          position += 1
        }
        guard peek() == Self.ascii(">"), position > nameStart else {
          throw error("invalid named capture group: \(text(start..<position))")
        }
        position += 1
        captureCount += 1
        capture = captureCount
      } else {
        var negated = false
        var sawFlag = false
        parsing: while true {
          guard let scalar = peek() else { throw error("missing ): \(pattern)") }
          position += 1
          switch scalar {
          case Self.ascii("i"): groupFlags.foldCase = !negated
          case Self.ascii("m"): groupFlags.multiLine = !negated
          case Self.ascii("s"): groupFlags.dotMatchesNewline = !negated
          case Self.ascii("U"): groupFlags.ungreedy = !negated
          case Self.ascii("-"):
            guard !negated else { throw error("invalid perl operator: \(text(start..<position))") }
            negated = true
            sawFlag = false
            continue parsing
          case Self.ascii(":"):
            if negated && !sawFlag { throw error("invalid perl operator: \(text(start..<position))") }
            break parsing
          case Self.ascii(")"):
            if negated && !sawFlag { throw error("invalid perl operator: \(text(start..<position))") }
            flags = groupFlags
            return nil
          default:
            throw error("invalid perl operator: \(text(start..<position))")
          }
          sawFlag = true
        }
      }
    } else {
      captureCount += 1
      capture = captureCount
    }
    let outer = flags
    flags = groupFlags
    let body = try parseAlternation()
    flags = outer
    guard peek() == Self.ascii(")") else { throw error("missing ): \(pattern)") }
    position += 1
    if let capture { return .capture(capture, body) }
    return body
  }

  // MARK: - Escapes

  /// An escape outside a class: an assertion, a class, literal text (`\Q...\E`) or a character.
  private mutating func parseEscapeAtom() throws(RegexError) -> [RegexNode] {
    guard let next = peek(1) else { throw error("trailing \\") }
    switch next {
    case Self.ascii("b"), Self.ascii("B"):
      position += 2
      return [.assertion(next == Self.ascii("b") ? .wordBoundary : .notWordBoundary)]
    case Self.ascii("A"):
      position += 2
      return [.assertion(.beginText)]
    case Self.ascii("z"):
      position += 2
      return [.assertion(.endText)]
    case Self.ascii("C"):
      throw unsupported("\\C (any byte)")
    case Self.ascii("Q"):
      position += 2
      var literals: [RegexNode] = []
      while let scalar = peek() {
        if scalar == Self.ascii("\\"), peek(1) == Self.ascii("E") {
          position += 2
          break
        }
        literals.append(.literal(scalar, foldsCase: flags.foldCase))
        position += 1
      }
      return literals
    case Self.ascii("p"), Self.ascii("P"):
      var set = RegexClass()
      try parseUnicodeClass(into: &set)
      return [.set(set)]
    default:
      if let perl = try parsePerlClass() { return [.set(perl)] }
      return [.literal(try parseEscapedCharacter(), foldsCase: flags.foldCase)]
    }
  }

  /// `\d \D \s \S \w \W` at the current position, consumed; nil otherwise.
  private mutating func parsePerlClass() throws(RegexError) -> RegexClass? {
    guard peek() == Self.ascii("\\"), let letter = peek(1) else { return nil }
    let ranges: [ClosedRange<UInt32>]
    switch letter | 0x20 {
    case Self.ascii("d"): ranges = Self.digits
    case Self.ascii("s"): ranges = [9...10, 12...13, 32...32]
    case Self.ascii("w"): ranges = Self.word
    default: return nil
    }
    position += 2
    let set = RegexClass(ranges: ranges)
    let isNegated = (Self.ascii("A")...Self.ascii("Z")).contains(letter)
    return isNegated ? RegexClass(ranges: set.complementedRanges()) : set
  }

  static let digits: [ClosedRange<UInt32>] = [48...57]
  static let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]

  /// One escaped character (after `\`): escaped punctuation, C escapes, octal, hex.
  private mutating func parseEscapedCharacter() throws(RegexError) -> UInt32 {
    let start = position
    position += 1  // backslash
    guard let scalar = peek() else { throw error("trailing \\") }
    position += 1
    func isOctal(_ value: UInt32?) -> Bool { value.map { (Self.ascii("0")...Self.ascii("7")).contains($0) } ?? false }
    func isHex(_ value: UInt32?) -> UInt32? {
      guard let value else { return nil }
      switch value {
      case Self.ascii("0")...Self.ascii("9"): return value - Self.ascii("0")
      case Self.ascii("a")...Self.ascii("f"): return value - Self.ascii("a") + 10
      case Self.ascii("A")...Self.ascii("F"): return value - Self.ascii("A") + 10
      default: return nil
      }
    }
    switch scalar {
    case Self.ascii("1")...Self.ascii("7") where !isOctal(peek()), Self.ascii("8"), Self.ascii("9"):
      throw error("invalid escape sequence: \(text(start..<position)) (RE2 has no backreferences)")
    case Self.ascii("0")...Self.ascii("7"):
      var code = scalar - Self.ascii("0")
      for _ in 0..<2 where isOctal(peek()) {
        code = code * 8 + (peek() ?? 0) - Self.ascii("0")
        position += 1
      }
      return code
    case Self.ascii("x"):
      if peek() == Self.ascii("{") {
        position += 1
        var code: UInt32 = 0
        var digits = 0
        while let digit = isHex(peek()) {
          code = code * 16 + digit
          digits += 1
          position += 1
          if code > RegexClass.maximum { throw error("invalid escape sequence: \(text(start..<position))") }
        }
        guard peek() == Self.ascii("}"), digits > 0 else {
          throw error("invalid escape sequence: \(text(start..<position + 1))")
        }
        position += 1
        return code
      }
      guard let high = isHex(peek()), let low = isHex(peek(1)) else {
        throw error("invalid escape sequence: \(text(start..<min(position + 2, scalars.count)))")
      }
      position += 2
      return high * 16 + low
    case Self.ascii("n"): return 10
    case Self.ascii("r"): return 13
    case Self.ascii("t"): return 9
    case Self.ascii("a"): return 7
    case Self.ascii("f"): return 12
    case Self.ascii("v"): return 11
    default:
      let isAlphanumeric =
        (Self.ascii("0")...Self.ascii("9")).contains(scalar)
        || (Self.ascii("a")...Self.ascii("z")).contains(scalar | 0x20)
      if scalar < 0x80 && !isAlphanumeric { return scalar }
      throw error("invalid escape sequence: \(text(start..<position))")
    }
  }

  // MARK: - Classes

  private mutating func parseClass() throws(RegexError) -> RegexClass {
    let start = position
    position += 1  // [
    var set = RegexClass()
    var negated = false
    if peek() == Self.ascii("^") {
      negated = true
      position += 1
    }
    var first = true
    while let scalar = peek(), scalar != Self.ascii("]") || first {
      first = false
      if scalar == Self.ascii("["), peek(1) == Self.ascii(":"), try parsePosixClass(into: &set) { continue }
      if scalar == Self.ascii("\\"), peek(1) == Self.ascii("p") || peek(1) == Self.ascii("P") {
        try parseUnicodeClass(into: &set)
        continue
      }
      if let perl = try parsePerlClass() {
        set.add(perl)
        continue
      }
      let rangeStart = position
      let low = try parseClassCharacter(start)
      var high = low
      if peek() == Self.ascii("-"), let after = peek(1), after != Self.ascii("]") {
        position += 1
        high = try parseClassCharacter(start)
        guard high >= low else { throw error("invalid character class range: \(text(rangeStart..<position))") }
      }
      set.add(low...high)
    }
    guard peek() == Self.ascii("]") else { throw error("missing ]: \(text(start..<position))") }
    position += 1
    set.negated = negated
    if flags.foldCase { set.foldCase() }
    return set
  }

  private mutating func parseClassCharacter(_ classStart: Int) throws(RegexError) -> UInt32 {
    guard let scalar = peek() else { throw error("missing ]: \(text(classStart..<position))") }
    if scalar == Self.ascii("\\") { return try parseEscapedCharacter() }
    position += 1
    return scalar
  }

  /// `[:name:]` or `[:^name:]` inside a class; false (nothing consumed) when there is no closing
  /// `:]`, in which case the `[` is a literal.
  private mutating func parsePosixClass(into set: inout RegexClass) throws(RegexError) -> Bool {
    var end = position + 2
    while end + 1 < scalars.count, !(scalars[end] == Self.ascii(":") && scalars[end + 1] == Self.ascii("]")) {
      end += 1
    }
    guard end + 1 < scalars.count else { return false }
    var name = text((position + 2)..<end)
    let whole = text(position..<(end + 2))
    let negated = name.hasPrefix("^")
    if negated { name.removeFirst() }
    let ranges: [ClosedRange<UInt32>]
    switch name {
    case "alnum": ranges = [48...57, 65...90, 97...122]
    case "alpha": ranges = [65...90, 97...122]
    case "ascii": ranges = [0...0x7F]
    case "blank": ranges = [9...9, 32...32]
    case "cntrl": ranges = [0...0x1F, 0x7F...0x7F]
    case "digit": ranges = Self.digits
    case "graph": ranges = [0x21...0x7E]
    case "lower": ranges = [97...122]
    case "print": ranges = [0x20...0x7E]
    case "punct": ranges = [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E]
    case "space": ranges = [9...13, 32...32]
    case "upper": ranges = [65...90]
    case "word": ranges = Self.word
    case "xdigit": ranges = [48...57, 65...70, 97...102]
    default: throw error("invalid character class range: \(whole)")
    }
    let group = RegexClass(ranges: ranges)
    for range in negated ? group.complementedRanges() : ranges { set.add(range) }
    position = end + 2
    return true
  }

  /// `\pL`, `\p{Lu}`, `\p{^L}`, `\PL`, `\p{Any}`.
  private mutating func parseUnicodeClass(into set: inout RegexClass) throws(RegexError) {
    let start = position
    var negated = peek(1) == Self.ascii("P")
    position += 2
    var name: String
    if peek() == Self.ascii("{") {
      let nameStart = position + 1
      var end = nameStart
      while end < scalars.count, scalars[end] != Self.ascii("}") { end += 1 }
      guard end < scalars.count else { throw error("invalid character class range: \(text(start..<scalars.count))") }
      name = text(nameStart..<end)
      position = end + 1
    } else {
      guard peek() != nil else { throw error("invalid character class range: \(text(start..<position))") }
      name = text(position..<(position + 1))
      position += 1
    }
    if name.hasPrefix("^") {
      negated.toggle()
      name.removeFirst()
    }
    if name == "Any" {
      if !negated { set.add(0...RegexClass.maximum) }
      return
    }
    guard let categories = Self.generalCategories[name] else {
      throw unsupported(
        "the Unicode class \(text(start..<position)) (only general categories such as L, Lu, N, P and Any)")
    }
    set.add(categories: categories, negated: negated)
  }

  static let generalCategories: [String: Set<Unicode.GeneralCategory>] = {
    let groups: [String: [Unicode.GeneralCategory]] = [
      "Lu": [.uppercaseLetter], "Ll": [.lowercaseLetter], "Lt": [.titlecaseLetter], "Lm": [.modifierLetter],
      "Lo": [.otherLetter], "Mn": [.nonspacingMark], "Mc": [.spacingMark], "Me": [.enclosingMark],
      "Nd": [.decimalNumber], "Nl": [.letterNumber], "No": [.otherNumber], "Pc": [.connectorPunctuation],
      "Pd": [.dashPunctuation], "Ps": [.openPunctuation], "Pe": [.closePunctuation], "Pi": [.initialPunctuation],
      "Pf": [.finalPunctuation], "Po": [.otherPunctuation], "Sm": [.mathSymbol], "Sc": [.currencySymbol],
      "Sk": [.modifierSymbol], "So": [.otherSymbol], "Zs": [.spaceSeparator], "Zl": [.lineSeparator],
      "Zp": [.paragraphSeparator], "Cc": [.control], "Cf": [.format], "Cs": [.surrogate], "Co": [.privateUse],
    ]
    var result = groups.mapValues { Set($0) }
    for major in ["L", "M", "N", "P", "S", "Z", "C"] {
      result[major] = Set(groups.filter { $0.key.hasPrefix(major) }.values.joined())
    }
    return result
  }()

  // MARK: - Limits

  /// The largest product of nested counted repetitions; RE2 rejects more than 1000.
  private static func repeatWeight(_ node: RegexNode, _ parser: RegexParser) throws(RegexError) -> Int {
    switch node {
    case .capture(_, let body): return try repeatWeight(body, parser)
    case .concatenation(let items), .alternation(let items):
      var weight = 1
      for item in items { weight = max(weight, try repeatWeight(item, parser)) }
      return weight
    case .repetition(let body, let low, let high, _):
      let count = high ?? low
      return max(count, 1) * (try repeatWeight(body, parser))
    default: return 1
    }
  }
}
