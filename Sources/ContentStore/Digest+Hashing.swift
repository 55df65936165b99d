import CChecksums
import Crypto
import Foundation
import RegistryCore

extension RegistryCore.Digest {
  /// The digest of `data`.
  package static func of(_ data: UnsafeRawBufferPointer) -> RegistryCore.Digest {
    RegistryCore.Digest(bytes: Array(SHA256.hash(data: data)))
  }

  /// The digest of `data`.
  package static func of<Bytes: ContiguousBytes>(_ data: Bytes) -> RegistryCore.Digest {
    data.withUnsafeBytes { of($0) }
  }
}

/// A running SHA-256, for hashing a file while it is written.
package struct StreamingDigest {
  private var hasher = SHA256()
  package init() {}
  package mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
  package mutating func update<Bytes: ContiguousBytes>(_ bytes: Bytes) {
    bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
  }
  package func finalize() -> RegistryCore.Digest { RegistryCore.Digest(bytes: Array(hasher.finalize())) }
}

/// Two SHA-256 streams fed from one pass over the bytes: a file's and its current piece's.
///
/// A push names each piece of a file by its SHA-256 and records the whole file's SHA-256 in the
/// manifest; a pull checks both. With the CPU's SHA extensions the two streams' rounds run
/// interleaved (`CChecksums/sha256_pair.c`), so both digests cost about 1.3 passes of one, not
/// two, and each byte is loaded once; elsewhere they are two swift-crypto hashers.
package struct DigestPair {
  /// Whether this CPU runs the two streams interleaved.
  package static let isInterleaved = cchecksums_has_sha_extensions() != 0

  private let interleaved: Bool
  private var file = cchecksums_sha256()
  private var piece = cchecksums_sha256()
  private var fileHasher = SHA256()
  private var pieceHasher = SHA256()

  /// - Parameter interleaved: use the SHA extensions; `false` forces swift-crypto (for tests).
  package init(interleaved: Bool = DigestPair.isInterleaved) {
    precondition(!interleaved || Self.isInterleaved, "this CPU has no SHA extensions")
    self.interleaved = interleaved
    cchecksums_sha256_init(&file)
    cchecksums_sha256_init(&piece)
  }

  /// Feeds `bytes` to both the file and the piece.
  package mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    if interleaved {
      cchecksums_sha256_update_pair(&file, &piece, base, bytes.count)
    } else {
      fileHasher.update(bufferPointer: bytes)
      pieceHasher.update(bufferPointer: bytes)
    }
  }

  /// Feeds `bytes` to the file only (bytes whose piece is hashed elsewhere).
  package mutating func updateFile(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    if interleaved {
      cchecksums_sha256_update(&file, base, bytes.count)
    } else {
      fileHasher.update(bufferPointer: bytes)
    }
  }

  /// The digest of the piece fed since the last call; the next piece starts empty.
  package mutating func finishPiece() -> RegistryCore.Digest {
    defer {
      if interleaved { cchecksums_sha256_init(&piece) } else { pieceHasher = SHA256() }
    }
    return interleaved ? Self.digest(of: piece) : RegistryCore.Digest(bytes: Array(pieceHasher.finalize()))
  }

  /// The digest of everything fed to the file so far.
  package func fileDigest() -> RegistryCore.Digest {
    interleaved ? Self.digest(of: file) : RegistryCore.Digest(bytes: Array(fileHasher.finalize()))
  }

  private static func digest(of stream: cchecksums_sha256) -> RegistryCore.Digest {
    var stream = stream
    var bytes = [UInt8](repeating: 0, count: 32)
    bytes.withUnsafeMutableBufferPointer { cchecksums_sha256_final(&stream, $0.baseAddress) }
    return RegistryCore.Digest(bytes: bytes)
  }
}
