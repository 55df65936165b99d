import CRE2

/// A regular expression compiled by RE2 (Debian's libre2) as TensorFlow's regex kernels compile
/// it: `RE2(pattern)` with default options (UTF-8, leftmost-first, `.` not matching `\n`, `^`/`$`
/// at the ends of the text unless `(?m)`), with only the memory budget (`max_mem`) chosen by the
/// caller.
///
/// Texts and patterns are byte strings; RE2 reads them as UTF-8.
///
/// Sendable although it wraps a pointer: the compiled `RE2` is never changed after `init`, and
/// RE2 documents its const methods (`FullMatch`, `Replace`, `GlobalReplace`) as safe to call from
/// several threads at once (its lazily built DFA cache takes its own lock). The op cache shares
/// one instance between concurrent kernels.
package final class RegexPattern: @unchecked Sendable {
  /// The pattern as given.
  package let source: [UInt8]
  private let regex: OpaquePointer

  /// RE2's default `max_mem` (`RE2::Options::kDefaultMaxMem`, 8 MiB), which TensorFlow uses.
  package static let defaultMaxMemory: Int64 = 8 << 20

  /// Compiles a pattern.
  ///
  /// - Throws: `RegexError`: `.invalid` with RE2's message for a pattern RE2 rejects, `.tooLarge`
  ///   when the compiled program does not fit `maxMemory`, `.outOfMemory` when memory ran out.
  /// - Complexity: O(pattern) to parse, plus the compiled program's size; no recursion, so a
  ///   deeply nested pattern is an error or a program, never a stack overflow.
  package init(_ pattern: [UInt8], maxMemory: Int64 = defaultMaxMemory) throws(RegexError) {
    var compiled: OpaquePointer?
    var error: UnsafeMutablePointer<CChar>?
    let status = pattern.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) {
        cre2_compile($0.baseAddress, $0.count, maxMemory, &compiled, &error)
      }
    }
    let message = error.map { String(cString: $0) } ?? "out of memory"
    cre2_free_buffer(error)
    guard Int(status) == CRE2_OK, let compiled else {
      let kind: RegexError.Kind =
        switch Int(status) {
        case CRE2_TOO_LARGE: .tooLarge
        case CRE2_INVALID: .invalid
        default: .outOfMemory
        }
      throw RegexError(kind: kind, pattern: pattern, message: message)
    }
    source = pattern
    regex = compiled
  }

  package convenience init(_ pattern: String, maxMemory: Int64 = defaultMaxMemory) throws(RegexError) {
    try self.init(Array(pattern.utf8), maxMemory: maxMemory)
  }

  deinit { cre2_free(regex) }

  /// Whether the whole text matches (`RE2::FullMatch`).
  ///
  /// - Throws: `RegexError` `.outOfMemory` when RE2 ran out of memory.
  /// - Complexity: O(text) with RE2's DFA; O(text × pattern) when it falls back to its NFA.
  package func fullMatch(_ text: [UInt8]) throws(RegexError) -> Bool {
    let result = text.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { cre2_full_match(regex, $0.baseAddress, $0.count) }
    }
    guard result >= 0 else { throw RegexError(kind: .outOfMemory, pattern: source, message: "out of memory") }
    return result == 1
  }

  /// `RE2::Replace` (the first match) or `RE2::GlobalReplace` (every non-overlapping match, left
  /// to right, an empty match right after the previous one skipped), with RE2's rewrite syntax:
  /// `\0` the whole match, `\1`–`\9` the groups, `\\` a backslash.
  ///
  /// As in TensorFlow, the rewrite is not checked first: RE2 leaves the text unchanged when the
  /// rewrite names a group the pattern does not have, and at an invalid escape `Replace` leaves
  /// the text unchanged while `GlobalReplace` cuts that match's replacement short.
  ///
  /// - Throws: `RegexError` `.outOfMemory` when RE2 ran out of memory.
  /// - Complexity: O(text) to find the matches; a rewrite that uses groups also runs RE2's NFA
  ///   over each match, O(match × pattern).
  package func replace(in text: [UInt8], with rewrite: [UInt8], global: Bool) throws(RegexError) -> [UInt8] {
    var output: UnsafeMutablePointer<CChar>?
    var outputLength = 0
    let count = text.withUnsafeBufferPointer { textBuffer in
      textBuffer.withMemoryRebound(to: CChar.self) { textBytes in
        rewrite.withUnsafeBufferPointer { rewriteBuffer in
          rewriteBuffer.withMemoryRebound(to: CChar.self) { rewriteBytes in
            cre2_replace(
              regex, textBytes.baseAddress, textBytes.count, rewriteBytes.baseAddress, rewriteBytes.count,
              global ? 1 : 0, &output, &outputLength)
          }
        }
      }
    }
    defer { cre2_free_buffer(output) }
    guard count >= 0 else { throw RegexError(kind: .outOfMemory, pattern: source, message: "out of memory") }
    guard count > 0, let output else { return text }
    return output.withMemoryRebound(to: UInt8.self, capacity: outputLength) {
      Array(UnsafeBufferPointer(start: $0, count: outputLength))
    }
  }
}

/// Why RE2 refused a pattern, or ran out of memory.
package struct RegexError: Error, Sendable, CustomStringConvertible {
  package enum Kind: Sendable {
    /// RE2 rejected the syntax (TensorFlow: invalid_argument).
    case invalid
    /// The compiled program does not fit the memory budget (RE2's `ErrorPatternTooLarge`).
    case tooLarge
    /// Memory ran out while compiling or matching.
    case outOfMemory
  }

  package let kind: Kind
  package let pattern: [UInt8]
  /// RE2's `error()`, e.g. `missing ): (a`.
  package let message: String

  /// TensorFlow's words: `Invalid pattern: <pattern>, error: <RE2's error>`, with the pattern and
  /// the message cut at 1,000 bytes each (RE2's message often repeats the rest of the pattern).
  package var description: String {
    "Invalid pattern: \(Self.truncated(pattern)), error: \(Self.truncated(Array(message.utf8)))"
  }

  private static func truncated(_ bytes: [UInt8]) -> String {
    let limit = 1000
    guard bytes.count > limit else { return String(decoding: bytes, as: UTF8.self) }
    return String(decoding: bytes[..<limit], as: UTF8.self) + "… (\(bytes.count) bytes)"
  }
}
