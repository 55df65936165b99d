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
