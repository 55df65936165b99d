import Checksums
import Foundation
import RegistryCore
import TFProto

/// A TensorFlow checkpoint in the TensorBundle format: `<prefix>.index` plus data shards
/// `<prefix>.data-SSSSS-of-NNNNN`.
///
/// Opening a bundle parses and checks the whole index (block CRCs, header, every entry, that
/// every shard exists and holds every entry's byte range). Tensor bytes are read on demand and
/// checked against their CRC32C before they are returned.
///
/// Format reference: savedmodel-format.md §3.
public struct TensorBundle: Sendable {
  /// One tensor's record in the index.
  public struct Entry: Sendable {
    /// The checkpoint key, e.g. `layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`.
    /// Keys of tensor slices are binary; `name` is then `hex:` and the key's bytes in hex, and
    /// `key` holds the exact bytes.
    public let name: String
    /// The exact key bytes from the index.
    public let key: [UInt8]
    public let dtype: DataTypeInfo
    /// Dimension sizes (bundles always store fully known shapes).
    public let shape: [Int64]
    public let shard: Int
    public let offset: Int64
    public let size: Int64
    /// The unmasked CRC32C of the tensor's bytes (see §3.4 for how strings are covered).
    public let crc32c: UInt32
    /// Set when the tensor is partitioned into slices: its own entry holds no bytes, each slice
    /// is an entry of its own (see `bytes(of:)`, which assembles them).
    public var isSliced: Bool { !slices.isEmpty }
    /// The slices of a partitioned tensor, one extent per dimension (`length` nil: the whole
    /// dimension); empty for an ordinary tensor.
    public let slices: [[SliceExtent]]

    /// The number of elements the shape describes. Computed with checked arithmetic when the
    /// index is opened, which refuses a shape whose count does not fit in 64 bits.
    public let elementCount: Int64
  }

  /// One dimension of a stored slice: where it starts and how long it is (nil: all of it).
  public struct SliceExtent: Sendable, Equatable {
    public let start: Int64
    public let length: Int64?
  }

  /// The path prefix, e.g. `<dir>/variables/variables`, as errors name it.
  public let prefix: URL
  /// Where the index and shards are read from.
  public let source: any SavedModelSource
  /// The prefix relative to the source's root.
  public let prefixPath: String
  /// The parsed header (shard count, endianness, version).
  public let header: Tensorflow_BundleHeaderProto
  /// Tensor entries in key order (the header's empty key is not included).
  public let entries: [Entry]
  /// The raw bytes of the index file (hashed for `checkpoint_hash`).
  public let indexBytes: [UInt8]
  /// How many data blocks the index table has; each CRC was checked on open.
  public let indexBlockCount: Int
  /// The size of each data shard, by shard number.
  public let shardSizes: [Int64]

  /// The path of the index file for a prefix.
  public static func indexURL(prefix: URL) -> URL {
    prefix.deletingLastPathComponent().appendingPathComponent(prefix.lastPathComponent + ".index")
  }

  /// The path of data shard `shard` of `count` for a prefix (`%s.data-%05d-of-%05d`).
  public static func shardURL(prefix: URL, shard: Int, of count: Int) -> URL {
    prefix.deletingLastPathComponent().appendingPathComponent(
      shardPath(prefix.lastPathComponent, shard: shard, of: count))
  }

  /// `shardURL` for a relative prefix path.
  public static func shardPath(_ prefix: String, shard: Int, of count: Int) -> String {
    func five(_ value: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
    return "\(prefix).data-\(five(shard))-of-\(five(count))"
  }

  /// Opens and checks a bundle's index and the presence and sizes of its shards.
  ///
  /// - Parameter prefix: the checkpoint prefix, without `.index`.
  /// - Throws: `FormatError` naming the index or shard file that is missing or damaged.
  public init(prefix: URL) throws(FormatError) {
    try self.init(source: DirectorySource(prefix.deletingLastPathComponent()), prefix: prefix.lastPathComponent)
  }

  /// Opens a bundle whose files `source` holds.
  ///
  /// - Parameter prefix: the checkpoint prefix relative to the source's root
  ///   (`variables/variables` in a SavedModel).
  public init(source: any SavedModelSource, prefix prefixPath: String) throws(FormatError) {
    self.source = source
    self.prefixPath = prefixPath
    let prefix = source.location(of: prefixPath)
    self.prefix = prefix
    let indexURL = Self.indexURL(prefix: prefix)
    let indexName = indexURL.path
    let bytes = try source.read(prefixPath + ".index")
    let table = try LevelDBTable(bytes: bytes, file: indexName)

    guard let first = table.entries.first, first.key.isEmpty else {
      throw FormatError(.corrupted, file: indexName, "the bundle header (empty key) is missing")
    }
    let header: Tensorflow_BundleHeaderProto
    do {
      header = try Tensorflow_BundleHeaderProto(decoding: first.value)
    } catch {
      throw FormatError(.corrupted, file: indexName, "bundle header: \(error)")
    }
    if header.version.minConsumer > 1 || header.version.badConsumers.contains(1) {
      throw FormatError(
        .unsupported, file: indexName,
        "bundle version needs a newer reader (min_consumer \(header.version.minConsumer))")
    }
    guard header.numShards >= 1 else {
      throw FormatError(.corrupted, file: indexName, "bundle header says \(header.numShards) shards")
    }
    if header.endianness.rawValue != 0 {
      throw FormatError(.unsupported, file: indexName, "big-endian tensor bundles are not supported")
    }

    var shardSizes: [Int64] = []
    for shard in 0..<Int(header.numShards) {
      shardSizes.append(try source.size(of: Self.shardPath(prefixPath, shard: shard, of: Int(header.numShards))))
    }

    var entries: [Entry] = []
    entries.reserveCapacity(table.entries.count - 1)
    for raw in table.entries.dropFirst() {
      let name = Self.displayName(raw.key)
      let proto: Tensorflow_BundleEntryProto
      do {
        proto = try Tensorflow_BundleEntryProto(decoding: raw.value)
      } catch {
        throw FormatError(.corrupted, file: indexName, "entry \"\(name)\": \(error)")
      }
      let shape = proto.shape.dim.map(\.size)
      guard let elementCount = Limits.elementCount(shape) else {
        let problem = shape.contains { $0 < 0 } ? "has a negative dimension" : "has more than 2^63 elements"
        throw FormatError(.corrupted, file: indexName, "entry \"\(name)\": shape \(shape) \(problem)")
      }
      let entry = Entry(
        name: name, key: raw.key, dtype: DataTypeInfo(proto.dtype), shape: shape,
        shard: Int(proto.shardID), offset: proto.offset, size: proto.size,
        crc32c: CRC32C.unmask(proto.crc32C),
        slices: proto.slices.map { slice in
          slice.extent.map { SliceExtent(start: $0.start, length: $0.hasLength_p == nil ? nil : $0.length) }
        }, elementCount: elementCount)
      if !entry.isSliced {
        try Self.checkBounds(entry, shardSizes: shardSizes, prefix: prefix, indexName: indexName)
      }
      entries.append(entry)
    }
    self.header = header
    self.entries = entries
    self.indexBytes = bytes
    self.indexBlockCount = table.dataBlocks.count
    self.shardSizes = shardSizes
  }

  /// A key as text when it is printable UTF-8, else `hex:<bytes>` (the binary keys of slices).
  public static func displayName(_ key: [UInt8]) -> String {
    if let text = String(validating: key, as: UTF8.self),
      text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
    {
      return text
    }
    let digits = Array("0123456789abcdef".utf8)
    return "hex:" + String(decoding: key.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
  }

  /// The entry for a checkpoint key.
  public func entry(named name: String) -> Entry? {
    entries.first { $0.name == name }
  }

  /// The path of an entry's shard file.
  public func shardURL(for entry: Entry) -> URL {
    Self.shardURL(prefix: prefix, shard: entry.shard, of: Int(header.numShards))
  }

  private static func checkBounds(
    _ entry: Entry, shardSizes: [Int64], prefix: URL, indexName: String
  ) throws(FormatError) {
    func bad(_ problem: String) -> FormatError {
      FormatError(.corrupted, file: indexName, "entry \"\(entry.name)\": \(problem)")
    }
    guard entry.shard >= 0, entry.shard < shardSizes.count else {
      throw bad("shard \(entry.shard) is outside the \(shardSizes.count) shards the header declares")
    }
    guard entry.offset >= 0, entry.size >= 0 else {
      throw bad("negative offset \(entry.offset) or size \(entry.size)")
    }
    let (end, overflow) = entry.offset.addingReportingOverflow(entry.size)
    guard !overflow, end <= shardSizes[entry.shard] else {
      let shardName = shardURL(prefix: prefix, shard: entry.shard, of: shardSizes.count).lastPathComponent
      throw bad(
        "bytes \(entry.offset)..<\(entry.offset &+ entry.size) lie past the end of \(shardName) (\(shardSizes[entry.shard]) bytes); the shard is truncated or the index lies"
      )
    }
    // Every string element takes at least its one-byte length, every variant element its length
    // and checksum: a count past the byte size is a lie, and would otherwise drive the loops
    // that read the lengths.
    if entry.dtype.isString || entry.dtype.isVariant, entry.elementCount > entry.size {
      throw bad(
        "\(entry.dtype.name) shape \(entry.shape) has \(entry.elementCount) elements but the entry holds only \(entry.size) bytes"
      )
    }
    if let elementSize = entry.dtype.elementSize {
      let (expected, overflow) = entry.elementCount.multipliedReportingOverflow(by: Int64(elementSize))
      guard !overflow, expected == entry.size else {
        throw bad(
          "\(entry.dtype.name) shape \(entry.shape) needs \(expected) bytes but the entry says \(entry.size)")
      }
    }
  }
}

// MARK: - Reading tensors

extension TensorBundle {
  /// Reads one tensor's bytes exactly as stored and checks them against the entry's CRC32C.
  ///
  /// - Throws: `FormatError` naming the shard when the bytes cannot be read or do not match;
  ///   `.resourceExhausted` when the tensor is past `Limits.current`'s tensor limits, checked
  ///   before its bytes are allocated (a sparse shard can make any size cheap on disk).
  public func bytes(of entry: Entry) throws(FormatError) -> [UInt8] {
    let url = shardURL(for: entry)
    do {
      let limits = Limits.current
      let subject = "tensor \"\(entry.name)\" of shape \(entry.shape)"
      _ = try limits.checkTensor(subject, shape: entry.shape, elementSize: entry.dtype.elementSize ?? 1)
      if !entry.isSliced {
        try Limits.check(subject, entry.size, against: limits.tensorBytes, limit: "TENSOR_BYTES")
      }
    } catch {
      throw FormatError(error, file: url.path)
    }
    if entry.isSliced { return try assembleSlices(of: entry) }
    let path = Self.shardPath(prefixPath, shard: entry.shard, of: Int(header.numShards))
    let bytes = try source.read(path, offset: entry.offset, count: Int(entry.size))
    try Self.checkCRC(entry, bytes, file: url.path)
    return bytes
  }

  /// A partitioned tensor's bytes, put together from its slices (what TensorFlow's
  /// `BundleReader` does for a tensor saved with a slicing sharding policy). Each slice is the
  /// entry under TensorFlow's encoded slice key (`sliceKey`), read and CRC-checked like any
  /// tensor, and copied to its place; the slices must lie inside the tensor, match their
  /// entries' shapes, and cover every element exactly once.
  ///
  /// The caller has checked the whole tensor against the limits.
  private func assembleSlices(of entry: Entry) throws(FormatError) -> [UInt8] {
    let indexName = Self.indexURL(prefix: prefix).path
    func bad(_ problem: String) -> FormatError {
      FormatError(.corrupted, file: indexName, "tensor \"\(entry.name)\": \(problem)")
    }
    guard let elementSize = entry.dtype.elementSize else {
      throw FormatError(
        .unsupported, file: indexName, "tensor \"\(entry.name)\": \(entry.dtype.name) tensors partitioned into slices")
    }
    let shape = entry.shape.map { Int($0) }
    let count = Int(entry.elementCount)
    var output = [UInt8](repeating: 0, count: count * elementSize)
    var covered = [Bool](repeating: false, count: count)
    var coveredCount = 0
    let byKey = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    for slice in entry.slices {
      guard slice.count == shape.count else {
        throw bad("a slice has \(slice.count) extents for \(shape.count) dimensions")
      }
      var starts: [Int] = []
      var lengths: [Int] = []
      for (extent, size) in zip(slice, shape) {
        // Start first: a hostile start near Int64.min must not overflow the subtraction.
        guard extent.start >= 0, extent.start <= Int64(size) else {
          throw bad("slice \(Self.describe(slice)) lies outside the shape \(entry.shape)")
        }
        let length = extent.length ?? Int64(size) - extent.start
        guard length >= 0, extent.start <= Int64(size) - length else {
          throw bad("slice \(Self.describe(slice)) lies outside the shape \(entry.shape)")
        }
        starts.append(Int(extent.start))
        lengths.append(Int(length))
      }
      guard let part = byKey[Self.sliceKey(entry.key, slice)] else {
        throw bad("slice \(Self.describe(slice)) has no entry in the index")
      }
      guard part.shape.map({ Int($0) }) == lengths, part.dtype.name == entry.dtype.name, !part.isSliced else {
        throw bad("slice \(Self.describe(slice)) is stored as \(part.dtype.name) \(part.shape)")
      }
      let bytes = try self.bytes(of: part)
      // Copy row by row: the innermost extent is contiguous in both.
      let rows = lengths.dropLast().reduce(1, *)
      let rowLength = lengths.last ?? 1
      var position = [Int](repeating: 0, count: max(shape.count - 1, 0))
      for row in 0..<(lengths.isEmpty ? 1 : rows) {
        var target = 0
        for axis in shape.indices {
          let coordinate = axis < position.count ? position[axis] + starts[axis] : starts[axis]
          target = target * shape[axis] + coordinate
        }
        for element in target..<(target + rowLength) {
          if covered[element] { throw bad("slice \(Self.describe(slice)) overlaps another slice") }
          covered[element] = true
        }
        coveredCount += rowLength
        let source = row * rowLength * elementSize
        output.replaceSubrange(
          (target * elementSize)..<((target + rowLength) * elementSize),
          with: bytes[source..<(source + rowLength * elementSize)])
        var axis = position.count - 1
        while axis >= 0 {
          position[axis] += 1
          if position[axis] < lengths[axis] { break }
          position[axis] = 0
          axis -= 1
        }
      }
    }
    guard coveredCount == count else {
      throw bad("its slices cover \(coveredCount) of its \(count) elements")
    }
    return output
  }

  private static func describe(_ slice: [SliceExtent]) -> String {
    slice.map { extent in extent.length.map { "\(extent.start):\(extent.start + $0)" } ?? "-" }.joined(separator: ",")
  }

  /// The index key of one slice of `name`, as TensorFlow encodes it (`EncodeTensorNameSlice`,
  /// in its `OrderedCode`): the number 0, the name as an escaped string, the number of
  /// dimensions, then each extent's start and length as signed numbers (a whole dimension is
  /// start 0, length -1).
  static func sliceKey(_ name: [UInt8], _ slice: [SliceExtent]) -> [UInt8] {
    var key = increasing(0)
    for byte in name {
      switch byte {
      case 0x00: key += [0x00, 0xFF]
      case 0xFF: key += [0xFF, 0x00]
      default: key.append(byte)
      }
    }
    key += [0x00, 0x01]
    key += increasing(UInt64(slice.count))
    for extent in slice {
      key += signedIncreasing(extent.start)
      key += signedIncreasing(extent.length ?? -1)
    }
    return key
  }

  /// `OrderedCode`'s unsigned number: a length byte, then the value's big-endian bytes without
  /// leading zeros.
  static func increasing(_ value: UInt64) -> [UInt8] {
    var bytes: [UInt8] = []
    var rest = value
    while rest > 0 {
      bytes.insert(UInt8(rest & 0xFF), at: 0)
      rest >>= 8
    }
    return [UInt8(bytes.count)] + bytes
  }

  /// `OrderedCode`'s signed number: the two's-complement value in the fewest bytes that hold
  /// its magnitude plus a sign bit per byte used, its leading bits flipped to a unary length
  /// header (1 byte: `10`, 2 bytes: `110`, …, 9 bytes: `11111111 1`, 10 bytes: `11111111 11`).
  static func signedIncreasing(_ value: Int64) -> [UInt8] {
    let magnitude = UInt64(bitPattern: value < 0 ? ~value : value)
    let bits = 64 - magnitude.leadingZeroBitCount
    let length = (bits + 7) / 7  // the fewest bytes with 7 * length - 1 >= bits
    let sign: UInt8 = value < 0 ? 0xFF : 0x00
    var buffer: [UInt8] = [sign, sign]
    withUnsafeBytes(of: value.bigEndian) { buffer += $0 }
    var encoded = Array(buffer[(10 - length)...])
    let headers: [(UInt8, UInt8)] = [
      (0x80, 0), (0xC0, 0), (0xE0, 0), (0xF0, 0), (0xF8, 0), (0xFC, 0), (0xFE, 0), (0xFF, 0), (0xFF, 0x80),
      (0xFF, 0xC0),
    ]
    encoded[0] ^= headers[length - 1].0
    if length > 1 { encoded[1] ^= headers[length - 1].1 }
    return encoded
  }

  /// Checks `bytes` (one tensor as stored) against the entry's CRC32C, following the per-dtype
  /// layout: raw bytes for numeric types, the length/CRC/payload layout for strings and variants.
  public static func checkCRC(_ entry: Entry, _ bytes: [UInt8], file: String) throws(FormatError) {
    let computed: UInt32
    do {
      if entry.dtype.isString {
        computed = try stringTensorCRC(bytes, count: entry.elementCount)
      } else if entry.dtype.isVariant {
        computed = try variantTensorCRC(bytes, count: entry.elementCount)
      } else {
        computed = CRC32C.checksum(bytes)
      }
    } catch let error as FormatError {
      throw FormatError(error.category, file: file, "tensor \"\(entry.name)\": \(error.problem)")
    } catch let error as ByteReader.OutOfBounds {
      throw FormatError(.corrupted, file: file, "tensor \"\(entry.name)\": \(error.what)")
    } catch {
      throw FormatError(.corrupted, file: file, "tensor \"\(entry.name)\": \(error)")
    }
    guard computed == entry.crc32c else {
      throw FormatError(
        .corrupted, file: file,
        "tensor \"\(entry.name)\" (bytes \(entry.offset)..<\(entry.offset + entry.size)): CRC32C mismatch (index says \(hex(entry.crc32c)), data gives \(hex(computed)))"
      )
    }
  }

  /// The strings of a `DT_STRING` tensor, after its CRC was checked.
  public func strings(of entry: Entry) throws(FormatError) -> [[UInt8]] {
    let url = shardURL(for: entry)
    guard entry.dtype.isString else {
      throw FormatError(
        .invalidArgument, file: url.path, "tensor \"\(entry.name)\" is \(entry.dtype.name), not DT_STRING")
    }
    let bytes = try self.bytes(of: entry)
    do {
      var reader = ByteReader(bytes)
      var lengths: [Int] = []
      for _ in 0..<entry.elementCount {
        // The CRC check bounded every length by the tensor's bytes; `Int(exactly:)` keeps a
        // length past `Int.max` an error even so.
        let length = try reader.varint64("string length")
        guard let count = Int(exactly: length) else {
          throw ByteReader.OutOfBounds(what: "string of \(length) bytes runs past the tensor's end")
        }
        lengths.append(count)
      }
      _ = try reader.uint32LE("length checksum")
      return try lengths.map { Array(try reader.take($0, "string")) }
    } catch {
      throw FormatError(.corrupted, file: url.path, "tensor \"\(entry.name)\": \(error)")
    }
  }

  /// CRC of a string tensor: lengths as fixed-width integers, the stored length checksum, then
  /// the string bytes. Also checks the length checksum and the total size.
  static func stringTensorCRC(_ bytes: [UInt8], count: Int64) throws -> UInt32 {
    var reader = ByteReader(bytes)
    var lengthsCRC = CRC32C()
    var lengths: [UInt64] = []
    lengths.reserveCapacity(Int(min(count, 1 << 20)))
    for _ in 0..<count {
      let length = try reader.varint64("string length")
      lengths.append(length)
      appendFixedWidth(length, to: &lengthsCRC)
    }
    let storedLengthsCRC = try reader.uint32LE("string length checksum")
    guard CRC32C.unmask(storedLengthsCRC) == lengthsCRC.value else {
      throw FormatError(.corrupted, file: "", "string lengths checksum mismatch")
    }
    var crc = lengthsCRC
    withUnsafeBytes(of: storedLengthsCRC.littleEndian) { crc.update($0) }
    for length in lengths {
      guard length <= UInt64(reader.remaining) else {
        throw ByteReader.OutOfBounds(what: "string of \(length) bytes runs past the tensor's end")
      }
      let piece = try reader.take(Int(length), "string")
      piece.withUnsafeBytes { crc.update($0) }
    }
    guard reader.isAtEnd else {
      throw ByteReader.OutOfBounds(what: "\(reader.remaining) stray bytes after the last string")
    }
    return crc.value
  }

  /// CRC of a variant tensor: per element, the length as uint64, the payload and a masked
  /// running checksum that the next element's CRC also covers.
  static func variantTensorCRC(_ bytes: [UInt8], count: Int64) throws -> UInt32 {
    var reader = ByteReader(bytes)
    var crc = CRC32C()
    for _ in 0..<count {
      let length = try reader.varint64("variant length")
      withUnsafeBytes(of: length.littleEndian) { crc.update($0) }
      guard length <= UInt64(reader.remaining) else {
        throw ByteReader.OutOfBounds(what: "variant of \(length) bytes runs past the tensor's end")
      }
      let payload = try reader.take(Int(length), "variant")
      payload.withUnsafeBytes { crc.update($0) }
      let stored = try reader.uint32LE("variant checksum")
      guard CRC32C.unmask(stored) == crc.value else {
        throw FormatError(.corrupted, file: "", "variant element checksum mismatch")
      }
      withUnsafeBytes(of: stored.littleEndian) { crc.update($0) }
    }
    return crc.value
  }

  private static func appendFixedWidth(_ length: UInt64, to crc: inout CRC32C) {
    if length <= UInt64(UInt32.max) {
      withUnsafeBytes(of: UInt32(length).littleEndian) { crc.update($0) }
    } else {
      withUnsafeBytes(of: length.littleEndian) { crc.update($0) }
    }
  }
}
