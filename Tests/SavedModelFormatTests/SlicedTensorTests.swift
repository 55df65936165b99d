import Checksums
import Foundation
import RegistryCore
import RegistryTestSupport
import TFProto
import Testing

@testable import SavedModelFormat

/// Partitioned (sliced) checkpoint tensors: the full tensor's entry lists its slices, each slice
/// is an entry under TensorFlow's encoded slice key, and `bytes(of:)` puts them together.
@Suite("sliced checkpoint tensors")
struct SlicedTensorTests {
  static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

  @Test("slice keys are encoded as TensorFlow's OrderedCode writes them")
  func keyEncoding() {
    // Written by TensorFlow 2.21: SaveV2 of "big" with shape_and_slices "10 20000 -:19800,200".
    let key = TensorBundle.sliceKey(
      Array("big".utf8), [.init(start: 0, length: nil), .init(start: 19800, length: 200)])
    #expect(Self.hex(key) == "0062696700010102807fe04d58c0c8")
    // From the sharded_slices fixture's index: layer2/w rows 8..<12, all 16 columns.
    let fixture = TensorBundle.sliceKey(
      Array("layer2/w/.ATTRIBUTES/VARIABLE_VALUE".utf8), [.init(start: 8, length: 4), .init(start: 0, length: 16)])
    #expect(Self.hex(fixture).hasSuffix("0001010288848090"))
    #expect(TensorBundle.signedIncreasing(-1) == [0x7F])
    #expect(TensorBundle.signedIncreasing(63) == [0xBF])
    #expect(TensorBundle.signedIncreasing(64) == [0xC0, 0x40])
    #expect(TensorBundle.signedIncreasing(-65) == [0x3F, 0xBF])
    #expect(TensorBundle.signedIncreasing(.max).count == 10)
    #expect(TensorBundle.signedIncreasing(.min).count == 10)
    #expect(TensorBundle.increasing(0) == [0])
    #expect(TensorBundle.increasing(0x1234) == [2, 0x12, 0x34])
    // 0x00 and 0xFF in a name are escaped.
    #expect(Self.hex(TensorBundle.sliceKey([0x00, 0xFF], [])) == "0000ffff00000100")
  }

  @Test("every partitioned tensor of the sharded_slices fixture assembles from its slices")
  func fixture() throws {
    let bundle = try TensorBundle(
      prefix: Fixtures.model("sharded_slices").appendingPathComponent("variables/variables"))
    let sliced = bundle.entries.filter(\.isSliced)
    #expect(!sliced.isEmpty, "the fixture has no partitioned tensor")
    for entry in sliced {
      let bytes = try bundle.bytes(of: entry)
      #expect(Int64(bytes.count) == entry.elementCount * 4, "\(entry.name)")
    }
  }

  /// A bundle of one float32 tensor `w` of shape [2, 2] stored as the given slices, each holding
  /// its rows of [[1, 2], [3, 4]].
  static func bundle(_ slices: [[TensorBundle.SliceExtent]], rows: [[Float]]) throws -> TensorBundle {
    let root = try makeTemporaryDirectory("sliced-bundle")
    var header = Tensorflow_BundleHeaderProto()
    header.numShards = 1
    func entry(_ shape: [Int64]) -> Tensorflow_BundleEntryProto {
      var entry = Tensorflow_BundleEntryProto()
      entry.dtype = .dtFloat
      entry.shape.dim = shape.map { size in
        var dimension = Tensorflow_TensorShapeProto.Dim()
        dimension.size = size
        return dimension
      }
      return entry
    }
    var full = entry([2, 2])
    full.slices = slices.map { slice in
      var proto = Tensorflow_TensorSliceProto()
      proto.extent = slice.map { extent in
        var value = Tensorflow_TensorSliceProto.Extent()
        value.start = extent.start
        if let length = extent.length { value.length = length }
        return value
      }
      return proto
    }
    var data: [UInt8] = []
    var parts: [(key: [UInt8], value: [UInt8])] = []
    for (slice, values) in zip(slices, rows) {
      var part = entry(slice.map { $0.length ?? 2 })
      let bytes = values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
      part.offset = Int64(data.count)
      part.size = Int64(bytes.count)
      part.crc32C = CRC32C.mask(CRC32C.checksum(bytes))
      data += bytes
      parts.append((TensorBundle.sliceKey(Array("w".utf8), slice), part.encodedBytes()))
    }
    var builder = TableBuilder()
    builder.entries =
      [([], header.encodedBytes())] + parts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
      + [(Array("w".utf8), full.encodedBytes())]
    try Data(builder.build()).write(to: root.appendingPathComponent("variables.index"))
    try Data(data).write(to: root.appendingPathComponent("variables.data-00000-of-00001"))
    return try TensorBundle(prefix: root.appendingPathComponent("variables"))
  }

  static func floats(_ bytes: [UInt8]) -> [Float] {
    stride(from: 0, to: bytes.count, by: 4).map { offset in
      Float(
        bitPattern: bytes[offset..<(offset + 4)].enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * $1.offset) })
    }
  }

  @Test("rows and columns put together in place, whole dimensions included")
  func assembles() throws {
    let byRows = try Self.bundle(
      [
        [.init(start: 1, length: 1), .init(start: 0, length: nil)],
        [.init(start: 0, length: 1), .init(start: 0, length: nil)],
      ],
      rows: [[3, 4], [1, 2]])
    let w = try #require(byRows.entry(named: "w"))
    #expect(Self.floats(try byRows.bytes(of: w)) == [1, 2, 3, 4])
    let byColumns = try Self.bundle(
      [
        [.init(start: 0, length: 2), .init(start: 0, length: 1)],
        [.init(start: 0, length: 2), .init(start: 1, length: 1)],
      ],
      rows: [[1, 3], [2, 4]])
    #expect(Self.floats(try byColumns.bytes(of: try #require(byColumns.entry(named: "w")))) == [1, 2, 3, 4])
  }

  @Test("a missing, overlapping, outside or incomplete slice is corrupted input")
  func refusesBadSlices() throws {
    let half = [TensorBundle.SliceExtent(start: 0, length: 1), .init(start: 0, length: nil)]
    let cases: [([[TensorBundle.SliceExtent]], [[Float]], String)] = [
      ([half], [[1, 2]], "cover 2 of its 4"),
      ([[.init(start: 0, length: 2), .init(start: 0, length: 1)], half], [[1, 3], [1, 2]], "overlaps"),
      ([[.init(start: 1, length: 2), .init(start: 0, length: nil)]], [[1, 2, 3, 4]], "outside"),
      ([[.init(start: 0, length: 2)]], [[1, 2]], "extents"),
      ([[.init(start: .min, length: nil), .init(start: 0, length: nil)]], [[1, 2, 3, 4]], "outside"),
    ]
    for (slices, rows, words) in cases {
      let bundle = try Self.bundle(slices, rows: rows)
      let w = try #require(bundle.entry(named: "w"))
      do {
        _ = try bundle.bytes(of: w)
        Issue.record("\(slices) assembled")
      } catch {
        #expect(error.category == .corrupted, "\(error)")
        #expect(error.message.contains(words), "\(error)")
      }
    }
  }
}
