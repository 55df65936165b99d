import CZlib

/// One-shot zlib (RFC 1950) compression and decompression over whole buffers.
enum Zlib {
  /// How many times its own length a zlib stream can inflate to, at most: deflate's best case
  /// codes a 258-byte match in 2 bits (1032:1); a little slack covers the stream's header and
  /// trailer. A claimed length past this is a lie, refused before it is allocated.
  static let maximumRatio: UInt64 = 1040

  /// Compresses at `level` (1 fastest … 9 smallest); `nil` if zlib fails (it does not for
  /// valid input and enough memory).
  static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 6) -> [UInt8]? {
    let bound = Int(compressBound(uLong(input.count)))
    var output = [UInt8](repeating: 0, count: bound)
    var outputLength = uLongf(bound)
    let status = output.withUnsafeMutableBytes { out in
      compress2(
        out.baseAddress!.assumingMemoryBound(to: Bytef.self), &outputLength,
        input.baseAddress?.assumingMemoryBound(to: Bytef.self) ?? UnsafePointer(bitPattern: 1),
        uLong(input.count), level)
    }
    guard status == Z_OK else { return nil }
    output.removeSubrange(Int(outputLength)...)
    return output
  }

  /// Decompresses into exactly `expectedLength` bytes; `nil` if the stream is damaged or its
  /// length differs.
  static func decompress(_ input: UnsafeRawBufferPointer, expectedLength: Int) -> [UInt8]? {
    var output = [UInt8](repeating: 0, count: max(expectedLength, 1))
    var outputLength = uLongf(expectedLength)
    var inputLength = uLong(input.count)
    let status = output.withUnsafeMutableBytes { out in
      uncompress2(
        out.baseAddress!.assumingMemoryBound(to: Bytef.self), &outputLength,
        input.baseAddress?.assumingMemoryBound(to: Bytef.self) ?? UnsafePointer(bitPattern: 1),
        &inputLength)
    }
    guard status == Z_OK, Int(outputLength) == expectedLength, Int(inputLength) == input.count else {
      return nil
    }
    output.removeSubrange(expectedLength...)
    return output
  }
}
