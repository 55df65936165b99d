import Foundation
import NumPyFormat
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
