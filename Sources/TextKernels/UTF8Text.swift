/// A byte string decoded into code points, with the byte offset where each one starts.
///
/// TensorFlow's text ops work on UTF-8 bytes; the regular-expression engine and the `UTF8_CHAR`
/// unit of `Substr`/`StringLength` need code points. A byte that does not start a valid UTF-8
/// sequence (a stray continuation byte, an overlong form, a surrogate, a truncated sequence)
/// decodes to a single `invalid` unit of one byte, as RE2 steps over such bytes.
struct UTF8Text {
  /// Code points; an undecodable byte `b` is `UTF8Text.invalidBase + b`.
  let scalars: [UInt32]
  /// `offsets[i]` is the byte offset of `scalars[i]`; `offsets[scalars.count]` is the length.
  let offsets: [Int]
  let bytes: [UInt8]

  /// Values at or above this are undecodable bytes, outside every character class.
  static let invalidBase: UInt32 = 0x11_0000

  init(_ bytes: [UInt8]) {
    self.bytes = bytes
    var scalars: [UInt32] = []
    var offsets: [Int] = []
    scalars.reserveCapacity(bytes.count)
    offsets.reserveCapacity(bytes.count + 1)
    var index = 0
    while index < bytes.count {
      offsets.append(index)
      let (scalar, length) = Self.decode(bytes, at: index)
      scalars.append(scalar)
      index += length
    }
    offsets.append(bytes.count)
    self.scalars = scalars
    self.offsets = offsets
  }

  /// The code point at `index` and its length in bytes; `(invalidBase + byte, 1)` when the bytes
  /// there are not valid UTF-8.
  static func decode(_ bytes: [UInt8], at index: Int) -> (UInt32, Int) {
    let lead = bytes[index]
    if lead < 0x80 { return (UInt32(lead), 1) }
    let invalid = (invalidBase + UInt32(lead), 1)
    let length: Int
    var value: UInt32
    var minimum: UInt32
    switch lead {
    case 0xC2...0xDF: (length, value, minimum) = (2, UInt32(lead & 0x1F), 0x80)
    case 0xE0...0xEF: (length, value, minimum) = (3, UInt32(lead & 0x0F), 0x800)
    case 0xF0...0xF4: (length, value, minimum) = (4, UInt32(lead & 0x07), 0x1_0000)
    default: return invalid
    }
    guard index + length <= bytes.count else { return invalid }
    for offset in 1..<length {
      let byte = bytes[index + offset]
      guard byte & 0xC0 == 0x80 else { return invalid }
      value = value << 6 | UInt32(byte & 0x3F)
    }
    guard value >= minimum, value <= 0x10_FFFF, !(0xD800...0xDFFF).contains(value) else { return invalid }
    return (value, length)
  }

  /// The UTF-8 encoding of a code point (an undecodable unit encodes back to its byte).
  static func encode(_ scalar: UInt32, into output: inout [UInt8]) {
    switch scalar {
    case 0..<0x80: output.append(UInt8(scalar))
    case 0x80..<0x800:
      output += [UInt8(0xC0 | scalar >> 6), UInt8(0x80 | scalar & 0x3F)]
    case 0x800..<0x1_0000:
      output += [UInt8(0xE0 | scalar >> 12), UInt8(0x80 | (scalar >> 6) & 0x3F), UInt8(0x80 | scalar & 0x3F)]
    case 0x1_0000...0x10_FFFF:
      output += [
        UInt8(0xF0 | scalar >> 18), UInt8(0x80 | (scalar >> 12) & 0x3F), UInt8(0x80 | (scalar >> 6) & 0x3F),
        UInt8(0x80 | scalar & 0x3F),
      ]
    default: output.append(UInt8(truncatingIfNeeded: scalar - invalidBase))
    }
  }
}
