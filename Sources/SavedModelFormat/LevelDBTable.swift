import Checksums

/// A LevelDB-style sorted table ("SSTable"), the container of `variables.index`.
///
/// Reads the whole table eagerly and checks everything it can: the footer magic, every block's
/// CRC32C, every entry's bounds, and that keys strictly increase. TensorFlow writes these tables
/// without compression and without filter blocks; a Snappy-compressed block is reported as
/// unsupported rather than misread.
///
/// Format reference: savedmodel-format.md §3.1–3.2.
public struct LevelDBTable: Sendable {
  /// One key and its value, in key order.
  public struct Entry: Sendable, Equatable {
    public let key: [UInt8]
    public let value: [UInt8]
  }

  /// Where a block lives in the file (the size excludes its 5-byte trailer).
  public struct BlockHandle: Sendable, Equatable {
    public let offset: UInt64
    public let size: UInt64
  }

  /// The last 8 bytes of every table: `0xdb4775248b80fb57` little-endian.
  static let magic: UInt64 = 0xdb47_7524_8b80_fb57
  static let footerLength = 48
  static let trailerLength = 5

  /// The entries in key order.
  public let entries: [Entry]
  /// The data blocks, in file order; each one's CRC was checked.
  public let dataBlocks: [BlockHandle]

  /// Parses and checks a whole table.
  ///
  /// - Parameters:
  ///   - bytes: the complete file.
  ///   - file: the name used in errors.
  /// - Throws: `FormatError` of kind `.corrupted` for a bad magic, a CRC mismatch, a handle or
  ///   length past the end, unsorted keys; `.unsupported` for compressed blocks.
  /// - Complexity: O(n) in the file size.
  public init(bytes: [UInt8], file: String) throws(FormatError) {
    func corrupted(_ problem: String) -> FormatError { FormatError(.corrupted, file: file, problem) }

    guard bytes.count >= Self.footerLength else {
      throw corrupted(
        "\(bytes.count) bytes is too short for a table (the footer alone is \(Self.footerLength))")
    }
    let footerStart = bytes.count - Self.footerLength
    let magicLow = UInt64(ByteReader.uint32LE(bytes, at: bytes.count - 8))
    let magicHigh = UInt64(ByteReader.uint32LE(bytes, at: bytes.count - 4))
    guard magicLow | magicHigh << 32 == Self.magic else {
      throw corrupted("not a LevelDB table (footer magic missing; truncated or not an index file?)")
    }

    var footer = ByteReader(bytes, from: footerStart, to: bytes.count - 8)
    let indexHandle: BlockHandle
    let metaindexHandle: BlockHandle
    do {
      metaindexHandle = try Self.readHandle(&footer, "metaindex handle")
      indexHandle = try Self.readHandle(&footer, "index handle")
    } catch let error as ByteReader.OutOfBounds {
      throw corrupted("footer: \(error.what)")
    } catch {
      throw corrupted("footer: \(error)")
    }

    // TensorFlow writes no filter or stats blocks, so the metaindex is empty; it is still
    // checked, so that no byte of the file escapes a CRC.
    let metaindex = try Self.readBlock(bytes, metaindexHandle, limit: footerStart, file: file, "metaindex block")
    _ = try Self.parseBlock(metaindex, file: file, "metaindex block")
    let indexBlock = try Self.readBlock(bytes, indexHandle, limit: footerStart, file: file, "index block")
    var handles: [BlockHandle] = []
    for entry in try Self.parseBlock(indexBlock, file: file, "index block") {
      var reader = ByteReader(entry.value)
      do {
        handles.append(try Self.readHandle(&reader, "index entry"))
      } catch {
        throw corrupted("index block: entry holds no valid block handle")
      }
    }

    var entries: [Entry] = []
    for (number, handle) in handles.enumerated() {
      let block = try Self.readBlock(bytes, handle, limit: footerStart, file: file, "data block \(number)")
      for entry in try Self.parseBlock(block, file: file, "data block \(number)") {
        if let previous = entries.last, !previous.key.lexicographicallyPrecedes(entry.key) {
          throw corrupted("data block \(number): keys are not in strictly increasing order")
        }
        entries.append(entry)
      }
    }
    self.entries = entries
    self.dataBlocks = handles
  }

  /// Looks a key up (binary search).
  public func value(forKey key: [UInt8]) -> [UInt8]? {
    var low = 0
    var high = entries.count
    while low < high {
      let middle = (low + high) / 2
      if entries[middle].key.lexicographicallyPrecedes(key) { low = middle + 1 } else { high = middle }
    }
    return low < entries.count && entries[low].key == key ? entries[low].value : nil
  }

  // MARK: - Blocks

  private static func readHandle(_ reader: inout ByteReader, _ what: String) throws -> BlockHandle {
    let offset = try reader.varint64("\(what) offset")
    let size = try reader.varint64("\(what) size")
    return BlockHandle(offset: offset, size: size)
  }

  /// The contents of one block after checking its trailer's type byte and CRC.
  private static func readBlock(
    _ bytes: [UInt8], _ handle: BlockHandle, limit: Int, file: String, _ what: String
  ) throws(FormatError) -> ArraySlice<UInt8> {
    // `limit` (where the footer starts) is below the trailer's length when a file holds little
    // more than a footer: no block fits, and `limit - trailerLength` must not go negative.
    let (end, overflow) = handle.offset.addingReportingOverflow(handle.size)
    guard !overflow, limit >= trailerLength, end <= UInt64(limit - trailerLength) else {
      throw FormatError(
        .corrupted, file: file,
        "\(what) at offset \(handle.offset) with size \(handle.size) runs past the end of the table")
    }
    let start = Int(handle.offset)
    let contentEnd = Int(end)
    let type = bytes[contentEnd]
    let stored = ByteReader.uint32LE(bytes, at: contentEnd + 1)
    let actual = bytes.withUnsafeBytes { raw in
      CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[start...contentEnd]))
    }
    guard CRC32C.unmask(stored) == actual else {
      throw FormatError(
        .corrupted, file: file,
        "\(what) at offset \(start): CRC32C mismatch (stored \(hex(CRC32C.unmask(stored))), computed \(hex(actual)))"
      )
    }
    switch type {
    case 0: return bytes[start..<contentEnd]
    case 1:
      throw FormatError(.unsupported, file: file, "\(what) is Snappy-compressed, which is not supported")
    default:
      throw FormatError(.corrupted, file: file, "\(what) has unknown compression type \(type)")
    }
  }

  /// Decodes every entry of a block by a linear scan; restart points are only checked.
  private static func parseBlock(
    _ block: ArraySlice<UInt8>, file: String, _ what: String
  ) throws(FormatError) -> [Entry] {
    func corrupted(_ problem: String) -> FormatError {
      FormatError(.corrupted, file: file, "\(what): \(problem)")
    }
    let bytes = Array(block)
    guard bytes.count >= 4 else { throw corrupted("\(bytes.count) bytes is too short for a block") }
    let restartCount = Int(ByteReader.uint32LE(bytes, at: bytes.count - 4))
    guard restartCount >= 1, restartCount <= (bytes.count - 4) / 4 else {
      throw corrupted("restart count \(restartCount) does not fit in a \(bytes.count)-byte block")
    }
    let entriesEnd = bytes.count - 4 - 4 * restartCount
    var restarts = Set<Int>()
    for index in 0..<restartCount {
      let restart = Int(ByteReader.uint32LE(bytes, at: entriesEnd + 4 * index))
      guard restart < max(entriesEnd, 1) else {
        throw corrupted("restart point \(restart) lies outside the entries")
      }
      restarts.insert(restart)
    }

    var reader = ByteReader(bytes, from: 0, to: entriesEnd)
    var entries: [Entry] = []
    var key: [UInt8] = []
    do {
      while !reader.isAtEnd {
        let entryStart = reader.offset
        let shared = Int(try reader.varint32("entry"))
        let unshared = Int(try reader.varint32("entry"))
        let valueLength = Int(try reader.varint32("entry"))
        guard shared <= key.count else {
          throw corrupted("entry at \(entryStart) shares \(shared) bytes of a \(key.count)-byte key")
        }
        if restarts.contains(entryStart) && shared != 0 {
          throw corrupted("entry at restart point \(entryStart) shares key bytes")
        }
        key = Array(key[0..<shared]) + (try reader.take(unshared, "key"))
        let value = Array(try reader.take(valueLength, "value"))
        entries.append(Entry(key: key, value: value))
      }
    } catch let error as FormatError {
      throw error
    } catch let error as ByteReader.OutOfBounds {
      throw corrupted(error.what)
    } catch {
      throw corrupted("\(error)")
    }
    return entries
  }
}

func hex(_ value: UInt32) -> String {
  let digits = String(value, radix: 16)
  return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
