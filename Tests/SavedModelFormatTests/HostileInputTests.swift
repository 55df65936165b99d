import Foundation
import RegistryCore
import RegistryTestSupport
import SavedModelFormat
import TFProto
import Testing

/// Input crafted to crash, exhaust or hang a reader: each must end in a clear `FormatError` with
/// the documented category, never a trap or an allocation sized by the input.
@Suite("Hostile input is refused cleanly")
struct HostileInputTests {
  /// A `variables/` directory whose index holds the bundle header and `entry`, beside an empty shard.
  static func bundle(_ entry: Tensorflow_BundleEntryProto, key: String = "w") throws -> URL {
    let root = try makeTemporaryDirectory("hostile-bundle")
    var header = Tensorflow_BundleHeaderProto()
    header.numShards = 1
    var builder = TableBuilder()
    builder.entries = [([], header.encodedBytes()), (Array(key.utf8), entry.encodedBytes())]
    try Data(builder.build()).write(to: root.appendingPathComponent("variables.index"))
    try Data().write(to: root.appendingPathComponent("variables.data-00000-of-00001"))
    return root.appendingPathComponent("variables")
  }

  static func entry(_ dtype: Tensorflow_DataType, shape: [Int64], size: Int64 = 0) -> Tensorflow_BundleEntryProto {
    var entry = Tensorflow_BundleEntryProto()
    entry.dtype = dtype
    entry.shape.dim = shape.map { size in
      var dimension = Tensorflow_TensorShapeProto.Dim()
      dimension.size = size
      return dimension
    }
    entry.size = size
    return entry
  }

  private func expectError(
    _ category: ErrorCategory, mentioning words: [String], _ body: () throws -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    do {
      try body()
      Issue.record("expected a \(category) error", sourceLocation: sourceLocation)
    } catch let error as FormatError {
      #expect(error.category == category, "\(error)", sourceLocation: sourceLocation)
      for word in words {
        #expect(error.message.contains(word), "\(error)", sourceLocation: sourceLocation)
      }
    } catch {
      Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
    }
  }

  @Test(
    "a shape of [2^32, 2^32] is corrupted, not an overflow trap, for fixed-size, string and variant tensors",
    arguments: [Tensorflow_DataType.dtFloat, .dtString, .dtVariant])
  func overflowingShape(dtype: Tensorflow_DataType) throws {
    let prefix = try Self.bundle(Self.entry(dtype, shape: [1 << 32, 1 << 32]))
    expectError(.corrupted, mentioning: ["variables.index", "\"w\"", "4294967296"]) {
      let bundle = try TensorBundle(prefix: prefix)
      // Had the bundle opened, reading the tensor must not trap either.
      for entry in bundle.entries { _ = try bundle.bytes(of: entry) }
    }
  }

  @Test(
    "a string or variant tensor with more elements than its bytes can hold is corrupted",
    arguments: [Tensorflow_DataType.dtString, .dtVariant])
  func moreElementsThanBytes(dtype: Tensorflow_DataType) throws {
    let prefix = try Self.bundle(Self.entry(dtype, shape: [1 << 40]))
    expectError(.corrupted, mentioning: ["variables.index", "\"w\"", "1099511627776"]) {
      let bundle = try TensorBundle(prefix: prefix)
      for entry in bundle.entries { _ = try bundle.bytes(of: entry) }
    }
  }

  @Test("a table of 48 to 52 bytes holding only a footer is corrupted, not an underflow trap", arguments: 48...52)
  func footerOnlyTable(length: Int) {
    // Metaindex and index handles (0, 0), then padding and the magic.
    var bytes = [UInt8](repeating: 0, count: length - 48) + [0, 0, 0, 0]
    bytes += [UInt8](repeating: 0, count: length - 8 - bytes.count)
    bytes += TableBuilder.le32(0x8b80_fb57) + TableBuilder.le32(0xdb47_7524)
    #expect(bytes.count == length)
    expectError(.corrupted, mentioning: ["t.index", "past the end"]) {
      _ = try LevelDBTable(bytes: bytes, file: "t.index")
    }
  }

  /// Turns a file of a scratch copy of the fixture into a sparse file of `size` bytes (its
  /// first bytes kept, the rest a hole that costs no disk).
  static func sparse(_ path: String, size: UInt64) throws -> URL {
    let copy = try Fixtures.scratchCopy(BadInputTests.fixture)
    let handle = try FileHandle(forWritingTo: copy.appendingPathComponent(path))
    try handle.truncate(atOffset: size)
    try handle.close()
    return copy
  }

  @Test(
    "a sparse 3 GB graph, index or fingerprint is resource_exhausted, naming the file, before it is read",
    arguments: ["saved_model.pb", "variables/variables.index", "fingerprint.pb"])
  func sparseFile(path: String) throws {
    let copy = try Self.sparse(path, size: 3 << 30)
    expectError(.resourceExhausted, mentioning: [path, "3221225472", "FILE_BYTES"]) {
      let directory = try SavedModelDirectory(url: copy)
      _ = try SavedModelInspection(directory)
    }
  }

  @Test("a tensor past TENSOR_BYTES in a sparse shard is resource_exhausted before its bytes are read")
  func sparseShard() throws {
    let size = Limits.current.tensorBytes + 1
    let prefix = try Self.bundle(Self.entry(.dtString, shape: [1], size: size))
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: prefix.path + ".data-00000-of-00001"))
    try handle.truncate(atOffset: UInt64(size))
    try handle.close()
    let bundle = try TensorBundle(prefix: prefix)
    let entry = try #require(bundle.entries.first)
    expectError(.resourceExhausted, mentioning: ["\"w\"", "TENSOR_BYTES"]) { _ = try bundle.bytes(of: entry) }
    expectError(.resourceExhausted, mentioning: ["\"w\"", "TENSOR_BYTES"]) { _ = try bundle.strings(of: entry) }
  }

  /// Whether this machine has a tmpfs at /dev/shm, which allows sparse files of 2^62 bytes
  /// (ext4 stops at 16 TiB), so that sums of two file sizes overflow 64 bits.
  static let hugeSparseFiles: Bool = {
    let path = "/dev/shm/registry-probe-\(UUID().uuidString)"
    guard FileManager.default.createFile(atPath: path, contents: nil) else { return false }
    defer { try? FileManager.default.removeItem(atPath: path) }
    guard let handle = FileHandle(forWritingAtPath: path) else { return false }
    defer { try? handle.close() }
    return (try? handle.truncate(atOffset: 1 << 62)) != nil
  }()

  static func makeSparse(_ path: String, size: UInt64) throws {
    FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.truncate(atOffset: size)
    try handle.close()
  }

  @Test(
    "files and shards of 2^62 bytes (sparse, on tmpfs) add up to Int64.max in inspect and verify, not an overflow trap",
    .enabled(if: hugeSparseFiles))
  func hugeSparseSums() throws {
    let root = URL(fileURLWithPath: "/dev/shm/registry-huge-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.copyItem(at: Fixtures.model(BadInputTests.fixture), to: root)
    for name in ["huge-1", "huge-2"] { try Self.makeSparse(root.appendingPathComponent(name).path, size: 1 << 62) }
    // A bundle of two empty shards of 2^62 bytes each.
    var header = Tensorflow_BundleHeaderProto()
    header.numShards = 2
    var builder = TableBuilder()
    builder.entries = [([], header.encodedBytes())]
    let variables = root.appendingPathComponent("variables")
    try FileManager.default.removeItem(at: variables)
    try FileManager.default.createDirectory(at: variables, withIntermediateDirectories: false)
    try Data(builder.build()).write(to: variables.appendingPathComponent("variables.index"))
    for shard in 0..<2 {
      try Self.makeSparse(
        variables.appendingPathComponent(TensorBundle.shardPath("variables", shard: shard, of: 2)).path, size: 1 << 62)
    }
    let inspection = try SavedModelInspection(try SavedModelDirectory(url: root))
    #expect(inspection.totalBytes == .max)
    #expect(inspection.variableBytes == 0)
    let report = SavedModelVerifier.verify(root)
    #expect(report.unreferencedShardBytes == .max)
  }

  @Test(
    "variables of 2^62 bytes each, overlapping in one sparse shard on tmpfs, add up to Int64.max, not an overflow trap",
    .enabled(if: hugeSparseFiles))
  func hugeOverlappingVariables() throws {
    let root = URL(fileURLWithPath: "/dev/shm/registry-huge-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.copyItem(at: Fixtures.model(BadInputTests.fixture), to: root)
    var header = Tensorflow_BundleHeaderProto()
    header.numShards = 1
    var builder = TableBuilder()
    builder.entries = [([], header.encodedBytes())]
    for key in ["a", "b"] {
      builder.entries.append((Array(key.utf8), Self.entry(.dtString, shape: [1], size: 1 << 62).encodedBytes()))
    }
    let variables = root.appendingPathComponent("variables")
    try Data(builder.build()).write(to: variables.appendingPathComponent("variables.index"))
    try Self.makeSparse(variables.appendingPathComponent("variables.data-00000-of-00001").path, size: 1 << 62)
    let inspection = try SavedModelInspection(try SavedModelDirectory(url: root))
    #expect(inspection.variables.map(\.bytes) == [1 << 62, 1 << 62])
    #expect(inspection.variableBytes == .max)
  }
}
