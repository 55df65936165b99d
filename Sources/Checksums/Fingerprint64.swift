import Foundation

/// FarmHash `Fingerprint64` (the `farmhashna::Hash64` variant), which TensorFlow calls
/// `tsl::Fingerprint64` and uses for every hash in `fingerprint.pb`.
///
/// Stable across platforms and releases by design, unlike `farmhash::Hash64`, which picks a
/// platform-specific variant for long inputs.
///
/// Format reference: savedmodel-format.md §4.1–4.2.
public enum Fingerprint64 {
  private static let k0: UInt64 = 0xc3a5_c85c_97cb_3127
  private static let k1: UInt64 = 0xb492_b66f_be98_f273
  private static let k2: UInt64 = 0x9ae1_6a3b_2f90_404f

  /// The fingerprint of `bytes`.
  ///
  /// - Complexity: O(n), one pass over the bytes.
  public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let n = bytes.count
    if n <= 16 { return hash0to16(bytes) }
    if n <= 32 { return hash17to32(bytes) }
    if n <= 64 { return hash33to64(bytes) }
    return hashLong(bytes)
  }

  /// The fingerprint of the bytes of `value` (`Data`, `[UInt8]`, ...).
  public static func hash<Bytes: ContiguousBytes>(_ value: Bytes) -> UInt64 {
    value.withUnsafeBytes { hash($0) }
  }

  /// The fingerprint of a string's UTF-8 bytes.
  public static func hash(_ string: String) -> UInt64 {
    var copy = string
    return copy.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
  }

  /// Combines two fingerprints, order-sensitively (`tsl::FingerprintCat64`).
  public static func concatenate(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let mul: UInt64 = 0xc6a4_a793_5bd1_e995
    var result = a ^ mul
    result ^= shiftMix(b &* mul) &* mul
    result = result &* mul
    result = shiftMix(result) &* mul
    return shiftMix(result)
  }

  // MARK: - The length classes of farmhashna::Hash64

  private static func hash0to16(_ s: UnsafeRawBufferPointer) -> UInt64 {
    let n = s.count
    if n >= 8 {
      let mul = k2 &+ UInt64(n) &* 2
      let a = load64(s, 0) &+ k2
      let b = load64(s, n - 8)
      let c = rotate(b, 37) &* mul &+ a
      let d = (rotate(a, 25) &+ b) &* mul
      return mix(c, d, mul)
    }
    if n >= 4 {
      let mul = k2 &+ UInt64(n) &* 2
      let a = UInt64(load32(s, 0))
      return mix(UInt64(n) &+ (a << 3), UInt64(load32(s, n - 4)), mul)
    }
    if n > 0 {
      let a = UInt32(s[0])
      let b = UInt32(s[n >> 1])
      let c = UInt32(s[n - 1])
      let y = a &+ (b << 8)
      let z = UInt32(n) &+ (c << 2)
      return shiftMix(UInt64(y) &* k2 ^ UInt64(z) &* k0) &* k2
    }
    return k2
  }

  private static func hash17to32(_ s: UnsafeRawBufferPointer) -> UInt64 {
    let n = s.count
    let mul = k2 &+ UInt64(n) &* 2
    let a = load64(s, 0) &* k1
    let b = load64(s, 8)
    let c = load64(s, n - 8) &* mul
    let d = load64(s, n - 16) &* k2
    return mix(
      rotate(a &+ b, 43) &+ rotate(c, 30) &+ d, a &+ rotate(b &+ k2, 18) &+ c, mul)
  }

  private static func hash33to64(_ s: UnsafeRawBufferPointer) -> UInt64 {
    let n = s.count
    let mul = k2 &+ UInt64(n) &* 2
    let a = load64(s, 0) &* k2
    let b = load64(s, 8)
    let c = load64(s, n - 8) &* mul
    let d = load64(s, n - 16) &* k2
    let y = rotate(a &+ b, 43) &+ rotate(c, 30) &+ d
    let z = mix(y, a &+ rotate(b &+ k2, 18) &+ c, mul)
    let e = load64(s, 16) &* mul
    let f = load64(s, 24)
    let g = (y &+ load64(s, n - 32)) &* mul
    let h = (z &+ load64(s, n - 24)) &* mul
    return mix(rotate(e &+ f, 43) &+ rotate(g, 30) &+ h, e &+ rotate(f &+ a, 18) &+ g, mul)
  }

  private static func hashLong(_ s: UnsafeRawBufferPointer) -> UInt64 {
    let n = s.count
    let seed: UInt64 = 81
    var x = seed
    var y = seed &* k1 &+ 113
    var z = shiftMix(y &* k2 &+ 113) &* k2
    var v: (UInt64, UInt64) = (0, 0)
    var w: (UInt64, UInt64) = (0, 0)
    x = x &* k2 &+ load64(s, 0)

    let end = ((n - 1) / 64) * 64
    let last64 = n - 64
    var p = 0
    repeat {
      x = rotate(x &+ y &+ v.0 &+ load64(s, p + 8), 37) &* k1
      y = rotate(y &+ v.1 &+ load64(s, p + 48), 42) &* k1
      x ^= w.1
      y = y &+ v.0 &+ load64(s, p + 40)
      z = rotate(z &+ w.0, 33) &* k1
      v = weakHash(s, p, v.1 &* k1, x &+ w.0)
      w = weakHash(s, p + 32, z &+ w.1, y &+ load64(s, p + 16))
      swap(&z, &x)
      p += 64
    } while p != end

    let mul = k1 &+ ((z & 0xff) << 1)
    p = last64
    w.0 = w.0 &+ UInt64((n - 1) & 63)
    v.0 = v.0 &+ w.0
    w.0 = w.0 &+ v.0
    x = rotate(x &+ y &+ v.0 &+ load64(s, p + 8), 37) &* mul
    y = rotate(y &+ v.1 &+ load64(s, p + 48), 42) &* mul
    x ^= w.1 &* 9
    y = y &+ v.0 &* 9 &+ load64(s, p + 40)
    z = rotate(z &+ w.0, 33) &* mul
    v = weakHash(s, p, v.1 &* mul, x &+ w.0)
    w = weakHash(s, p + 32, z &+ w.1, y &+ load64(s, p + 16))
    swap(&z, &x)
    return mix(
      mix(v.0, w.0, mul) &+ shiftMix(y) &* k0 &+ z,
      mix(v.1, w.1, mul) &+ x, mul)
  }

  // MARK: - Helpers

  private static func weakHash(
    _ s: UnsafeRawBufferPointer, _ p: Int, _ a: UInt64, _ b: UInt64
  ) -> (UInt64, UInt64) {
    let w = load64(s, p)
    let x = load64(s, p + 8)
    let y = load64(s, p + 16)
    let z = load64(s, p + 24)
    var a = a &+ w
    var b = rotate(b &+ a &+ z, 21)
    let c = a
    a = a &+ x
    a = a &+ y
    b = b &+ rotate(a, 44)
    return (a &+ z, b &+ c)
  }

  @inline(__always)
  private static func mix(_ u: UInt64, _ v: UInt64, _ mul: UInt64) -> UInt64 {
    var a = (u ^ v) &* mul
    a ^= a >> 47
    var b = (v ^ a) &* mul
    b ^= b >> 47
    return b &* mul
  }

  @inline(__always)
  private static func shiftMix(_ value: UInt64) -> UInt64 { value ^ (value >> 47) }

  @inline(__always)
  private static func rotate(_ value: UInt64, _ shift: UInt64) -> UInt64 {
    (value >> shift) | (value << (64 - shift))
  }

  @inline(__always)
  private static func load64(_ s: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
    UInt64(littleEndian: s.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  @inline(__always)
  private static func load32(_ s: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(littleEndian: s.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }
}
