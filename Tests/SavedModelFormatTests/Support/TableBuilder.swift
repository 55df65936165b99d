import Checksums

/// Writes small LevelDB-style tables, so tests can build indexes with exactly the damage they
/// want (a lying length behind a valid CRC, unsorted keys) rather than hoping a flipped byte
/// lands there.
struct TableBuilder {
  var entries: [(key: [UInt8], value: [UInt8])] = []

  /// The encoded table: one data block, an empty metaindex, an index block and the footer.
  /// `corruptBlock` may rewrite the data block's contents before its CRC is computed.
  func build(corruptBlock: (inout [UInt8]) -> Void = { _ in }) -> [UInt8] {
    var file: [UInt8] = []
    var block: [UInt8] = []
    for entry in entries {
      Self.varint(0, into: &block)
      Self.varint(UInt64(entry.key.count), into: &block)
      Self.varint(UInt64(entry.value.count), into: &block)
      block += entry.key + entry.value
    }
    block += Self.le32(0) + Self.le32(1)  // one restart at offset 0
    corruptBlock(&block)
    let dataHandle = Self.append(block, to: &file)
    let metaHandle = Self.append(Self.le32(0) + Self.le32(1), to: &file)
    var index: [UInt8] = []
    var handle: [UInt8] = []
    Self.varint(dataHandle.offset, into: &handle)
    Self.varint(dataHandle.size, into: &handle)
    Self.varint(0, into: &index)
    Self.varint(1, into: &index)
    Self.varint(UInt64(handle.count), into: &index)
    index += [0xFF] + handle + Self.le32(0) + Self.le32(1)
    let indexHandle = Self.append(index, to: &file)
    var footer: [UInt8] = []
    Self.varint(metaHandle.offset, into: &footer)
    Self.varint(metaHandle.size, into: &footer)
    Self.varint(indexHandle.offset, into: &footer)
    Self.varint(indexHandle.size, into: &footer)
    footer += [UInt8](repeating: 0, count: 40 - footer.count)
    footer += Self.le32(0x8b80_fb57) + Self.le32(0xdb47_7524)
    return file + footer
  }

  private static func append(_ block: [UInt8], to file: inout [UInt8]) -> (offset: UInt64, size: UInt64) {
    let offset = UInt64(file.count)
    file += block
    file.append(0)
    file += le32(CRC32C.mask(CRC32C.checksum(block + [0])))
    return (offset, UInt64(block.count))
  }

  static func varint(_ value: UInt64, into bytes: inout [UInt8]) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(value & 0x7F) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  static func le32(_ value: UInt32) -> [UInt8] {
    [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
  }
}
