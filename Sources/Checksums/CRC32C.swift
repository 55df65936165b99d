import CChecksums
import Foundation

/// CRC-32C (Castagnoli), as TensorFlow's tensor bundles and LevelDB-style tables use it.
///
/// Reflected polynomial `0x82F63B78`, initial value and final XOR `0xFFFFFFFF`. Uses the CPU's
/// CRC32 instruction when it has one and a slicing-by-8 table otherwise; both give the same
/// values, and the tests run both.
///
/// Format reference: savedmodel-format.md §3.5.
public struct CRC32C: Sendable {
  /// The CRC of everything fed so far (finalized).
  public private(set) var value: UInt32 = 0

  public init() {}

  /// Extends the checksum over `bytes`.
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    value = CRC32C.extend(value, bytes)
  }

  /// Extends the checksum over the bytes of `collection`.
  public mutating func update<Bytes: ContiguousBytes>(_ bytes: Bytes) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// The CRC-32C of `bytes`.
  public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    extend(0, bytes)
  }

  /// The CRC-32C of `bytes`.
  public static func checksum<Bytes: ContiguousBytes>(_ bytes: Bytes) -> UInt32 {
    bytes.withUnsafeBytes { extend(0, $0) }
  }

  /// The CRC-32C of the concatenation of the bytes that gave `crc` and `bytes`.
  public static func extend(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
    if hasHardwareSupport, let base = bytes.baseAddress {
      return ~cchecksums_crc32c_hardware(~crc, base, bytes.count)
    }
    return extendInSoftware(crc, bytes)
  }

  /// The CRC-32C of A followed by B, from the CRCs of A and B and the length of B; lets the
  /// blocks of one tensor be checksummed in parallel.
  ///
  /// - Complexity: O(log lengthOfB).
  public static func combine(_ crcA: UInt32, _ crcB: UInt32, lengthOfB: Int) -> UInt32 {
    cchecksums_crc32c_combine(crcA, crcB, UInt64(lengthOfB))
  }

  /// Whether this process uses the CPU instruction.
  public static let hasHardwareSupport: Bool = cchecksums_has_hardware_crc32c() != 0

  /// The table-driven path, exposed so that tests and benchmarks can compare it with the CPU's.
  public static func extendInSoftware(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var state = ~crc
    var index = 0
    let count = bytes.count
    sliceTables.withUnsafeBufferPointer { table in
      while count - index >= 8 {
        let low = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self))
        let high = UInt32(
          littleEndian: bytes.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self))
        let word = state ^ low
        state =
          table[7 * 256 + Int(word & 0xFF)] ^ table[6 * 256 + Int((word >> 8) & 0xFF)]
          ^ table[5 * 256 + Int((word >> 16) & 0xFF)] ^ table[4 * 256 + Int(word >> 24)]
          ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
          ^ table[1 * 256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
        index += 8
      }
      while index < count {
        state = table[Int((state ^ UInt32(bytes[index])) & 0xFF)] ^ (state >> 8)
        index += 1
      }
    }
    return ~state
  }

  /// Eight 256-entry tables: table k maps a byte to its CRC contribution k bytes further on.
  private static let sliceTables: [UInt32] = {
    var tables = [UInt32](repeating: 0, count: 8 * 256)
    for byte in 0..<256 {
      var crc = UInt32(byte)
      for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0x82F6_3B78 : 0) }
      tables[byte] = crc
    }
    for k in 1..<8 {
      for byte in 0..<256 {
        let previous = tables[(k - 1) * 256 + byte]
        tables[k * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
      }
    }
    return tables
  }()
}

extension CRC32C {
  /// The constant LevelDB and TensorFlow add when masking a CRC.
  public static let maskDelta: UInt32 = 0xA282_EAD8

  /// Masks a CRC before it is stored next to the data it covers, so that a CRC of data that
  /// itself contains CRCs stays well distributed (LevelDB's `crc32c::Mask`).
  public static func mask(_ crc: UInt32) -> UInt32 {
    ((crc >> 15) | (crc << 17)) &+ maskDelta
  }

  /// Inverts `mask(_:)`.
  public static func unmask(_ masked: UInt32) -> UInt32 {
    let rotated = masked &- maskDelta
    return (rotated >> 17) | (rotated << 15)
  }
}
