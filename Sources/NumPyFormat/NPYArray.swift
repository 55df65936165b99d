import FileSystem
import Foundation
import RegistryCore

/// An array in NumPy's `.npy` format (versions 1.0–3.0): the dtype descriptor, the shape and the
/// raw element bytes, C order.
///
/// `registry run` reads inputs and writes outputs in this format. Object arrays (pickles) are
/// refused: they can run code when loaded and carry no fixed layout.
///
/// Format reference: NumPy's `numpy/lib/format.py` documentation (NEP 1): magic `\x93NUMPY`,
/// major and minor version bytes, a little-endian header length (2 bytes in 1.0, 4 in 2.0 and
/// 3.0), a Python dict literal `{'descr': …, 'fortran_order': …, 'shape': (…), }` padded with
/// spaces and a newline so the data starts at a multiple of 64 bytes.
public struct NPYArray: Sendable, Equatable {
  /// The dtype descriptor, e.g. `<f4`, `<i8`, `|b1`, `|S5`, `<U3`.
  public let descr: String
  public let shape: [Int]
  /// Element bytes in C order, exactly as the descriptor lays them out.
  public let data: [UInt8]

  /// An array of `shape` whose elements `data` holds.
  ///
  /// - Throws: `NPYError`: `invalidArgument` for a dtype this reader refuses, a negative
  ///   dimension, or data of the wrong size; `resourceExhausted` when the array is past
  ///   `Limits.current`'s tensor limits (a zero-width `|S0` array of 10^12 elements holds no
  ///   bytes but would become 10^12 strings).
  public init(descr: String, shape: [Int], data: [UInt8]) throws(NPYError) {
    let bytes = try Self.byteCount(descr: descr, shape: shape)
    guard bytes == data.count else {
      throw Self.sizeMismatch(descr: descr, shape: shape, dataBytes: Int64(data.count))
    }
    self.descr = descr
    self.shape = shape
    self.data = data
  }

  /// The bytes an array of `shape` and `descr` holds, after checking the dtype, the dimensions
  /// and the tensor limits; computed with checked arithmetic.
  static func byteCount(descr: String, shape: [Int]) throws(NPYError) -> Int {
    guard let itemSize = Self.itemSize(descr) else {
      if "SU".contains(descr.dropFirst().first ?? " "), Int(descr.dropFirst(2)) != nil {
        throw NPYError("dtype '\(descr)' has an item size past 2^63 bytes")
      }
      throw NPYError(
        "unsupported dtype '\(descr)' (numeric, bool, bytes S<n> and unicode U<n> are supported; object arrays are not)"
      )
    }
    guard shape.allSatisfy({ $0 >= 0 }) else { throw NPYError("negative dimension in shape \(shape)") }
    do {
      return Int(
        try Limits.current.checkTensor("'\(descr)' array of shape \(shape)", shape: shape, elementSize: itemSize).bytes)
    } catch {
      throw NPYError(error)
    }
  }

  static func sizeMismatch(descr: String, shape: [Int], dataBytes: Int64) -> NPYError {
    let count = Limits.elementCount(shape) ?? 0
    let itemSize = itemSize(descr) ?? 0
    return NPYError("shape \(shape) of '\(descr)' needs \(count) x \(itemSize) bytes, the data has \(dataBytes) bytes")
  }

  /// The number of elements.
  public var count: Int { shape.reduce(1, *) }

  /// Bytes per element, or `nil` for a descriptor this reader refuses.
  public static func itemSize(_ descr: String) -> Int? {
    guard descr.count >= 3 else { return nil }
    let order = descr.first
    let kind = descr.dropFirst().first
    guard let size = Int(descr.dropFirst(2)), size >= 0, ["<", ">", "|", "="].contains(order) else { return nil }
    switch kind {
    case "f": return [2, 4, 8].contains(size) ? size : nil
    case "i", "u": return [1, 2, 4, 8].contains(size) ? size : nil
    case "b": return size == 1 ? 1 : nil
    case "c": return [8, 16].contains(size) ? size : nil
    case "S": return size
    case "U":
      // Four bytes a character; `<U4611686018427387904` would overflow.
      let (bytes, overflow) = size.multipliedReportingOverflow(by: 4)
      return overflow ? nil : bytes
    default: return nil
    }
  }

  // MARK: - Reading

  /// Parses a whole `.npy` file.
  ///
  /// - Throws: `NPYError` saying what is wrong (bad magic, a header that is not the dict NumPy
  ///   writes, Fortran order, big-endian data, object dtype, a data size that does not match the
  ///   shape); `resourceExhausted` for a header or an array past `Limits.current`.
  public init(npy bytes: [UInt8]) throws(NPYError) {
    let (headerStart, headerLength) = try Self.preamble(bytes)
    guard headerLength <= bytes.count - headerStart else { throw NPYError("header runs past the end of the file") }
    let dataStart = headerStart + headerLength
    let fields = try Self.fields(bytes[headerStart..<dataStart])
    try self.init(descr: fields.descr, shape: fields.shape, data: Array(bytes[dataStart...]))
  }

  /// Reads a `.npy` file, checking every size before it allocates: the file against
  /// `Limits.current.inputFileBytes`, the header against `headerBytes`, the array against the
  /// tensor limits and the file's size, so a sparse or lying file is refused before its data is
  /// read. The data is read once, straight into the array.
  ///
  /// - Throws: `NPYError` starting with the path; `invalidArgument` for a FIFO, device or
  ///   directory, which is never waited on.
  public init(contentsOf url: URL) throws(NPYError) {
    let path = url.path
    do throws(NPYError) {
      let (descriptor, status) = try Self.open(path)
      defer { FileSystem.close(descriptor) }
      func read(_ count: Int, at offset: Int) throws(NPYError) -> [UInt8] {
        do {
          return try FileSystem.readExactly(descriptor, count: count, at: Int64(offset), path: path)
        } catch {
          throw NPYError(error.category, error.message)
        }
      }
      do {
        try Limits.check(
          "reading this .npy file", status.size, against: Limits.current.inputFileBytes, limit: "INPUT_FILE_BYTES")
      } catch {
        throw NPYError(error)
      }
      let size = Int(status.size)
      let (headerStart, headerLength) = try Self.preamble(try read(min(size, 12), at: 0))
      guard headerLength <= size - headerStart else { throw NPYError("header runs past the end of the file") }
      let dataStart = headerStart + headerLength
      let fields = try Self.fields(try read(headerLength, at: headerStart)[...])
      let bytes = try Self.byteCount(descr: fields.descr, shape: fields.shape)
      guard bytes == size - dataStart else {
        throw Self.sizeMismatch(descr: fields.descr, shape: fields.shape, dataBytes: Int64(size - dataStart))
      }
      try self.init(descr: fields.descr, shape: fields.shape, data: try read(bytes, at: dataStart))
    } catch {
      throw NPYError(error.category, error.message.hasPrefix(path) ? error.message : "\(path): \(error.message)")
    }
  }

  private static func open(_ path: String) throws(NPYError) -> (Int32, FileStatus) {
    do {
      return try FileSystem.openForReading(path)
    } catch {
      throw NPYError(error.category, error.message)
    }
  }

  /// Where the header starts and how long it is, from the magic, the version and the length
  /// field (`bytes` needs only the first 12 bytes of the file).
  static func preamble(_ bytes: [UInt8]) throws(NPYError) -> (start: Int, length: Int) {
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw NPYError("not a .npy file (bad magic)") }
    let major = bytes[6]
    let length: Int
    let start: Int
    switch major {
    case 1:
      length = Int(bytes[8]) | Int(bytes[9]) << 8
      start = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw NPYError("truncated header") }
      length = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      start = 12
    default:
      throw NPYError("unsupported .npy version \(major).\(bytes[7])")
    }
    do {
      try Limits.check("the .npy header", Int64(length), against: Limits.current.headerBytes, limit: "HEADER_BYTES")
    } catch {
      throw NPYError(error)
    }
    return (start, length)
  }

  /// The header's dtype and shape, refusing what this reader does not read.
  static func fields(_ header: ArraySlice<UInt8>) throws(NPYError) -> (descr: String, shape: [Int]) {
    let fields = try parseHeader(String(decoding: header, as: UTF8.self))
    guard fields.fortranOrder == false else {
      throw NPYError("Fortran-order arrays are not supported; save with np.ascontiguousarray")
    }
    if fields.descr.hasPrefix(">") && Self.itemSize(fields.descr).map({ $0 > 1 }) == true
      && !fields.descr.dropFirst().hasPrefix("S")
    {
      throw NPYError("big-endian data ('\(fields.descr)') is not supported; convert with .astype('<…')")
    }
    return (fields.descr, fields.shape)
  }

  /// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` as NumPy does: a
  /// Python dict literal holding exactly the keys `descr` (a string), `fortran_order` (`True` or
  /// `False`) and `shape` (a tuple of integers), in any order, followed only by whitespace.
  static func parseHeader(_ header: String) throws(NPYError) -> (descr: String, fortranOrder: Bool, shape: [Int]) {
    var parser = HeaderParser(Array(header.utf8))
    let items = try parser.dictionary()
    var seen: [String: HeaderParser.Value] = [:]
    for (key, value) in items {
      guard ["descr", "fortran_order", "shape"].contains(key) else {
        throw NPYError("header has unexpected key '\(key)' (NumPy allows only 'descr', 'fortran_order' and 'shape')")
      }
      guard seen.updateValue(value, forKey: key) == nil else { throw NPYError("header has the key '\(key)' twice") }
    }
    guard case .string(let descr) = seen["descr"] else {
      throw NPYError("header has no 'descr' string (structured dtypes are not supported)")
    }
    guard case .bool(let fortran) = seen["fortran_order"] else {
      throw NPYError("header has no 'fortran_order' True or False")
    }
    guard case .tuple(let shape) = seen["shape"] else { throw NPYError("header has no 'shape' tuple") }
    return (descr, fortran, shape)
  }

  // MARK: - Writing

  /// The `.npy` encoding (version 1.0, or 2.0 for a header over 65535 bytes), byte-identical to
  /// what `numpy.save` writes for the same C-order array.
  public func npyBytes() -> [UInt8] {
    let shapeText: String
    switch shape.count {
    case 0: shapeText = "()"
    case 1: shapeText = "(\(shape[0]),)"
    default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
    let dictionary = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    var version: UInt8 = 1
    var prefixLength = 10
    var total = prefixLength + dictionary.utf8.count + 1
    if total + (64 - total % 64) % 64 - prefixLength > 65535 {
      version = 2
      prefixLength = 12
      total = prefixLength + dictionary.utf8.count + 1
    }
    let padding = (64 - total % 64) % 64
    let header = Array(dictionary.utf8) + [UInt8](repeating: 0x20, count: padding) + [0x0A]
    var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
    if version == 1 {
      out += [UInt8(header.count & 0xFF), UInt8(header.count >> 8)]
    } else {
      out += (0..<4).map { UInt8((header.count >> (8 * $0)) & 0xFF) }
    }
    return out + header + data
  }
}

/// A `.npy` file that cannot be read or written, with the reason: `invalidArgument` for a file
/// that is wrong whatever we implement, `resourceExhausted` for one past `Limits.current`.
public struct NPYError: CategorizedError {
  public let category: ErrorCategory
  public let message: String
  public init(_ message: String) { self.init(.invalidArgument, message) }
  public init(_ category: ErrorCategory, _ message: String) {
    self.category = category
    self.message = message
  }

  /// A limit breach. The module's only conversion of `LimitExceeded`.
  init(_ error: LimitExceeded) { self.init(error.category, error.message) }
}

/// A strict parser for the Python dict literal of a `.npy` header: string keys; string, `True`,
/// `False`, integer or integer-tuple values; Python 2's `L` suffix on integers.
struct HeaderParser {
  enum Value: Equatable {
    case string(String)
    case bool(Bool)
    case integer(Int)
    case tuple([Int])
  }

  let bytes: [UInt8]
  var position = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// The dict's items in order, then checks nothing but whitespace follows.
  mutating func dictionary() throws(NPYError) -> [(String, Value)] {
    skipSpace()
    guard take("{") else { throw NPYError("header is not a dict literal: \(rest)") }
    var items: [(String, Value)] = []
    skipSpace()
    while !take("}") {
      guard let key = try string() else { throw NPYError("header: expected a quoted key at \(rest)") }
      skipSpace()
      guard take(":") else { throw NPYError("header: expected ':' after '\(key)'") }
      skipSpace()
      items.append((key, try value(of: key)))
      skipSpace()
      if take(",") {
        skipSpace()
      } else if peek != UInt8(ascii: "}") {
        throw NPYError("header: expected ',' or '}' after the value of '\(key)', found \(rest)")
      }
    }
    skipSpace()
    guard position == bytes.count else { throw NPYError("header: text after the dict: \(rest)") }
    return items
  }

  private mutating func value(of key: String) throws(NPYError) -> Value {
    if let text = try string() { return .string(text) }
    if take("(") {
      var dimensions: [Int] = []
      skipSpace()
      while !take(")") {
        guard let dimension = integer() else { throw NPYError("header: '\(key)' has a non-integer at \(rest)") }
        dimensions.append(dimension)
        skipSpace()
        if take(",") {
          skipSpace()
        } else if peek != UInt8(ascii: ")") || dimensions.count == 1 {
          // `(3)` is an integer in Python, not a tuple.
          throw NPYError("header: '\(key)' is not a tuple of integers at \(rest)")
        }
      }
      return .tuple(dimensions)
    }
    if let number = integer() { return .integer(number) }
    let word = bytes[position...].prefix { UInt8(ascii: "A")...UInt8(ascii: "z") ~= $0 }
    position += word.count
    switch String(decoding: word, as: UTF8.self) {
    case "True": return .bool(true)
    case "False": return .bool(false)
    default:
      throw NPYError(
        "header: '\(key)' has a value this reader does not take: \(String(decoding: word, as: UTF8.self))\(rest)")
    }
  }

  /// A quoted string without escapes, or nil when none starts here.
  private mutating func string() throws(NPYError) -> String? {
    guard let quote = peek, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else { return nil }
    guard let end = bytes[(position + 1)...].firstIndex(of: quote) else {
      throw NPYError("header: unterminated string at \(rest)")
    }
    let text = bytes[(position + 1)..<end]
    guard !text.contains(UInt8(ascii: "\\")) else { throw NPYError("header: escapes in strings are not supported") }
    position = end + 1
    return String(decoding: text, as: UTF8.self)
  }

  /// A decimal integer with an optional sign and `L` suffix, or nil when none starts here (or it
  /// does not fit in 64 bits).
  private mutating func integer() -> Int? {
    var end = position
    if end < bytes.count, bytes[end] == UInt8(ascii: "-") || bytes[end] == UInt8(ascii: "+") { end += 1 }
    let digitsStart = end
    while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
    guard end > digitsStart, let value = Int(String(decoding: bytes[position..<end], as: UTF8.self)) else {
      return nil
    }
    position = end
    _ = take("L")
    return value
  }

  private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

  /// Up to 40 bytes from the current position, quoted, for messages.
  private var rest: String {
    position < bytes.count ? "'\(String(decoding: bytes[position...].prefix(40), as: UTF8.self))'" : "the end"
  }

  private mutating func take(_ character: Unicode.Scalar) -> Bool {
    guard peek == UInt8(ascii: character) else { return false }
    position += 1
    return true
  }

  private mutating func skipSpace() {
    while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
  }
}
