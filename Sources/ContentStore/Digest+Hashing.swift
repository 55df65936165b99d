import Crypto
import Foundation
import RegistryCore

extension RegistryCore.Digest {
  /// The digest of `data`.
  public static func of(_ data: UnsafeRawBufferPointer) -> RegistryCore.Digest {
    RegistryCore.Digest(bytes: Array(SHA256.hash(data: data)))
  }

  /// The digest of `data`.
  public static func of<Bytes: ContiguousBytes>(_ data: Bytes) -> RegistryCore.Digest {
    data.withUnsafeBytes { of($0) }
  }
}

/// A running SHA-256, for hashing a file while it is written.
public struct StreamingDigest {
  private var hasher = SHA256()
  public init() {}
  public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
  public mutating func update<Bytes: ContiguousBytes>(_ bytes: Bytes) {
    bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
  }
  public func finalize() -> RegistryCore.Digest { RegistryCore.Digest(bytes: Array(hasher.finalize())) }
}
