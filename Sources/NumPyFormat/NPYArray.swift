import Foundation

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

  public init(descr: String, shape: [Int], data: [UInt8]) throws(NPYError) {
    guard let itemSize = Self.itemSize(descr) else {
      throw NPYError(
        "unsupported dtype '\(descr)' (numeric, bool, bytes S<n> and unicode U<n> are supported; object arrays are not)"
      )
    }
    guard shape.allSatisfy({ $0 >= 0 }) else { throw NPYError("negative dimension in shape \(shape)") }
    let (count, overflow) = shape.reduce((1, false)) { partial, dimension in
      let product = partial.0.multipliedReportingOverflow(by: dimension)
      return (product.partialValue, partial.1 || product.overflow)
    }
    guard !overflow, count.multipliedReportingOverflow(by: itemSize).partialValue == data.count else {
      throw NPYError("shape \(shape) of '\(descr)' needs \(count) x \(itemSize) bytes, the data has \(data.count)")
    }
    self.descr = descr
    self.shape = shape
    self.data = data
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
    case "S": return size
    case "U": return size * 4
    default: return nil
    }
  }

  // MARK: - Reading

  /// Parses a whole `.npy` file.
  ///
  /// - Throws: `NPYError` saying what is wrong (bad magic, a header that is not a dict literal,
  ///   Fortran order, big-endian data, object dtype, a data size that does not match the shape).
  public init(npy bytes: [UInt8]) throws(NPYError) {
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw NPYError("not a .npy file (bad magic)") }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw NPYError("truncated header") }
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      headerStart = 12
    default:
      throw NPYError("unsupported .npy version \(major).\(bytes[7])")
    }
    guard headerStart + headerLength <= bytes.count else { throw NPYError("header runs past the end of the file") }
    let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
    let fields = try Self.parseHeader(header)
    guard fields.fortranOrder == false else {
      throw NPYError("Fortran-order arrays are not supported; save with np.ascontiguousarray")
    }
    if fields.descr.hasPrefix(">") && Self.itemSize(fields.descr).map({ $0 > 1 }) == true
      && !fields.descr.dropFirst().hasPrefix("S")
    {
      throw NPYError("big-endian data ('\(fields.descr)') is not supported; convert with .astype('<…')")
    }
    try self.init(descr: fields.descr, shape: fields.shape, data: Array(bytes[(headerStart + headerLength)...]))
  }

  /// Reads a `.npy` file.
  public init(contentsOf url: URL) throws(NPYError) {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw NPYError("\(url.path): cannot read: \(error.localizedDescription)")
    }
    do {
      try self.init(npy: [UInt8](data))
    } catch {
      throw NPYError("\(url.path): \(error.message)")
    }
  }

  /// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, keys in any order.
  static func parseHeader(_ header: String) throws(NPYError) -> (descr: String, fortranOrder: Bool, shape: [Int]) {
    let text = header.trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.hasPrefix("{"), text.hasSuffix("}") else {
      throw NPYError("header is not a dict literal: \(text.prefix(80))")
    }
    func value(after key: String) -> Substring? {
      guard let range = text.range(of: "'\(key)':") else { return nil }
      return text[range.upperBound...].drop { $0 == " " }
    }
    guard let descrValue = value(after: "descr"), descrValue.first == "'",
      let end = descrValue.dropFirst().firstIndex(of: "'")
    else { throw NPYError("header has no 'descr' string (structured dtypes are not supported)") }
    let descr = String(descrValue[descrValue.index(after: descrValue.startIndex)..<end])
    guard let fortranValue = value(after: "fortran_order") else { throw NPYError("header has no 'fortran_order'") }
    let fortran = fortranValue.hasPrefix("True")
    guard let shapeValue = value(after: "shape"), shapeValue.first == "(", let close = shapeValue.firstIndex(of: ")")
    else {
      throw NPYError("header has no 'shape' tuple")
    }
    let inside = shapeValue[shapeValue.index(after: shapeValue.startIndex)..<close]
    var shape: [Int] = []
    for part in inside.split(separator: ",") {
      let trimmed = part.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty { continue }
      guard let dimension = Int(trimmed.hasSuffix("L") ? String(trimmed.dropLast()) : trimmed) else {
        throw NPYError("shape has a non-integer dimension '\(trimmed)'")
      }
      shape.append(dimension)
    }
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

/// A `.npy` file that cannot be read or written, with the reason.
public struct NPYError: Error, CustomStringConvertible, Sendable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
