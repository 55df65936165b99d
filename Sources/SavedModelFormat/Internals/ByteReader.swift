/// Reads varints and little-endian integers from a byte buffer, never past its end.
///
/// Every length read from a file is untrusted: each read checks bounds and throws
/// `ByteReader.OutOfBounds` rather than trapping, and callers turn that into a `FormatError`
/// naming the file.
struct ByteReader {
  struct OutOfBounds: Error {
    let what: String
  }

  let bytes: [UInt8]
  private(set) var offset: Int
  let end: Int

  init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
    self.bytes = bytes
    self.offset = start
    self.end = min(end ?? bytes.count, bytes.count)
  }

  var isAtEnd: Bool { offset >= end }
  var remaining: Int { max(0, end - offset) }

  /// A base-128 varint of at most 10 bytes (64 bits).
  mutating func varint64(_ what: String) throws -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard offset < end else { throw OutOfBounds(what: "\(what): varint runs past the end") }
      let byte = bytes[offset]
      offset += 1
      if shift == 63 && byte > 1 { throw OutOfBounds(what: "\(what): varint overflows 64 bits") }
      result |= UInt64(byte & 0x7F) << shift
      if byte & 0x80 == 0 { return result }
      shift += 7
      if shift > 63 { throw OutOfBounds(what: "\(what): varint longer than 10 bytes") }
    }
  }

  /// A varint that must fit in 32 bits (LevelDB's `GetVarint32`).
  mutating func varint32(_ what: String) throws -> UInt32 {
    let value = try varint64(what)
    guard value <= UInt64(UInt32.max) else {
      throw OutOfBounds(what: "\(what): varint \(value) does not fit in 32 bits")
    }
    return UInt32(value)
  }

  mutating func uint32LE(_ what: String) throws -> UInt32 {
    guard remaining >= 4 else { throw OutOfBounds(what: "\(what): needs 4 bytes, \(remaining) left") }
    let value =
      UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
      | UInt32(bytes[offset + 3]) << 24
    offset += 4
    return value
  }

  /// The next `count` bytes.
  mutating func take(_ count: Int, _ what: String) throws -> ArraySlice<UInt8> {
    guard count >= 0, count <= remaining else {
      throw OutOfBounds(what: "\(what): claims \(count) bytes, only \(remaining) left")
    }
    defer { offset += count }
    return bytes[offset..<(offset + count)]
  }
}

extension ByteReader {
  static func uint32LE(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
      | UInt32(bytes[offset + 3]) << 24
  }
}
