/// Unicode decoding and encoding as TensorFlow's `UnicodeDecode`, `UnicodeDecodeWithOffsets`,
/// `UnicodeEncode` and `UnicodeTranscode` do them, for UTF-8, UTF-16-BE and UTF-32-BE.
///
/// TensorFlow goes through ICU; the rules here reproduce what it returns (checked against
/// TensorFlow 2.21 in `Tests/InferenceTests/Vectors/unicode_ops.json`):
/// - an ill-formed UTF-8 sequence is replaced by its maximal subpart (Unicode's recommended
///   practice): a lead byte and the continuation bytes that were valid so far count as one error,
///   and decoding goes on at the byte that broke the sequence;
/// - in UTF-16, an unpaired surrogate is one error, and so is an odd trailing byte; in UTF-32, a
///   value past U+10FFFF or in the surrogate range is one, and so are 1–3 trailing bytes;
/// - each error is refused (`strict`), replaced by `replacementChar` (`replace`) or dropped
///   (`ignore`); with `replaceControlCharacters`, a decoded C0 control character (U+0000–U+001F)
///   is replaced in `strict` and `replace` modes and dropped in `ignore` mode;
/// - encoding a surrogate code point (possible only as a replacement character) writes U+FFFD in
///   UTF-8 and the code unit itself in UTF-16 and UTF-32.
package enum UnicodeTranscoding {
  package enum Encoding: Sendable {
    case utf8, utf16BigEndian, utf32BigEndian

    /// Parses TensorFlow's encoding names ("UTF-8", "UTF-16-BE", "UTF-32-BE"; case and dashes
    /// ignored); other ICU encodings are not implemented.
    package init(name: String) throws(TextError) {
      switch name.uppercased().filter({ $0 != "-" && $0 != "_" }) {
      case "UTF8": self = .utf8
      case "UTF16BE": self = .utf16BigEndian
      case "UTF32BE": self = .utf32BigEndian
      default:
        throw TextError("unsupported encoding \"\(name)\" (UTF-8, UTF-16-BE and UTF-32-BE are implemented)")
      }
    }
  }

  package enum ErrorMode: Sendable {
    case strict, replace, ignore

    package init(name: String) throws(TextError) {
      switch name {
      case "strict": self = .strict
      case "replace": self = .replace
      case "ignore": self = .ignore
      default: throw TextError("errors must be one of strict, replace or ignore, not \"\(name)\"")
      }
    }
  }

  package struct Options: Sendable {
    package var errors: ErrorMode
    package var replacementChar: Int32
    package var replaceControlCharacters: Bool

    /// - Throws: when the replacement is not a code point (TensorFlow's check, whatever the mode).
    package init(errors: ErrorMode, replacementChar: Int64, replaceControlCharacters: Bool) throws(TextError) {
      guard (0...0x10FFFF).contains(replacementChar) else {
        throw TextError("replacement_char out of unicode codepoint range")
      }
      self.errors = errors
      self.replacementChar = Int32(replacementChar)
      self.replaceControlCharacters = replaceControlCharacters
    }
  }

  /// What `strict` decoding reports, in TensorFlow's words.
  package static let invalidInput = "Invalid formatting on input string"
  /// What `strict` encoding reports, in TensorFlow's words.
  package static let invalidCodePoint = "Code point is out of range for Unicode, or is a surrogate."

  /// Decodes one string, calling `emit` with each code point and the offset of the bytes it came
  /// from.
  package static func decode(
    _ bytes: [UInt8], _ encoding: Encoding, _ options: Options, emit: (Int32, Int) -> Void
  ) throws(TextError) {
    func error(at offset: Int) throws(TextError) {
      switch options.errors {
      case .strict: throw TextError(invalidInput)
      case .replace: emit(options.replacementChar, offset)
      case .ignore: break
      }
    }
    func scalar(_ value: UInt32, at offset: Int) {
      if options.replaceControlCharacters && value <= 0x1F {
        if options.errors != .ignore { emit(options.replacementChar, offset) }
      } else {
        emit(Int32(value), offset)
      }
    }
    switch encoding {
    case .utf8:
      var index = 0
      while index < bytes.count {
        let start = index
        switch UTF8Step.next(bytes, &index) {
        case .scalar(let value): scalar(value, at: start)
        case .invalid: try error(at: start)
        }
      }
    case .utf16BigEndian:
      var index = 0
      func unit(_ at: Int) -> UInt32 { UInt32(bytes[at]) << 8 | UInt32(bytes[at + 1]) }
      while index < bytes.count {
        let start = index
        guard index + 2 <= bytes.count else {
          index = bytes.count
          try error(at: start)
          continue
        }
        let first = unit(index)
        index += 2
        switch first {
        case 0xD800...0xDBFF:
          if index + 2 <= bytes.count, case let second = unit(index), (0xDC00...0xDFFF).contains(second) {
            index += 2
            scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00), at: start)
          } else {
            try error(at: start)
          }
        case 0xDC00...0xDFFF: try error(at: start)
        default: scalar(first, at: start)
        }
      }
    case .utf32BigEndian:
      var index = 0
      while index < bytes.count {
        let start = index
        guard index + 4 <= bytes.count else {
          index = bytes.count
          try error(at: start)
          continue
        }
        let value = bytes[index..<index + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        index += 4
        if value > 0x10FFFF || (0xD800...0xDFFF).contains(value) {
          try error(at: start)
        } else {
          scalar(value, at: start)
        }
      }
    }
  }

  /// Appends `codePoint` in `encoding` (see the type's notes for surrogates).
  package static func append(_ codePoint: UInt32, _ encoding: Encoding, to output: inout [UInt8]) {
    switch encoding {
    case .utf8:
      let value = (0xD800...0xDFFF).contains(codePoint) ? 0xFFFD : codePoint
      switch value {
      case 0..<0x80:
        output.append(UInt8(value))
      case 0x80..<0x800:
        output += [UInt8(0xC0 | value >> 6), UInt8(0x80 | value & 0x3F)]
      case 0x800..<0x10000:
        output += [UInt8(0xE0 | value >> 12), UInt8(0x80 | value >> 6 & 0x3F), UInt8(0x80 | value & 0x3F)]
      default:
        output += [
          UInt8(0xF0 | value >> 18), UInt8(0x80 | value >> 12 & 0x3F), UInt8(0x80 | value >> 6 & 0x3F),
          UInt8(0x80 | value & 0x3F),
        ]
      }
    case .utf16BigEndian:
      if codePoint >= 0x10000 {
        let high = 0xD800 + ((codePoint - 0x10000) >> 10)
        let low = 0xDC00 + ((codePoint - 0x10000) & 0x3FF)
        output += [UInt8(high >> 8), UInt8(high & 0xFF), UInt8(low >> 8), UInt8(low & 0xFF)]
      } else {
        output += [UInt8(codePoint >> 8), UInt8(codePoint & 0xFF)]
      }
    case .utf32BigEndian:
      output += [
        UInt8(codePoint >> 24), UInt8(codePoint >> 16 & 0xFF), UInt8(codePoint >> 8 & 0xFF), UInt8(codePoint & 0xFF),
      ]
    }
  }

  /// Encodes code points (`UnicodeEncode`): one that is negative, past U+10FFFF or a surrogate
  /// is refused, replaced or dropped as `errors` says.
  package static func encode(
    _ codePoints: ArraySlice<Int32>, _ encoding: Encoding, errors: ErrorMode, replacementChar: Int32
  ) throws(TextError) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(codePoints.count)
    for codePoint in codePoints {
      if codePoint < 0 || codePoint > 0x10FFFF || (0xD800...0xDFFF).contains(codePoint) {
        switch errors {
        case .strict: throw TextError(invalidCodePoint)
        case .replace: append(UInt32(replacementChar), encoding, to: &output)
        case .ignore: break
        }
      } else {
        append(UInt32(codePoint), encoding, to: &output)
      }
    }
    return output
  }

  /// Decodes and re-encodes one string (`UnicodeTranscode`).
  package static func transcode(
    _ bytes: [UInt8], from source: Encoding, to target: Encoding, _ options: Options
  ) throws(TextError) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    try decode(bytes, source, options) { codePoint, _ in append(UInt32(codePoint), target, to: &output) }
    return output
  }

}

/// One step of UTF-8 decoding with the maximal-subpart rule (Unicode Table 3-7).
enum UTF8Step {
  enum Result {
    case scalar(UInt32)
    /// An ill-formed subpart, already skipped.
    case invalid
  }

  /// Decodes at `index` and advances it past the code point or the maximal ill-formed subpart.
  static func next(_ bytes: [UInt8], _ index: inout Int) -> Result {
    let lead = bytes[index]
    index += 1
    let (count, lower, upper): (Int, UInt8, UInt8)
    switch lead {
    case 0x00...0x7F: return .scalar(UInt32(lead))
    case 0xC2...0xDF: (count, lower, upper) = (1, 0x80, 0xBF)
    case 0xE0: (count, lower, upper) = (2, 0xA0, 0xBF)
    case 0xE1...0xEC, 0xEE...0xEF: (count, lower, upper) = (2, 0x80, 0xBF)
    case 0xED: (count, lower, upper) = (2, 0x80, 0x9F)
    case 0xF0: (count, lower, upper) = (3, 0x90, 0xBF)
    case 0xF1...0xF3: (count, lower, upper) = (3, 0x80, 0xBF)
    case 0xF4: (count, lower, upper) = (3, 0x80, 0x8F)
    default: return .invalid
    }
    var value = UInt32(lead) & (count == 1 ? 0x1F : count == 2 ? 0x0F : 0x07)
    for position in 0..<count {
      // The second byte has the lead's own range; the others are plain continuation bytes.
      let (low, high) = position == 0 ? (lower, upper) : (UInt8(0x80), UInt8(0xBF))
      guard index < bytes.count, (low...high).contains(bytes[index]) else { return .invalid }
      value = value << 6 | UInt32(bytes[index] & 0x3F)
      index += 1
    }
    return .scalar(value)
  }
}
