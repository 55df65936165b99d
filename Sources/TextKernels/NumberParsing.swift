#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Text to numbers as TensorFlow parses them (`tsl::strings::safe_strto32/64/f/d`, which are
/// absl's `SimpleAtoi`/`SimpleAtof`/`SimpleAtod`), for `StringToNumber` and vocabulary files.
///
/// ASCII whitespace around the number is ignored. Integers are an optional sign and decimal
/// digits, in range. Floating-point numbers are decimal (with fraction and exponent), hex
/// (`0x1A`, `0x1p3`), `inf`/`infinity` or `nan` in any case, with an optional sign; too large
/// rounds to infinity, too small to zero. Anything else, the empty string included, is refused.
package enum NumberParsing {
  package static func int64(_ bytes: [UInt8]) -> Int64? {
    let text = trimmed(bytes)
    guard !text.isEmpty else { return nil }
    var index = text.startIndex
    var negative = false
    if text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
      negative = text[index] == UInt8(ascii: "-")
      index += 1
    }
    guard index < text.endIndex else { return nil }
    var value: Int64 = 0
    while index < text.endIndex {
      let byte = text[index]
      guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
      let digit = Int64(byte - UInt8(ascii: "0"))
      let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
      guard !overflow else { return nil }
      let (next, overflowAdding) =
        negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
      guard !overflowAdding else { return nil }
      value = next
      index += 1
    }
    return value
  }

  package static func int32(_ bytes: [UInt8]) -> Int32? {
    int64(bytes).flatMap { Int32(exactly: $0) }
  }

  package static func double(_ bytes: [UInt8]) -> Double? {
    guard let text = floatingText(bytes) else { return nil }
    return wholly(text) { strtod($0, $1) }
  }

  package static func float(_ bytes: [UInt8]) -> Float? {
    guard let text = floatingText(bytes) else { return nil }
    return wholly(text) { strtof($0, $1) }
  }

  /// Runs a C conversion on the text; nil unless it consumed every byte.
  private static func wholly<T>(
    _ text: [UInt8], _ convert: (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T
  ) -> T? {
    let characters = text.map { CChar(bitPattern: $0) } + [0]
    return characters.withUnsafeBufferPointer { buffer -> T? in
      guard let start = buffer.baseAddress else { return nil }
      var end: UnsafeMutablePointer<CChar>?
      let value = convert(start, &end)
      guard let end, UnsafePointer(end) - start == text.count else { return nil }
      return value
    }
  }

  /// The trimmed text when it can only be a number strtod reads whole (C's parser accepts the
  /// same forms as absl's `from_chars` once whitespace, NULs and `nan(...)` payloads are ruled out).
  private static func floatingText(_ bytes: [UInt8]) -> [UInt8]? {
    let text = trimmed(bytes)
    guard !text.isEmpty, !text.contains(0), !text.contains(UInt8(ascii: "(")) else { return nil }
    guard text.allSatisfy({ $0 < 0x80 && !isSpace($0) }) else { return nil }
    return Array(text)
  }

  static func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0D).contains(byte)
  }

  static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
    var slice = bytes[...]
    while let first = slice.first, isSpace(first) { slice.removeFirst() }
    while let last = slice.last, isSpace(last) { slice.removeLast() }
    return slice
  }
}
