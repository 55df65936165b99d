import Checksums
import Foundation
import TFProto

/// Recomputes the hashes of `fingerprint.pb` and compares them with the stored ones.
///
/// `checkpoint_hash` is FarmHash of the raw index bytes and is always checkable. The other four
/// hash canonical re-encodings of parts of `saved_model.pb` (§4.3); recomputing them depends on
/// reproducing TensorFlow's C++ deterministic serialization, so a mismatch is an error only for
/// producer 4 (TF 2.21's writer, whose rules we follow) and a warning for older producers.
///
/// Format reference: savedmodel-format.md §4.
public struct FingerprintReport: Sendable, Codable, Equatable {
  public enum Status: String, Sendable, Codable {
    case matches
    case mismatch
    /// Could not be recomputed, or differs in a way older writers are known to differ.
    case notVerifiable = "not_verifiable"
  }

  public struct Field: Sendable, Codable, Equatable {
    public let name: String
    /// The stored value, in decimal.
    public let stored: String
    /// The recomputed value, in decimal, when it could be computed.
    public let computed: String?
    public let status: Status
    public let note: String?
  }

  /// `version.producer` of the stored fingerprint.
  public let producer: Int32
  public let uuid: String
  public let fields: [Field]

  /// True when no field is a mismatch.
  public var isConsistent: Bool { !fields.contains { $0.status == .mismatch } }

  /// `graph_def_program_hash/signature_def_hash/saved_object_graph_hash/checkpoint_hash`,
  /// TensorFlow's "singleprint" model identity.
  public var singleprint: String {
    ["graph_def_program_hash", "signature_def_hash", "saved_object_graph_hash", "checkpoint_hash"]
      .map { name in fields.first { $0.name == name }?.stored ?? "0" }
      .joined(separator: "/")
  }
}

/// Computes the fingerprint hashes of a SavedModel.
public enum FingerprintComputer {
  /// `FP(canon(SavedModel))`.
  public static func savedModelChecksum(_ model: Tensorflow_SavedModel) -> UInt64 {
    Fingerprint64.hash(model.canonicalBytes())
  }

  /// `FP(canon(SimpleDelete(graph_def)))` of the first meta graph.
  public static func graphDefProgramHash(_ model: Tensorflow_SavedModel) -> UInt64 {
    var graph = model.metaGraphs.first?.graphDef ?? Tensorflow_GraphDef()
    regularize(&graph)
    return Fingerprint64.hash(graph.canonicalBytes())
  }

  /// The signature hash, folding `FP(key)` before each signature when `includingKeys` (current
  /// writers) or not (some older producer-1 builds).
  public static func signatureDefHash(_ model: Tensorflow_SavedModel, includingKeys: Bool = true)
    -> UInt64
  {
    let signatures = model.metaGraphs.first?.signatureDef ?? [:]
    var hash: UInt64 = 0
    for key in signatures.keys.sorted(by: bytewiseLess) {
      if includingKeys { hash = Fingerprint64.concatenate(hash, Fingerprint64.hash(key)) }
      hash = Fingerprint64.concatenate(hash, Fingerprint64.hash(signatures[key]?.canonicalBytes() ?? []))
    }
    return hash
  }

  /// The object graph hash over `concrete_functions` ordered by their numeric name suffix, or
  /// `nil` when a function name has no numeric suffix (TensorFlow fails in that case too).
  public static func savedObjectGraphHash(_ model: Tensorflow_SavedModel) -> UInt64? {
    let functions = model.metaGraphs.first?.objectGraphDef.concreteFunctions ?? [:]
    var byUID: [(uid: Int64, name: String)] = []
    var seen = Set<Int64>()
    for name in functions.keys.sorted(by: bytewiseLess) {
      guard let uid = suffixUID(name) else { return nil }
      if seen.insert(uid).inserted { byUID.append((uid, name)) }
    }
    byUID.sort { $0.uid < $1.uid }
    var hash: UInt64 = 0
    for (uid, name) in byUID {
      let stripped = stripSuffix(name, String(uid))
      hash = Fingerprint64.concatenate(hash, Fingerprint64.hash(stripped))
      hash = Fingerprint64.concatenate(hash, Fingerprint64.hash(functions[name]?.canonicalBytes() ?? []))
    }
    return hash
  }

  /// TensorFlow's `SimpleDelete`: strip function-name UIDs from call nodes, blank their
  /// `config_proto`, blank string constants, and clear the library and versions.
  static func regularize(_ graph: inout Tensorflow_GraphDef) {
    for index in graph.node.indices {
      var node = graph.node[index]
      if node.op == "PartitionedCall" || node.op == "StatefulPartitionedCall" {
        if var function = node.attr["f"] {
          let name = function.`func`.name
          if let uid = suffixUID(name) {
            function.`func`.name = stripSuffix(name, String(uid))
            node.attr["f"] = function
          }
        }
        if var config = node.attr["config_proto"] {
          config.s = Data()
          node.attr["config_proto"] = config
        }
      }
      if node.op == "Const", node.attr["dtype"]?.type.rawValue == 7, var value = node.attr["value"] {
        value.value = nil
        node.attr["value"] = value
      }
      graph.node[index] = node
    }
    graph.library = Tensorflow_FunctionDefLibrary()
    graph.versions = Tensorflow_VersionDef()
  }

  /// The integer after the last `_` of a function name (absl `SimpleAtoi` on that piece).
  static func suffixUID(_ name: String) -> Int64? {
    let piece = name.split(separator: "_", omittingEmptySubsequences: false).last.map(String.init) ?? name
    let trimmed = piece.trimmingCharacters(in: .whitespaces)
    let digits = trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed
    guard !digits.isEmpty, let value = Int64(digits) else { return nil }
    return value
  }

  static func stripSuffix(_ name: String, _ suffix: String) -> String {
    name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
  }

  static func bytewiseLess(_ a: String, _ b: String) -> Bool {
    Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
  }
}

extension FingerprintReport {
  /// Compares a stored fingerprint with what the model's files give now.
  ///
  /// - Parameters:
  ///   - stored: the parsed `fingerprint.pb`.
  ///   - model: the parsed graph file.
  ///   - fromBinaryGraph: whether the graph came from `saved_model.pb` (a `.pbtxt`-only model
  ///     cannot be checked against hashes of the binary encoding).
  ///   - indexBytes: the raw `variables.index`, or `nil` when there is none.
  public init(
    stored: Tensorflow_FingerprintDef, model: Tensorflow_SavedModel, fromBinaryGraph: Bool,
    indexBytes: [UInt8]?
  ) {
    let producer = stored.version.producer
    var fields: [Field] = []

    let checkpoint = indexBytes.map { Fingerprint64.hash($0) } ?? 0
    fields.append(
      Self.compare("checkpoint_hash", stored.checkpointHash, checkpoint, producer: producer, strict: true))

    guard fromBinaryGraph, producer != 2, producer != 5 else {
      let why =
        producer == 2
        ? "producer 2 hashes chunks of saved_model.cpb" : "no saved_model.pb to hash"
      for (name, value) in [
        ("saved_model_checksum", stored.savedModelChecksum),
        ("graph_def_program_hash", stored.graphDefProgramHash),
        ("signature_def_hash", stored.signatureDefHash),
        ("saved_object_graph_hash", stored.savedObjectGraphHash),
      ] {
        fields.append(Field(name: name, stored: String(value), computed: nil, status: .notVerifiable, note: why))
      }
      self.init(producer: producer, uuid: stored.uuid, fields: fields)
      return
    }

    fields.append(
      Self.compare(
        "saved_model_checksum", stored.savedModelChecksum,
        FingerprintComputer.savedModelChecksum(model), producer: producer))
    fields.append(
      Self.compare(
        "graph_def_program_hash", stored.graphDefProgramHash,
        FingerprintComputer.graphDefProgramHash(model), producer: producer))

    let withKeys = FingerprintComputer.signatureDefHash(model, includingKeys: true)
    if stored.signatureDefHash != withKeys,
      stored.signatureDefHash == FingerprintComputer.signatureDefHash(model, includingKeys: false)
    {
      fields.append(
        Field(
          name: "signature_def_hash", stored: String(stored.signatureDefHash),
          computed: String(stored.signatureDefHash), status: .matches,
          note: "matches the older rule that does not hash signature keys"))
    } else {
      fields.append(Self.compare("signature_def_hash", stored.signatureDefHash, withKeys, producer: producer))
    }

    if let objectGraph = FingerprintComputer.savedObjectGraphHash(model) {
      fields.append(
        Self.compare("saved_object_graph_hash", stored.savedObjectGraphHash, objectGraph, producer: producer))
    } else {
      fields.append(
        Field(
          name: "saved_object_graph_hash", stored: String(stored.savedObjectGraphHash), computed: nil,
          status: .notVerifiable, note: "a concrete function name has no numeric suffix"))
    }
    self.init(producer: producer, uuid: stored.uuid, fields: fields)
  }

  private static func compare(
    _ name: String, _ stored: UInt64, _ computed: UInt64, producer: Int32, strict: Bool = false
  ) -> Field {
    if stored == computed {
      return Field(name: name, stored: String(stored), computed: String(computed), status: .matches, note: nil)
    }
    if strict || producer >= 4 {
      return Field(name: name, stored: String(stored), computed: String(computed), status: .mismatch, note: nil)
    }
    return Field(
      name: name, stored: String(stored), computed: String(computed), status: .notVerifiable,
      note: "producer \(producer) predates the hashing rules reproduced here")
  }
}
