import Foundation
import RegistryTestSupport

/// The SavedModels under `Fixtures/`, written by real TensorFlow (Scripts/make-fixtures.py), and
/// the facts TensorFlow reported about each (`reference/facts.json`).
enum Fixtures {
  static let root = Repository.Fixtures.root

  /// Every fixture's name, sorted; throws when `Fixtures/` is missing or empty.
  static func names() throws -> [String] { try Repository.Fixtures.names() }

  static func model(_ name: String) -> URL { root.appendingPathComponent("\(name)/model") }

  static func facts(_ name: String) throws -> Facts {
    let data = try Data(contentsOf: root.appendingPathComponent("\(name)/reference/facts.json"))
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(Facts.self, from: data)
  }

  /// Copies a fixture's model into a fresh temporary directory that the caller may damage.
  static func scratchCopy(_ name: String) throws -> URL { try Repository.Fixtures.scratchCopy(name) }
}

/// The parts of `reference/facts.json` the tests compare against.
struct Facts: Decodable {
  struct TensorInfo: Decodable {
    let dtype: String
    let shape: [Int64]?
    let name: String?
  }
  struct Signature: Decodable {
    let methodName: String
    let inputs: [String: TensorInfo]
    let outputs: [String: TensorInfo]
  }
  struct Variable: Decodable {
    let shape: [Int64]
    let dtype: String
  }
  struct BundleEntry: Decodable {
    let dtype: String
    let shape: [Int64]
    let shardId: Int
    let offset: Int64
    let size: Int64
    let crc32c: UInt32
    let slices: [[SliceExtent]]
  }
  struct SliceExtent: Decodable {
    let start: Int64
    let length: Int64?
  }
  struct Bundle: Decodable {
    let numShards: Int
    let entries: [String: BundleEntry]
  }
  struct FingerprintProto: Decodable {
    let savedModelChecksum: String
    let graphDefProgramHash: String
    let signatureDefHash: String
    let savedObjectGraphHash: String
    let checkpointHash: String
  }
  struct Fingerprint: Decodable {
    let proto: FingerprintProto
  }
  struct File: Decodable {
    let size: Int64
    let sha256: String
  }

  let name: String
  let tags: [[String]]
  let signatures: [[String: Signature]]
  let variables: [String: Variable]
  let dataShards: Int
  let bundle: Bundle?
  let fingerprint: Fingerprint?
  let ops: [String]
  let hasKerasMetadata: Bool
  let assets: [String]
  let files: [String: File]
  let directories: [String]
  let emptyDirectories: [String]
}
