/// Conversions between `Float` and the two 16-bit float formats, done on bit patterns.
///
/// Narrowing rounds to nearest, ties to even, as Eigen's `half` and `bfloat16` do; NaN stays NaN
/// (quiet, sign kept) and overflow becomes infinity. Widening is exact.
///
/// Format reference: IEEE 754-2008 binary16; bfloat16 is the upper half of a binary32.
public enum HalfPrecision {
  /// The binary16 value with bit pattern `bits`, widened exactly to `Float`.
  public static func float(halfBits bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1f
    let mantissa = UInt32(bits & 0x3ff)
    if exponent == 0 {
      // Zero or subnormal: mantissa × 2^-24, exact in Float.
      let magnitude = Float(mantissa) * 0x1p-24
      return Float(bitPattern: magnitude.bitPattern | sign)
    }
    if exponent == 0x1f {
      return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
    }
    return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
  }

  /// The bit pattern of the binary16 value nearest to `value` (ties to even).
  public static func halfBits(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    let sign = UInt16(truncatingIfNeeded: bits >> 16) & 0x8000
    let exponent = Int((bits >> 23) & 0xff)
    var mantissa = bits & 0x7f_ffff
    if exponent == 0xff {
      if mantissa == 0 { return sign | 0x7c00 }
      return sign | 0x7e00 | UInt16(truncatingIfNeeded: mantissa >> 13)
    }
    let halfExponent = exponent - 127 + 15
    if halfExponent >= 0x1f { return sign | 0x7c00 }
    if halfExponent <= 0 {
      // Below 2^-25 everything rounds to zero, including exactly 2^-25 (a tie with even zero).
      if halfExponent < -10 { return sign }
      mantissa |= 0x80_0000
      let shift = UInt32(14 - halfExponent)
      var result = mantissa >> shift
      let remainder = mantissa & ((1 << shift) - 1)
      let halfway: UInt32 = 1 << (shift - 1)
      if remainder > halfway || (remainder == halfway && result & 1 == 1) { result += 1 }
      return sign | UInt16(truncatingIfNeeded: result)
    }
    var result = UInt32(halfExponent) << 10 | (mantissa >> 13)
    let remainder = mantissa & 0x1fff
    if remainder > 0x1000 || (remainder == 0x1000 && result & 1 == 1) {
      result += 1  // A carry out of the mantissa bumps the exponent, up to infinity.
    }
    return sign | UInt16(truncatingIfNeeded: result)
  }

  /// The bfloat16 value with bit pattern `bits`, widened exactly to `Float`.
  public static func float(bfloat16Bits bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
  }

  /// The bit pattern of the bfloat16 value nearest to `value` (ties to even).
  public static func bfloat16Bits(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) & 0x8000 | 0x7fc0 }
    let lsb = (bits >> 16) & 1
    return UInt16(truncatingIfNeeded: (bits &+ 0x7fff &+ lsb) >> 16)
  }
}
