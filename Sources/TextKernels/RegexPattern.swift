/// A regular expression with RE2's syntax and matching semantics, as TensorFlow's regex ops use
/// it (`RE2(pattern)` with default options: UTF-8, Perl classes, `.` not matching `\n`, `^`/`$`
/// at the ends of the text unless `(?m)`, leftmost-first alternation).
///
/// Texts are byte strings; matching works on their code points (undecodable bytes match nothing
/// but can be skipped over), and results are byte ranges.
package struct RegexPattern: Sendable {
  package let source: String
  /// Capturing groups, not counting the whole match.
  package let captureCount: Int
  private let searchProgram: RegexProgram
  private let fullMatchProgram: RegexProgram

  /// Parses and compiles a pattern.
  ///
  /// - Throws: `RegexError` naming the pattern and the construct: invalid RE2 syntax
  ///   (backreferences and lookaround included, which RE2 rejects), or RE2 syntax outside the
  ///   subset implemented here (`isUnsupported`).
  package init(_ pattern: [UInt8]) throws(RegexError) {
    let (node, captures) = try RegexParser.parse(pattern)
    source = String(decoding: pattern, as: UTF8.self)
    captureCount = captures
    do {
      searchProgram = try RegexProgram(node, captureCount: captures, anchoredAtEnd: false)
      fullMatchProgram = try RegexProgram(node, captureCount: captures, anchoredAtEnd: true)
    } catch {
      throw RegexError(pattern: source, reason: "pattern too large", isUnsupported: false)
    }
  }

  package init(_ pattern: String) throws(RegexError) { try self.init(Array(pattern.utf8)) }

  /// Whether the whole text matches (`RE2::FullMatch`).
  ///
  /// - Complexity: O(n × m) for n code points and a program of m instructions.
  package func fullMatch(_ bytes: [UInt8]) -> Bool {
    var matcher = RegexMatcher(fullMatchProgram, groups: 0)
    return matcher.match(UTF8Text(bytes), from: 0, anchored: true) != nil
  }

  /// The leftmost-first match at or after byte offset 0, as byte ranges of the whole match and
  /// each group (`nil` for a group that did not take part).
  package func firstMatch(in bytes: [UInt8]) -> [Range<Int>?]? {
    let text = UTF8Text(bytes)
    var matcher = RegexMatcher(searchProgram, groups: captureCount)
    guard let slots = matcher.match(text, from: 0, anchored: false) else { return nil }
    return Self.ranges(slots, text)
  }

  /// `RE2::Replace` (first match only) or `RE2::GlobalReplace` (every non-overlapping match, left
  /// to right; an empty match right after the previous match is skipped).
  ///
  /// Follows RE2 to the letter: a rewrite naming a group the pattern does not have leaves the
  /// text unchanged; an invalid escape in the rewrite leaves it unchanged for `Replace` and cuts
  /// that match's replacement short for `GlobalReplace`.
  ///
  /// - Complexity: O(n × m) per match found, for n code points and m instructions.
  package func replace(in bytes: [UInt8], with rewrite: RegexRewrite, global: Bool) -> [UInt8] {
    guard rewrite.maximumGroup <= captureCount else { return bytes }
    let text = UTF8Text(bytes)
    var matcher = RegexMatcher(searchProgram, groups: rewrite.maximumGroup)
    if !global {
      guard let slots = matcher.match(text, from: 0, anchored: false) else { return bytes }
      let groups = Self.ranges(slots, text)
      var replacement: [UInt8] = []
      guard rewrite.append(to: &replacement, groups: groups, in: bytes), let whole = groups[0] else { return bytes }
      return Array(bytes[..<whole.lowerBound]) + replacement + Array(bytes[whole.upperBound...])
    }
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    var position = 0  // scalar index
    var lastEnd: Int?
    var count = 0
    let scalarCount = text.scalars.count
    while position <= scalarCount {
      guard let slots = matcher.match(text, from: position, anchored: false) else { break }
      let (start, end) = (slots[0], slots[1])
      if position < start { output += bytes[text.offsets[position]..<text.offsets[start]] }
      if start == lastEnd && start == end {
        // An empty match where the last one ended: copy one code point and search again.
        if position < scalarCount { output += bytes[text.offsets[position]..<text.offsets[position + 1]] }
        position += 1
        continue
      }
      _ = rewrite.append(to: &output, groups: Self.ranges(slots, text), in: bytes)
      position = end
      lastEnd = end
      count += 1
    }
    guard count > 0 else { return bytes }
    if position < scalarCount { output += bytes[text.offsets[position]...] }
    return output
  }

  private static func ranges(_ slots: [Int], _ text: UTF8Text) -> [Range<Int>?] {
    stride(from: 0, to: slots.count, by: 2).map { index in
      let (start, end) = (slots[index], slots[index + 1])
      guard start >= 0, end >= start else { return nil }
      return text.offsets[start]..<text.offsets[end]
    }
  }
}

/// A replacement string in RE2's rewrite syntax: `\0` is the whole match, `\1`–`\9` the groups,
/// `\\` a backslash; any other escape is invalid.
package struct RegexRewrite: Sendable {
  private enum Piece: Sendable {
    case bytes([UInt8])
    case group(Int)
    /// An invalid escape: RE2's `Rewrite` stops and reports failure here.
    case invalid
  }

  private let pieces: [Piece]
  /// The highest group named (`RE2::MaxSubmatch`).
  package let maximumGroup: Int

  package init(_ bytes: [UInt8]) {
    var pieces: [Piece] = []
    var literal: [UInt8] = []
    var maximum = 0
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      guard byte == UInt8(ascii: "\\") else {
        literal.append(byte)
        continue
      }
      let next: UInt8? = index < bytes.count ? bytes[index] : nil
      index += 1
      if let next, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) {
        if !literal.isEmpty { pieces.append(.bytes(literal)) }
        literal = []
        let group = Int(next - UInt8(ascii: "0"))
        maximum = max(maximum, group)
        pieces.append(.group(group))
      } else if next == UInt8(ascii: "\\") {
        literal.append(next ?? 0)
      } else {
        if !literal.isEmpty { pieces.append(.bytes(literal)) }
        literal = []
        pieces.append(.invalid)
      }
    }
    if !literal.isEmpty { pieces.append(.bytes(literal)) }
    self.pieces = pieces
    maximumGroup = maximum
  }

  /// Appends the rewrite for one match; false at an invalid escape (after appending what came
  /// before it), as `RE2::Rewrite` does.
  func append(to output: inout [UInt8], groups: [Range<Int>?], in bytes: [UInt8]) -> Bool {
    for piece in pieces {
      switch piece {
      case .bytes(let literal): output += literal
      case .group(let index):
        if index < groups.count, let range = groups[index] { output += bytes[range] }
      case .invalid: return false
      }
    }
    return true
  }
}
