/// `Substr` on one string, in bytes or UTF-8 characters (`substr_op.cc`), and `StringLength`.
///
/// Bytes: a negative `position` counts from the end; it must land in `0...count`; a negative
/// `length` means "to the end". Characters: TensorFlow walks lead bytes forwards or backwards
/// (`ForwardNUTF8CharPositions`/`BackNUTF8CharPositions`); a negative length gives an empty
/// string for a non-negative position. Positions outside the string return nil (an error).
package enum UTF8Substring {
  package static func bytes(_ text: [UInt8], position: Int, length: Int) -> ArraySlice<UInt8>? {
    let start = position < 0 ? text.count + position : position
    guard start >= 0, start <= text.count else { return nil }
    let end = length < 0 ? text.count : min(text.count, start + min(length, text.count))
    return text[start..<end]
  }

  package static func characters(_ text: [UInt8], position: Int, length: Int) -> ArraySlice<UInt8>? {
    if position >= 0 {
      var start = 0
      guard forward(text, count: position, from: &start) else { return nil }
      var end = start
      _ = forward(text, count: length, from: &end)
      return text[start..<end]
    }
    var end = text.count
    let skip = max(0, -position - length)
    guard backward(text, count: skip, from: &end) else { return nil }
    var start = end
    guard backward(text, count: -position - skip, from: &start) else { return nil }
    return text[start..<end]
  }

  /// The number of UTF-8 characters: bytes that are not continuation bytes.
  package static func characterCount(_ text: [UInt8]) -> Int {
    text.reduce(0) { $0 + (isTrail($1) ? 0 : 1) }
  }

  private static func isTrail(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

  private static func forward(_ text: [UInt8], count: Int, from position: inout Int) -> Bool {
    var counted = 0
    while counted < count && position < text.count {
      repeat { position += 1 } while position < text.count && isTrail(text[position])
      counted += 1
    }
    return counted == count
  }

  private static func backward(_ text: [UInt8], count: Int, from position: inout Int) -> Bool {
    var counted = 0
    while counted < count && position > 0 {
      repeat { position -= 1 } while isTrail(text[position]) && position > 0
      counted += 1
    }
    return counted == count
  }
}
