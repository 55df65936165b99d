import Catalog
import ContentStore
import Foundation
import RegistryCore
import SavedModelFormat

/// What changed from one version to another (`registry diff A B`).
public struct VersionDiff: Sendable, Codable {
  public struct Change<T: Sendable & Codable & Equatable>: Sendable, Codable, Equatable {
    public let before: T
    public let after: T
  }

  public struct SignatureChange: Sendable, Codable, Equatable {
    public let key: String
    /// `added`, `removed` or `changed`.
    public let change: String
    public let details: [String]
  }

  public struct Tensor: Sendable, Codable, Equatable {
    public let name: String
    public let dtype: String
    public let shape: [Int64]
    public let size: Int64
  }

  public struct TensorChange: Sendable, Codable, Equatable {
    public let name: String
    public let dtype: Change<String>
    public let shape: Change<[Int64]>
    public let size: Change<Int64>
    /// For float tensors of unchanged dtype and shape: the largest and mean absolute element
    /// difference, and how many elements differ.
    public let maxAbsDifference: Double?
    public let meanAbsDifference: Double?
    public let elementsChanged: Int?
  }

  public struct FileChange: Sendable, Codable, Equatable {
    public let path: String
    /// `added`, `removed` or `changed`.
    public let change: String
    public let sizeBefore: Int64?
    public let sizeAfter: Int64?
  }

  public let from: String
  public let to: String
  public let tagsAdded: [[String]]
  public let tagsRemoved: [[String]]
  public let signatures: [SignatureChange]
  public let opsAdded: [String]
  public let opsRemoved: [String]
  public let tensorsAdded: [Tensor]
  public let tensorsRemoved: [Tensor]
  public let tensorsChanged: [TensorChange]
  public let tensorsUnchanged: Int
  public let files: [FileChange]
  /// Bytes of objects `to` references that `from` does not.
  public let bytesAdded: Int64

  public var isEmpty: Bool {
    tagsAdded.isEmpty && tagsRemoved.isEmpty && signatures.isEmpty && opsAdded.isEmpty && opsRemoved.isEmpty
      && tensorsAdded.isEmpty && tensorsRemoved.isEmpty && tensorsChanged.isEmpty && files.isEmpty
  }
}

extension Registry {
  /// Compares two versions from the catalog and their manifests; tensor bytes are read only for
  /// the numeric summary of changed float tensors.
  public func diff(_ first: Reference, _ second: Reference) throws(RegistryError) -> VersionDiff {
    let a = try resolve(first)
    let b = try resolve(second)
    let detailA = try detail(a.id)
    let detailB = try detail(b.id)
    let manifestA = try manifest(of: a)
    let manifestB = try manifest(of: b)
    let tensorsA: [TensorRow]
    let tensorsB: [TensorRow]
    let opsA: Set<String>
    let opsB: Set<String>
    do {
      tensorsA = try catalog.tensors(of: a.id)
      tensorsB = try catalog.tensors(of: b.id)
      opsA = Set(try catalog.ops(of: a.id))
      opsB = Set(try catalog.ops(of: b.id))
    } catch {
      throw RegistryError(error)
    }

    let tagsA = detailA.metaGraphs.map(\.tags)
    let tagsB = detailB.metaGraphs.map(\.tags)

    // Tensors: identical when the bytes are identical (the objects that hold them).
    let contentA = tensorContent(tensorsA, manifestA)
    let contentB = tensorContent(tensorsB, manifestB)
    let byNameA = Dictionary(tensorsA.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    let byNameB = Dictionary(tensorsB.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var changed: [VersionDiff.TensorChange] = []
    var unchanged = 0
    for tensor in tensorsB {
      guard let old = byNameA[tensor.name] else { continue }
      if old.dtype == tensor.dtype, old.shape == tensor.shape, contentA[old.name] == contentB[tensor.name] {
        unchanged += 1
        continue
      }
      var summary: (max: Double, mean: Double, changed: Int)?
      if old.dtype == tensor.dtype, old.shape == tensor.shape,
        ["DT_FLOAT", "DT_DOUBLE", "DT_HALF", "DT_BFLOAT16"].contains(tensor.dtype),
        tensor.size <= 512 << 20
      {
        summary = try? numericDifference(old, manifestA, tensor, manifestB)
      }
      changed.append(
        VersionDiff.TensorChange(
          name: tensor.name, dtype: .init(before: old.dtype, after: tensor.dtype),
          shape: .init(before: old.shape, after: tensor.shape), size: .init(before: old.size, after: tensor.size),
          maxAbsDifference: summary?.max, meanAbsDifference: summary?.mean, elementsChanged: summary?.changed))
    }
    func brief(_ row: TensorRow) -> VersionDiff.Tensor {
      VersionDiff.Tensor(name: row.name, dtype: row.dtype, shape: row.shape, size: row.size)
    }

    // Files other than what the tensors already explain are reported by content hash.
    let filesA = Dictionary(
      manifestA.entries.filter { $0.kind == .file }.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    let filesB = Dictionary(
      manifestB.entries.filter { $0.kind == .file }.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    var files: [VersionDiff.FileChange] = []
    for path in Set(filesA.keys).union(filesB.keys).sorted() {
      let old = filesA[path]
      let new = filesB[path]
      if let old, let new, old.sha256 == new.sha256 { continue }
      files.append(
        VersionDiff.FileChange(
          path: path, change: old == nil ? "added" : (new == nil ? "removed" : "changed"), sizeBefore: old?.size,
          sizeAfter: new?.size))
    }

    let objectsA = manifestA.objectDigests
    var added: Int64 = 0
    var counted = Set<Digest>()
    for entry in manifestB.entries {
      for piece in entry.objects ?? [] where !objectsA.contains(piece.digest) && counted.insert(piece.digest).inserted {
        added += piece.size
      }
    }

    return VersionDiff(
      from: a.reference, to: b.reference,
      tagsAdded: tagsB.filter { !tagsA.contains($0) }, tagsRemoved: tagsA.filter { !tagsB.contains($0) },
      signatures: signatureChanges(detailA.signatures, detailB.signatures),
      opsAdded: opsB.subtracting(opsA).sorted(), opsRemoved: opsA.subtracting(opsB).sorted(),
      tensorsAdded: tensorsB.filter { byNameA[$0.name] == nil }.map(brief),
      tensorsRemoved: tensorsA.filter { byNameB[$0.name] == nil }.map(brief),
      tensorsChanged: changed, tensorsUnchanged: unchanged, files: files, bytesAdded: added)
  }

  private func signatureChanges(_ old: [VersionDetail.Signature], _ new: [VersionDetail.Signature]) -> [VersionDiff
    .SignatureChange]
  {
    var changes: [VersionDiff.SignatureChange] = []
    let keys = Set(old.map(\.key)).union(new.map(\.key)).filter { !$0.hasPrefix("__") }.sorted()
    for key in keys {
      let before = old.first { $0.key == key }
      let after = new.first { $0.key == key }
      guard let before else {
        changes.append(.init(key: key, change: "added", details: []))
        continue
      }
      guard let after else {
        changes.append(.init(key: key, change: "removed", details: []))
        continue
      }
      var details: [String] = []
      if before.methodName != after.methodName { details.append("method \(before.methodName) -> \(after.methodName)") }
      for (kind, was, now) in [("input", before.inputs, after.inputs), ("output", before.outputs, after.outputs)] {
        for tensor in was where !now.contains(where: { $0.name == tensor.name }) {
          details.append("\(kind) \(tensor.name) removed")
        }
        for tensor in now {
          guard let previous = was.first(where: { $0.name == tensor.name }) else {
            details.append("\(kind) \(tensor.name) added (\(tensor.dtype) \(describeShape(tensor.shape)))")
            continue
          }
          if previous.dtype != tensor.dtype || previous.shape != tensor.shape {
            details.append(
              "\(kind) \(tensor.name) \(previous.dtype) \(describeShape(previous.shape)) -> \(tensor.dtype) \(describeShape(tensor.shape))"
            )
          }
        }
      }
      if !details.isEmpty { changes.append(.init(key: key, change: "changed", details: details)) }
    }
    return changes
  }

  /// Each tensor's content identity: the digests of the objects covering its bytes.
  private func tensorContent(_ tensors: [TensorRow], _ manifest: Manifest) -> [String: [Digest]] {
    var content: [String: [Digest]] = [:]
    let shards = shardEntries(manifest)
    for tensor in tensors {
      if let digest = tensor.digest {
        content[tensor.name] = [digest]
      } else if let entry = shards[tensor.shard] {
        var digests: [Digest] = []
        var offset: Int64 = 0
        for piece in entry.objects ?? [] {
          if offset + piece.size > tensor.offset && offset < tensor.offset + tensor.size {
            digests.append(piece.digest)
          }
          offset += piece.size
        }
        content[tensor.name] = digests
      }
    }
    return content
  }

  private func shardEntries(_ manifest: Manifest) -> [Int: Manifest.Entry] {
    var shards: [Int: Manifest.Entry] = [:]
    for entry in manifest.entries where entry.path.hasPrefix("variables/variables.data-") {
      // variables.data-SSSSS-of-NNNNN
      let name = entry.path.dropFirst("variables/variables.data-".count)
      if let shard = Int(name.prefix(5)) { shards[shard] = entry }
    }
    return shards
  }

  /// Reads a tensor's bytes from the store (every object verified).
  func tensorBytes(_ tensor: TensorRow, _ manifest: Manifest) throws -> [UInt8] {
    guard let entry = shardEntries(manifest)[tensor.shard] else {
      throw RegistryError(.corrupted, "tensor \(tensor.name): shard \(tensor.shard) is not in the manifest")
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(tensor.size))
    var offset: Int64 = 0
    for piece in entry.objects ?? [] {
      let end = offset + piece.size
      if end > tensor.offset && offset < tensor.offset + tensor.size {
        let content = try objects.read(piece.digest)
        let from = Int(max(tensor.offset, offset) - offset)
        let to = Int(min(tensor.offset + tensor.size, end) - offset)
        bytes += content[from..<to]
      }
      offset = end
    }
    guard Int64(bytes.count) == tensor.size else {
      throw RegistryError(
        .corrupted, "tensor \(tensor.name): the manifest covers \(bytes.count) of its \(tensor.size) bytes")
    }
    return bytes
  }

  private func numericDifference(_ old: TensorRow, _ oldManifest: Manifest, _ new: TensorRow, _ newManifest: Manifest)
    throws
    -> (max: Double, mean: Double, changed: Int)
  {
    let before = try FloatDecoding.values(try tensorBytes(old, oldManifest), dtype: old.dtype)
    let after = try FloatDecoding.values(try tensorBytes(new, newManifest), dtype: new.dtype)
    guard before.count == after.count, !before.isEmpty else { return (0, 0, 0) }
    var maximum = 0.0
    var total = 0.0
    var changed = 0
    for (x, y) in zip(before, after) {
      let difference = abs(x - y)
      if difference > maximum || difference.isNaN { maximum = difference.isNaN ? .nan : max(maximum, difference) }
      total += difference
      if x != y { changed += 1 }
    }
    return (maximum, total / Double(before.count), changed)
  }
}

/// Decodes little-endian float tensors to `Double` for numeric summaries.
enum FloatDecoding {
  static func values(_ bytes: [UInt8], dtype: String) throws -> [Double] {
    func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
      let count = bytes.count / MemoryLayout<T>.size
      return bytes.withUnsafeBytes { raw in
        (0..<count).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
      }
    }
    switch dtype {
    case "DT_FLOAT": return load(UInt32.self).map { Double(Float(bitPattern: $0)) }
    case "DT_DOUBLE": return load(UInt64.self).map { Double(bitPattern: $0) }
    case "DT_BFLOAT16": return load(UInt16.self).map { Double(Float(bitPattern: UInt32($0) << 16)) }
    case "DT_HALF":
      #if arch(x86_64) || arch(arm64)
        return load(UInt16.self).map { Double(Float16(bitPattern: $0)) }
      #else
        throw RegistryError(.unsupported, "half-precision decoding is not available on this platform")
      #endif
    default: throw RegistryError(.unsupported, "\(dtype) is not a float type")
    }
  }
}
