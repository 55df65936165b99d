/// Reads protobuf's wire format over a byte array as protobuf's `CodedInputStream` reads a flat
/// buffer, so the example parser accepts exactly what TensorFlow's accepts and refuses the rest.
///
/// Every read checks its bytes against the current limit first and answers nil (or false) when
/// they are not there; nothing here traps or allocates from a length it has read. Protobuf's
/// quirks that TensorFlow's parser inherits are kept on purpose:
///
/// - A length that reaches past the enclosing limit (or is 2^31 or more) does not narrow it:
///   `pushLimit` keeps the old limit, so the field runs to the end of its container.
/// - A varint has at most 10 bytes; bits past 64 are dropped, and a 32-bit read keeps the low
///   32 bits of a longer varint.
/// - `skip` past the limit stops at the limit and fails; a count of 2^31 or more does not move.
///
/// Format reference: protobuf's `coded_stream.h` and `coded_stream.cc` (`PushLimit`,
/// `ExpectAtEnd`, `ReadVarint32`, `Skip`).
struct WireReader {
  let bytes: [UInt8]
  private(set) var position: Int
  private(set) var limit: Int

  /// A reader over `bytes[range]`.
  init(_ bytes: [UInt8], _ range: Range<Int>) {
    self.bytes = bytes
    position = range.lowerBound
    limit = range.upperBound
  }

  /// `ExpectAtEnd`: the position has reached the current limit.
  var isAtEnd: Bool { position == limit }

  /// `BytesUntilLimit`.
  var remaining: Int { limit - position }

  /// `PeekTag`: the next byte, or 0 at the limit.
  var nextByte: UInt8 { position < limit ? bytes[position] : 0 }

  /// `ExpectTag` for a one-byte tag: consumes the byte when it is `tag`. A tag written with more
  /// bytes than it needs does not match, as in protobuf.
  mutating func expect(_ tag: UInt8) -> Bool {
    guard position < limit, bytes[position] == tag else { return false }
    position += 1
    return true
  }

  /// A varint of at most 10 bytes, or nil when it runs past the limit or is longer.
  mutating func varint64() -> UInt64? {
    var result: UInt64 = 0
    var index = position
    for shift in stride(from: UInt64(0), to: 70, by: 7) {
      guard index < limit else { return nil }
      let byte = bytes[index]
      index += 1
      result |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 {
        position = index
        return result
      }
    }
    return nil
  }

  /// `ReadVarint32`: the low 32 bits of a varint of at most 10 bytes.
  mutating func varint32() -> UInt32? {
    varint64().map { UInt32(truncatingIfNeeded: $0) }
  }

  /// `ReadLittleEndian32`.
  mutating func fixed32() -> UInt32? {
    guard remaining >= 4 else { return nil }
    var value: UInt32 = 0
    for offset in 0..<4 { value |= UInt32(bytes[position + offset]) << (8 * offset) }
    position += 4
    return value
  }

  /// `ReadLittleEndian64`.
  mutating func fixed64() -> UInt64? {
    guard remaining >= 8 else { return nil }
    var value: UInt64 = 0
    for offset in 0..<8 { value |= UInt64(bytes[position + offset]) << (8 * offset) }
    position += 8
    return value
  }

  /// The next `count` bytes, or nil when fewer remain before the limit.
  mutating func take(_ count: Int) -> Range<Int>? {
    guard count >= 0, count <= remaining else { return nil }
    defer { position += count }
    return position..<(position + count)
  }

  /// `Skip`: moves `count` bytes on. Past the limit it stops there and fails; a count that is
  /// negative as a C `int` (2^31 or more) fails without moving.
  mutating func skip(_ count: UInt32) -> Bool {
    guard count <= UInt32(Int32.max) else { return false }
    guard Int(count) <= remaining else {
      position = limit
      return false
    }
    position += Int(count)
    return true
  }

  /// `PushLimit`: narrows the limit to `length` bytes from here, unless that reaches past the
  /// current limit; returns the limit to restore.
  mutating func pushLimit(_ length: UInt32) -> Int {
    let old = limit
    if length <= UInt32(Int32.max), Int(length) < remaining { limit = position + Int(length) }
    return old
  }

  /// `PopLimit`: restores a limit `pushLimit` returned.
  mutating func popLimit(_ old: Int) {
    limit = old
  }

  /// `ParseString` in TensorFlow's parser: a varint length and that many bytes, all before the
  /// limit.
  mutating func lengthDelimited() -> Range<Int>? {
    guard let length = varint32(), Int(length) <= remaining else { return nil }
    return take(Int(length))
  }

  /// `SkipExtraneousTag` in TensorFlow's parser: reads a tag and skips its field. Groups and
  /// wire types 6 and 7 fail; a length-delimited field that runs past the limit is skipped to
  /// the limit without failing (TensorFlow ignores `Skip`'s answer there).
  mutating func skipField() -> Bool {
    guard let tag = varint32() else { return false }
    switch tag & 7 {
    case 0: return varint32() != nil
    case 1: return fixed64() != nil
    case 2:
      guard let length = varint32() else { return false }
      _ = skip(length)
      return true
    case 5: return fixed32() != nil
    default: return false
    }
  }
}
