/// SipHash-2-4 (Aumasson and Bernstein), the keyed hash behind TensorFlow's
/// `StringToHashBucketStrong` (`StrongKeyedHash`, highwayhash's `SipHash`) and so Keras's
/// `Hashing(salt=…)`: two compression rounds per 8-byte block, four finalisation rounds, a
/// 128-bit key given as two 64-bit words.
package enum SipHash {
  /// The 64-bit hash of `bytes` under the key (`key0`, `key1`).
  package static func hash(_ bytes: [UInt8], key0: UInt64, key1: UInt64) -> UInt64 {
    var state = State(key0: key0, key1: key1)
    let fullBlocks = bytes.count / 8
    bytes.withUnsafeBytes { raw in
      for block in 0..<fullBlocks {
        state.absorb(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: block * 8, as: UInt64.self)))
      }
    }
    // The last block: the remaining bytes, little-endian, with the length (mod 256) on top.
    var last = UInt64(truncatingIfNeeded: bytes.count) << 56
    for (shift, byte) in bytes[(fullBlocks * 8)...].enumerated() { last |= UInt64(byte) << (8 * UInt64(shift)) }
    state.absorb(last)
    state.v2 ^= 0xFF
    for _ in 0..<4 { state.round() }
    return state.v0 ^ state.v1 ^ state.v2 ^ state.v3
  }

  private struct State {
    var v0: UInt64
    var v1: UInt64
    var v2: UInt64
    var v3: UInt64

    init(key0: UInt64, key1: UInt64) {
      // "somepseudorandomlygeneratedbytes", the algorithm's constants.
      v0 = key0 ^ 0x736F_6D65_7073_6575
      v1 = key1 ^ 0x646F_7261_6E64_6F6D
      v2 = key0 ^ 0x6C79_6765_6E65_7261
      v3 = key1 ^ 0x7465_6462_7974_6573
    }

    mutating func absorb(_ block: UInt64) {
      v3 ^= block
      round()
      round()
      v0 ^= block
    }

    mutating func round() {
      v0 &+= v1
      v1 = rotate(v1, 13) ^ v0
      v0 = rotate(v0, 32)
      v2 &+= v3
      v3 = rotate(v3, 16) ^ v2
      v0 &+= v3
      v3 = rotate(v3, 21) ^ v0
      v2 &+= v1
      v1 = rotate(v1, 17) ^ v2
      v2 = rotate(v2, 32)
    }

    private func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 { value << bits | value >> (64 - bits) }
  }
}
