/// The name of a stored object: the SHA-256 of its uncompressed bytes, written
/// `sha256:<64 lowercase hex digits>`.
///
/// Parsing accepts nothing else, so no user input reaches a file path unchecked.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
  /// The 32 hash bytes.
  public let bytes: [UInt8]

  public init(bytes: [UInt8]) {
    precondition(bytes.count == 32, "a SHA-256 digest has 32 bytes")
    self.bytes = bytes
  }

  /// Parses `sha256:<hex>`; returns `nil` for anything else.
  public init?(_ text: String) {
    guard text.hasPrefix("sha256:") else { return nil }
    self.init(hex: String(text.dropFirst(7)))
  }

  /// Parses 64 lowercase hex digits.
  public init?(hex: String) {
    let utf8 = Array(hex.utf8)
    guard utf8.count == 64 else { return nil }
    var bytes = [UInt8](repeating: 0, count: 32)
    for index in 0..<32 {
      guard let high = Self.nibble(utf8[2 * index]), let low = Self.nibble(utf8[2 * index + 1]) else {
        return nil
      }
      bytes[index] = high << 4 | low
    }
    self.bytes = bytes
  }

  /// 64 lowercase hex digits.
  public var hex: String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(64)
    for byte in bytes {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  public var description: String { "sha256:" + hex }

  public static func < (lhs: Digest, rhs: Digest) -> Bool {
    lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
  }

  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let digest = Digest(text) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "not a sha256 digest: \(text)"))
    }
    self = digest
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  private static func nibble(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
    default: return nil
    }
  }
}
