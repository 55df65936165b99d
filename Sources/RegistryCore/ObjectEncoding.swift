/// How an object's bytes are stored in its file: as they are, or zlib-compressed (where that
/// saves real space). The raw value is the byte in the object header; `name` is what the catalog's
/// `objects.encoding` column holds.
public enum ObjectEncoding: UInt8, Sendable, Codable {
  case identity = 0
  case zlib = 1

  public var name: String { self == .identity ? "identity" : "zlib" }
}
