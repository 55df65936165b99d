import Checksums
import Foundation
import RegistryTestSupport
import Testing

@Suite("CRC32C")
struct CRC32CTests {
  @Test("matches the published check value and its masked form")
  func checkValue() {
    let bytes = Array("123456789".utf8)
    #expect(CRC32C.checksum(bytes) == 0xE306_9283)
    #expect(CRC32C.mask(0xE306_9283) == 0xC78A_B0E5)
    #expect(CRC32C.unmask(0xC78A_B0E5) == 0xE306_9283)
    #expect(CRC32C.mask(0) == 0xA282_EAD8)
  }

  @Test("matches the RFC 3720 (iSCSI) vectors")
  func iscsiVectors() {
    #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
  }

  @Test("hardware and table paths agree on every length and alignment")
  func hardwareMatchesSoftware() {
    var generator = SeededGenerator(seed: 7)
    // Lengths around the 3 x 4096-byte interleaved block and the 8-byte word.
    let bytes = (0..<40_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    let lengths = Array(0..<70) + [4095, 4096, 12_287, 12_288, 12_289, 12_295, 24_577, 39_990]
    bytes.withUnsafeBytes { all in
      for offset in 0..<9 {
        for length in lengths where offset + length <= all.count {
          let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
          #expect(CRC32C.extend(0, slice) == CRC32C.extendInSoftware(0, slice))
        }
      }
    }
  }

  @Test("extending over pieces equals one pass over the whole")
  func incremental() {
    let bytes = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    var crc = CRC32C()
    crc.update(Array(bytes[0..<3]))
    crc.update(Array(bytes[3..<13_000]))
    crc.update(Array(bytes[13_000...]))
    #expect(crc.value == CRC32C.checksum(bytes))
  }
}

extension CRC32CTests {
  @Test("combining the CRCs of two pieces equals the CRC of the whole")
  func combine() {
    var generator = SeededGenerator(seed: 11)
    let bytes = (0..<50_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    for split in [0, 1, 7, 4096, 12_288, 33_333, 50_000] {
      let a = CRC32C.checksum(Array(bytes[..<split]))
      let b = CRC32C.checksum(Array(bytes[split...]))
      #expect(CRC32C.combine(a, b, lengthOfB: bytes.count - split) == CRC32C.checksum(bytes), "split \(split)")
    }
  }
}
