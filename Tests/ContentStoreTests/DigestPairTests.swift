import ContentStore
import Foundation
import RegistryCore
import Testing

@Suite("DigestPair: a file's and its pieces' SHA-256 in one pass")
struct DigestPairTests {
  /// The interleaved path where this CPU has it, and swift-crypto always.
  static let modes = DigestPair.isInterleaved ? [true, false] : [false]

  /// Feeds `bytes` cut at `cuts` as pieces of one file, in chunks of varying length (so the
  /// file's and the piece's partial blocks differ), every `skipped` piece to the file only.
  func digests(
    _ bytes: [UInt8], cuts: [Int], interleaved: Bool, skipped: Set<Int> = [], seed: UInt64
  ) -> (file: Digest, pieces: [Digest?]) {
    var pair = DigestPair(interleaved: interleaved)
    var generator = Xorshift(seed: seed)
    var pieces: [Digest?] = []
    let bounds = [0] + cuts + [bytes.count]
    bytes.withUnsafeBytes { all in
      for (index, (start, end)) in zip(bounds, bounds.dropFirst()).enumerated() {
        var offset = start
        while offset < end {
          let length = min(end - offset, 1 + Int(generator.next() % 200))
          let chunk = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
          if skipped.contains(index) { pair.updateFile(chunk) } else { pair.update(chunk) }
          offset += length
        }
        pieces.append(skipped.contains(index) ? nil : pair.finishPiece())
      }
    }
    return (pair.fileDigest(), pieces)
  }

  @Test("file and piece digests equal separate SHA-256s for odd sizes and cuts", arguments: modes)
  func matchesSeparateHashes(interleaved: Bool) {
    let cases: [(size: Int, cuts: [Int])] = [
      (0, []), (1, []), (55, []), (56, []), (63, []), (64, []), (65, []), (119, [1]), (128, [64]),
      (1000, [3, 67, 500, 501]), (4099, [1, 2, 3, 2048, 4096]), (70_001, [12_345, 12_345, 40_000]),
    ]
    for (number, (size, cuts)) in cases.enumerated() {
      let bytes = randomBytes(size, seed: UInt64(number + 1))
      let (file, pieces) = digests(bytes, cuts: cuts, interleaved: interleaved, seed: UInt64(number))
      #expect(file == Digest.of(bytes), "size \(size)")
      let bounds = [0] + cuts + [size]
      let expected = zip(bounds, bounds.dropFirst()).map { Digest.of(Array(bytes[$0..<$1])) }
      #expect(pieces == expected, "size \(size), cuts \(cuts)")
    }
  }

  @Test("pieces fed to the file only still count in the file's digest", arguments: modes)
  func skippedPieces(interleaved: Bool) {
    let bytes = randomBytes(10_007, seed: 3)
    let cuts = [100, 4_000, 4_001, 9_000]
    let (file, pieces) = digests(bytes, cuts: cuts, interleaved: interleaved, skipped: [0, 2, 4], seed: 5)
    #expect(file == Digest.of(bytes))
    #expect(pieces[1] == Digest.of(Array(bytes[100..<4_000])))
    #expect(pieces[3] == Digest.of(Array(bytes[4_001..<9_000])))
    #expect(pieces[0] == nil && pieces[2] == nil && pieces[4] == nil)
  }

  @Test("a few megabytes fed in one call give the same digests on both paths")
  func largeBuffers() {
    let bytes = randomBytes((9 << 20) + 3, seed: 11)
    let cut = (4 << 20) + 1
    for interleaved in Self.modes {
      var pair = DigestPair(interleaved: interleaved)
      bytes.withUnsafeBytes { all in
        pair.update(UnsafeRawBufferPointer(rebasing: all[..<cut]))
        #expect(pair.finishPiece() == Digest.of(Array(bytes[..<cut])))
        pair.update(UnsafeRawBufferPointer(rebasing: all[cut...]))
        #expect(pair.finishPiece() == Digest.of(Array(bytes[cut...])))
      }
      #expect(pair.fileDigest() == Digest.of(bytes))
    }
  }
}

/// A small deterministic generator for chunk lengths.
private struct Xorshift {
  var state: UInt64
  init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
  mutating func next() -> UInt64 {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    return state
  }
}
