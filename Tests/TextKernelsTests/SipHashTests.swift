import Testing

@testable import TextKernels

/// SipHash-2-4 against the reference implementation's vectors (key 00…0f, message 00…n-1); the
/// op is checked against TensorFlow in InferenceTests.
@Suite("SipHash-2-4")
struct SipHashTests {
  @Test("the reference vectors for lengths 0, 1, 7, 8, 15 and 63")
  func referenceVectors() {
    let key0: UInt64 = 0x0706_0504_0302_0100
    let key1: UInt64 = 0x0F0E_0D0C_0B0A_0908
    let expected: [Int: UInt64] = [
      0: 0x726F_DB47_DD0E_0E31, 1: 0x74F8_39C5_93DC_67FD, 7: 0xAB02_00F5_8B01_D137, 8: 0x93F5_F579_9A93_2462,
      15: 0xA129_CA61_49BE_45E5, 63: 0x958A_324C_EB06_4572,
    ]
    for (length, hash) in expected {
      #expect(SipHash.hash((0..<length).map { UInt8($0) }, key0: key0, key1: key1) == hash, "length \(length)")
    }
  }
}
