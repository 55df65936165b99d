import RegistryTestSupport
import Testing

@testable import TensorKernels

@Suite("float16 and bfloat16 conversions")
struct HalfPrecisionTests {
  @Test("every binary16 bit pattern widens exactly as Swift's Float16 does")
  func halfWideningIsExhaustivelyExact() {
    var mismatches = 0
    for bits in 0...UInt16.max {
      let ours = HalfPrecision.float(halfBits: bits)
      let swift = Float(Float16(bitPattern: bits))
      if swift.isNaN ? !ours.isNaN : ours.bitPattern != swift.bitPattern { mismatches += 1 }
    }
    #expect(mismatches == 0)
  }

  @Test("every binary16 value survives float16 → float32 → float16 unchanged")
  func halfRoundTrip() {
    var mismatches = 0
    for bits in 0...UInt16.max {
      let back = HalfPrecision.halfBits(HalfPrecision.float(halfBits: bits))
      let isNaN = bits & 0x7c00 == 0x7c00 && bits & 0x3ff != 0
      if isNaN ? (back & 0x7c00 != 0x7c00 || back & 0x3ff == 0) : back != bits { mismatches += 1 }
    }
    #expect(mismatches == 0)
  }

  @Test("narrowing to binary16 rounds like Swift's Float16 on random and edge values")
  func halfNarrowingMatchesSwift() {
    var generator = SeededGenerator(seed: 16)
    var values: [Float] = [
      0, -0, 1, 65504, 65519.99, 65520, 1e10, -1e10, .infinity, -.infinity,
      0x1p-24, 0x1p-25, 0x1.000002p-25, 0x1p-26, 0x1.8p-24, 0x1.4p-24, 5.9604645e-8, 6.1035156e-5,
      1.0009766, 1.00048828125, 1.00146484375, 0.33333334,
    ]
    for _ in 0..<200_000 {
      values.append(Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator)))
    }
    var mismatches = 0
    for value in values where !value.isNaN {
      if HalfPrecision.halfBits(value) != Float16(value).bitPattern { mismatches += 1 }
    }
    #expect(mismatches == 0)
  }

  @Test("NaN stays a quiet NaN with its sign in both formats")
  func nanHandling() {
    let half = HalfPrecision.halfBits(-Float.nan)
    #expect(half & 0x8000 != 0)
    #expect(HalfPrecision.float(halfBits: half).isNaN)
    let bfloat = HalfPrecision.bfloat16Bits(Float.nan)
    #expect(bfloat == 0x7fc0)
    #expect(HalfPrecision.bfloat16Bits(-Float.nan) == 0xffc0)
    #expect(HalfPrecision.float(bfloat16Bits: 0x7fc0).isNaN)
  }

  @Test("bfloat16 rounds to nearest with ties to even and overflows to infinity")
  func bfloat16Rounding() {
    // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties to the even mantissa, 1.
    #expect(HalfPrecision.bfloat16Bits(1 + 0x1p-8) == 0x3f80)
    // 1 + 3·2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: ties to even, 1 + 2^-6.
    #expect(HalfPrecision.bfloat16Bits(1 + 3 * 0x1p-8) == 0x3f82)
    // Just above halfway rounds up.
    #expect(HalfPrecision.bfloat16Bits(1 + 0x1p-8 + 0x1p-20) == 0x3f81)
    #expect(HalfPrecision.bfloat16Bits(Float.greatestFiniteMagnitude) == 0x7f80)
    #expect(HalfPrecision.bfloat16Bits(-2.5) == 0xc020)
  }

  @Test("every bfloat16 value survives bfloat16 → float32 → bfloat16 unchanged")
  func bfloat16RoundTrip() {
    var mismatches = 0
    for bits in 0...UInt16.max {
      let value = HalfPrecision.float(bfloat16Bits: bits)
      if value.isNaN { continue }
      if HalfPrecision.bfloat16Bits(value) != bits { mismatches += 1 }
    }
    #expect(mismatches == 0)
  }

  @Test("tensors built from floats store the rounded 16-bit values")
  func tensorStorage() throws {
    let half = Tensor(float16: [0.1, 70000, 1.0009766], shape: [3])
    #expect(try half.floats() == [Float(Float16(0.1)), .infinity, 1.0009766])
    #expect(try half.rawBytes() == [0x66, 0x2e, 0x00, 0x7c, 0x01, 0x3c])
    let bfloat = Tensor(bfloat16: [3.14159], shape: [1])
    #expect(try bfloat.floats() == [3.140625])
  }
}
