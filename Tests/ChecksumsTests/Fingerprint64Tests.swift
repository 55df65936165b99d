import Checksums
import Foundation
import Testing

@Suite("FarmHash Fingerprint64")
struct Fingerprint64Tests {
  @Test("matches TensorFlow's published fingerprint test vectors")
  func tensorflowVectors() {
    let hello = Fingerprint64.hash("Hello")
    let world = Fingerprint64.hash("World")
    #expect(hello == 15_404_698_994_557_526_151)
    #expect(world == 18_308_117_990_299_812_472)
    #expect(Fingerprint64.concatenate(hello, world) == 16_877_292_868_973_613_377)
    #expect(Fingerprint64.concatenate(world, hello) == 7_158_413_233_176_775_252)
  }

  @Test(
    "matches the format reference's vectors for every length class",
    arguments: [
      ("", 0x9ae1_6a3b_2f90_404f as UInt64),
      ("a", 0xb345_4265_b6df_75e3),
      ("abc", 0x24a5_b3a0_74e7_f369),
      ("0123456789abcdef", 0x54b9_61e5_dc83_4067),
      ("The quick brown fox jumps over the lazy dog", 0xabbe_83f3_3b1b_5134),
    ])
  func stringVectors(input: String, expected: UInt64) {
    #expect(Fingerprint64.hash(input) == expected)
  }

  @Test("matches the reference's vectors for 100 and 1024 bytes")
  func longVectors() {
    let hundred = (0..<100).map { UInt8($0) }
    #expect(Fingerprint64.hash(hundred) == 4_395_248_839_964_844_437)
    let repeated = (0..<1024).map { UInt8($0 & 0xFF) }
    #expect(Fingerprint64.hash(repeated) == 9_752_253_228_281_922_824)
  }
}

@Suite("FarmHash Fingerprint64 against pyfarmhash")
struct Fingerprint64VectorFileTests {
  @Test("agrees with an independent FarmHash on lengths 0-299 and a few long inputs")
  func vectorFile() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Vectors/fingerprint64.txt")
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    var checked = 0
    for line in lines where !line.hasPrefix("#") {
      let fields = line.split(separator: " ")
      let length = try #require(Int(fields[0]))
      let expected = try #require(UInt64(fields[1]))
      let input = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ length) }
      #expect(Fingerprint64.hash(input) == expected, "length \(length)")
      checked += 1
    }
    #expect(checked == 304)
  }
}
