import Crypto
import RegistryCore

extension RegistryCore.Digest {
  /// The SHA-256 of `bytes`, as an OCI digest and a store object id alike.
  static func sha256(_ bytes: [UInt8]) -> RegistryCore.Digest {
    RegistryCore.Digest(bytes: Array(SHA256.hash(data: bytes)))
  }
}
