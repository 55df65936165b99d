import RegistryCore

/// A pack layer (`MediaType.pack`): small objects in one blob, so a model of many tiny tensors
/// needs few layers. Entries are sorted by digest; each is the 32-byte SHA-256, the length as 8
/// bytes big-endian, then the object's raw bytes. Nothing else, so the same objects always give
/// the same pack.
public enum Pack {
  /// Objects at least this large get a layer of their own (layer digest = object id).
  public static let objectLayerThreshold: Int64 = 64 << 10
  /// About how many bytes of small objects one pack holds.
  public static let targetBytes: Int64 = 4 << 20
  /// At most this many packs: the bucket count is a power of two up to this.
  public static let maximumPacks = 4096

  /// How many packs small objects totalling `bytes` are spread over: a power of two, so that an
  /// object's pack depends only on its digest's leading bits and the total, and a fine-tune that
  /// changes a few small objects re-uploads only their packs.
  public static func bucketCount(totalBytes bytes: Int64) -> Int {
    var count = 1
    while count < maximumPacks, Int64(count) * targetBytes < bytes { count *= 2 }
    return count
  }

  /// The pack an object goes into, from its digest's first 16 bits.
  public static func bucket(of digest: Digest, count: Int) -> Int {
    let leading = Int(digest.bytes[0]) << 8 | Int(digest.bytes[1])
    return (leading * count) >> 16
  }

  /// Encodes objects (already sorted by digest) into a pack.
  public static func encode(_ objects: [(digest: Digest, bytes: [UInt8])]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(objects.reduce(0) { $0 + 40 + $1.bytes.count })
    for object in objects {
      out += object.digest.bytes
      withUnsafeBytes(of: UInt64(object.bytes.count).bigEndian) { out += $0 }
      out += object.bytes
    }
    return out
  }

  /// Splits a pack into its objects, checking every length against what is left and every
  /// object against its digest.
  ///
  /// - Throws: `RemoteError` (`corrupted`) naming the pack when it is truncated, out of order,
  ///   repeats a digest or an object does not hash to its name.
  public static func decode(_ bytes: [UInt8], pack: Digest) throws(RemoteError) -> [(digest: Digest, bytes: [UInt8])] {
    var objects: [(digest: Digest, bytes: [UInt8])] = []
    var offset = 0
    while offset < bytes.count {
      guard bytes.count - offset >= 40 else {
        throw RemoteError(.corrupted, "pack \(pack): truncated entry header at byte \(offset)")
      }
      let digest = Digest(bytes: Array(bytes[offset..<(offset + 32)]))
      var length: UInt64 = 0
      for index in 0..<8 { length = length << 8 | UInt64(bytes[offset + 32 + index]) }
      offset += 40
      guard length <= UInt64(bytes.count - offset) else {
        throw RemoteError(.corrupted, "pack \(pack): entry \(digest) claims \(length) bytes, more than the pack holds")
      }
      let content = Array(bytes[offset..<(offset + Int(length))])
      offset += Int(length)
      guard Digest.sha256(content) == digest else {
        throw RemoteError(.corrupted, "pack \(pack): entry \(digest) hashes to \(Digest.sha256(content))")
      }
      if let last = objects.last, !(last.digest < digest) {
        throw RemoteError(.corrupted, "pack \(pack): entries are not in strictly increasing digest order")
      }
      objects.append((digest, content))
    }
    return objects
  }
}
