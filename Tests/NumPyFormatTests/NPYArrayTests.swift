import Foundation
import Glibc
import NumPyFormat
import RegistryCore
import Testing

@Suite("NumPy .npy files")
struct NPYArrayTests {
  static let referenceFiles: [URL] = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures")
    var files: [URL] = []
    let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
    while let url = enumerator?.nextObject() as? URL {
      if url.pathExtension == "npy" { files.append(url) }
    }
    return files.sorted { $0.path < $1.path }
  }()

  @Test("every reference file NumPy wrote parses and re-encodes to the same bytes")
  func numpyWrittenFiles() throws {
    #expect(Self.referenceFiles.count >= 20)
    for url in Self.referenceFiles {
      let bytes = [UInt8](try Data(contentsOf: url))
      let array = try NPYArray(npy: bytes)
      #expect(array.npyBytes() == bytes, "\(url.lastPathComponent)")
    }
  }

  @Test("scalars, vectors, bytes and unicode strings round-trip")
  func shapesAndKinds() throws {
    let scalar = try NPYArray(descr: "<f4", shape: [], data: [0, 0, 128, 63])
    #expect(try NPYArray(npy: scalar.npyBytes()) == scalar)
    #expect(String(decoding: scalar.npyBytes(), as: UTF8.self).contains("'shape': ()"))
    let vector = try NPYArray(descr: "<i8", shape: [2], data: [UInt8](repeating: 1, count: 16))
    #expect(String(decoding: vector.npyBytes(), as: UTF8.self).contains("'shape': (2,)"))
    let strings = try NPYArray(descr: "|S3", shape: [2], data: Array("abcde\0".utf8))
    #expect(try NPYArray(npy: strings.npyBytes()) == strings)
    #expect(NPYArray.itemSize("<U3") == 12)
    #expect(strings.npyBytes().count % 64 == 6)
  }

  /// A version 1.0 file with this header text and no data.
  static func file(header: String) -> [UInt8] {
    let body = Array(header.utf8)
    return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(body.count & 0xFF), UInt8(body.count >> 8)] + body
  }

  @Test("bad files are refused with a reason")
  func refused() {
    let cases: [([UInt8], String)] = [
      (Array("not numpy at all".utf8), "bad magic"),
      (Self.file(header: "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"), "unsupported dtype"),
      (Self.file(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }"), "Fortran"),
      (Self.file(header: "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }") + [0, 0, 0, 0], "big-endian"),
      (
        Array(Self.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }").dropLast(5)),
        "past the end"
      ),
      (
        Self.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }") + [0, 0, 0, 0],
        "needs 2 x 4 bytes"
      ),
    ]
    for (bytes, reason) in cases {
      do {
        _ = try NPYArray(npy: bytes)
        Issue.record("accepted a file that should fail with \(reason)")
      } catch {
        #expect(error.message.contains(reason), "\(error.message)")
      }
    }
  }

  @Test("data whose size does not match the shape is refused")
  func sizeMismatch() {
    #expect(throws: NPYError.self) { _ = try NPYArray(descr: "<f4", shape: [3], data: [0, 0, 0, 0]) }
  }
}

/// Headers and files crafted to trap, exhaust memory or slip past NumPy's own rules: each is
/// refused with a category, never a crash or an allocation sized by the header.
@Suite("Hostile .npy files")
struct HostileNPYTests {
  static func file(header: String) -> [UInt8] { NPYArrayTests.file(header: header) }

  func expectRefused(
    _ bytes: [UInt8], _ categories: Set<ErrorCategory>, mentioning words: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    do {
      _ = try NPYArray(npy: bytes)
      Issue.record("accepted a file that should fail with \(words)", sourceLocation: sourceLocation)
    } catch {
      #expect(categories.contains(error.category), "\(error)", sourceLocation: sourceLocation)
      #expect(error.message.contains(words), "\(error)", sourceLocation: sourceLocation)
    }
  }

  @Test("zero-width strings with 10^12 elements are refused, not a 10^12-element tensor", arguments: ["|S0", "<U0"])
  func zeroWidthStrings(descr: String) {
    expectRefused(
      Self.file(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (1000000000000,), }"),
      [.resourceExhausted], mentioning: "TENSOR_ELEMENTS")
    #expect(throws: NPYError.self) { _ = try NPYArray(descr: descr, shape: [1_000_000_000_000], data: []) }
  }

  @Test("a unicode item size that overflows is refused, not a trap")
  func itemSizeOverflow() {
    #expect(NPYArray.itemSize("<U4611686018427387904") == nil)
    #expect(NPYArray.itemSize("|S9223372036854775807") == 9_223_372_036_854_775_807)
    expectRefused(
      Self.file(header: "{'descr': '<U4611686018427387904', 'fortran_order': False, 'shape': (1,), }"),
      [.invalidArgument], mentioning: "'<U4611686018427387904'")
    expectRefused(
      Self.file(header: "{'descr': '|S9223372036854775807', 'fortran_order': False, 'shape': (2,), }"),
      [.resourceExhausted], mentioning: "TENSOR_BYTES")
  }

  @Test(
    "a header dict must hold exactly descr, fortran_order and shape, as NumPy requires",
    arguments: [
      ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1, }", "'extra'"),
      ("{'descr': '<f4', 'fortran_order': False, }", "'shape'"),
      ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "twice"),
      ("{'descr': '<f4', 'fortran_order': Falsey, 'shape': (1,), }", "fortran_order"),
      ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } trailing", "after"),
      ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 'shape'}", "'x'"),
    ])
  func exactKeys(header: String, words: String) {
    expectRefused(Self.file(header: header) + [0, 0, 0, 0], [.invalidArgument], mentioning: words)
  }

  @Test("headers NumPy writes still parse: any key order, double quotes, Python 2 longs, no trailing comma")
  func validHeaders() throws {
    for header in [
      "{'shape': (1,), 'fortran_order': False, 'descr': '<f4'}",
      "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1L,)}",
      "{'descr':'<f4','fortran_order':False,'shape':(1,),}   \n",
    ] {
      let array = try NPYArray(npy: Self.file(header: header) + [0, 0, 128, 63])
      #expect(array.shape == [1], "\(header)")
    }
  }

  /// Writes `bytes`, then extends the file to `size` with a hole.
  func sparseFile(_ bytes: [UInt8], size: UInt64) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).npy")
    try Data(bytes).write(to: url)
    let handle = try FileHandle(forWritingTo: url)
    try handle.truncate(atOffset: size)
    try handle.close()
    return url
  }

  func expectRefused(
    _ url: URL, _ category: ErrorCategory, mentioning words: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    defer { try? FileManager.default.removeItem(at: url) }
    do {
      _ = try NPYArray(contentsOf: url)
      Issue.record("read a file that should fail with \(words)", sourceLocation: sourceLocation)
    } catch {
      #expect(error.category == category, "\(error)", sourceLocation: sourceLocation)
      #expect(error.message.contains(url.path), "\(error)", sourceLocation: sourceLocation)
      #expect(error.message.contains(words), "\(error)", sourceLocation: sourceLocation)
    }
  }

  @Test("a sparse 3 GB file whose header describes 4 bytes is refused before its data is read")
  func sparseMismatch() throws {
    let header = NPYArrayTests.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")
    let size: UInt64 = 3 << 30
    expectRefused(
      try sparseFile(header, size: size), .invalidArgument,
      mentioning: "the data has \(size - UInt64(header.count)) bytes")
  }

  @Test("a sparse file past INPUT_FILE_BYTES is resource_exhausted before anything is read")
  func sparseOverLimit() throws {
    let header = NPYArrayTests.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")
    let size = UInt64(Limits.current.inputFileBytes) + 1
    expectRefused(try sparseFile(header, size: size), .resourceExhausted, mentioning: "INPUT_FILE_BYTES")
  }

  @Test("a header claiming 10^12 floats is resource_exhausted before the data is read")
  func hugeShape() throws {
    let header = NPYArrayTests.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }")
    expectRefused(try sparseFile(header, size: 3 << 30), .resourceExhausted, mentioning: "TENSOR_ELEMENTS")
  }

  @Test("a header length past HEADER_BYTES is resource_exhausted")
  func hugeHeader() throws {
    let length = UInt32(Limits.current.headerBytes) + 1
    let prefix: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0] + (0..<4).map { UInt8(length >> (8 * $0) & 0xFF) }
    expectRefused(prefix + Array("{'descr'".utf8), [.resourceExhausted], mentioning: "HEADER_BYTES")
    expectRefused(try sparseFile(prefix, size: 3 << 30), .resourceExhausted, mentioning: "HEADER_BYTES")
  }

  @Test("a FIFO is refused, not waited on")
  func fifo() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).npy")
    #expect(mkfifo(url.path, 0o644) == 0)
    expectRefused(url, .invalidArgument, mentioning: "not a regular file")
  }

  @Test("a valid file reads through the checked path")
  func validFile() throws {
    let array = try NPYArray(descr: "<f4", shape: [2, 3], data: (0..<24).map { UInt8($0) })
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("valid-\(UUID().uuidString).npy")
    defer { try? FileManager.default.removeItem(at: url) }
    try Data(array.npyBytes()).write(to: url)
    #expect(try NPYArray(contentsOf: url) == array)
  }
}
