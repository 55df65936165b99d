import Foundation
import RegistryCore
import TFProto

/// Everything `registry inspect` reports about a SavedModel, as plain values that encode to the
/// documented JSON (docs/format-layer.md, "inspect --json").
///
/// Built from the graph file and the variables index only; no tensor data is read.
public struct SavedModelInspection: Sendable, Codable {
  public struct TensorSpec: Sendable, Codable, Equatable {
    /// The signature's key for this input or output.
    public let key: String
    /// The graph tensor it binds to, e.g. `serving_default_x:0`; empty for composite tensors.
    public let tensorName: String
    public let dtype: String
    /// `null` for unknown rank; `-1` for an unknown dimension.
    public let shape: [Int64]?
  }

  public struct Signature: Sendable, Codable, Equatable {
    public let key: String
    public let methodName: String
    public let inputs: [TensorSpec]
    public let outputs: [TensorSpec]
  }

  public struct MetaGraph: Sendable, Codable {
    public let tags: [String]
    public let tensorflowVersion: String
    public let tensorflowGitVersion: String
    public let signatures: [Signature]
    /// Every op type used by the graph and its function library, sorted.
    public let ops: [String]
    public let nodeCount: Int
    public let functionCount: Int
    /// Asset file names (relative to `assets/`) the graph refers to.
    public let assets: [String]
  }

  public struct Variable: Sendable, Codable, Equatable {
    public let name: String
    public let dtype: String
    public let shape: [Int64]
    public let bytes: Int64
    public let shard: Int
    public let offset: Int64
  }

  public let path: String
  public let graphFile: String
  public let savedModelSchemaVersion: Int64
  public let metaGraphs: [MetaGraph]
  /// Tensors in the variables bundle in key order; empty when the model has no variables.
  public let variables: [Variable]
  public let variableShards: Int
  /// The bytes of all variables, saturating at `Int64.max`: entries may overlap in a sparse
  /// shard, so their sizes can add up past 64 bits.
  public var variableBytes: Int64 { Limits.saturatingSum(variables.map(\.bytes)) }
  public let files: [SavedModelDirectory.FileEntry]
  public let totalBytes: Int64
  public let hasKerasMetadata: Bool
  /// `nil` when there is no `fingerprint.pb`.
  public let fingerprint: FingerprintReport?

  /// Inspects an opened directory.
  ///
  /// - Throws: `FormatError` when the variables index cannot be read.
  public init(_ directory: SavedModelDirectory) throws(FormatError) {
    self.init(directory, bundle: try directory.bundle())
  }

  /// Inspects an opened directory whose variables bundle the caller has already opened.
  public init(_ directory: SavedModelDirectory, bundle: TensorBundle?) {
    path = directory.url.path
    graphFile = directory.graphFile.rawValue
    savedModelSchemaVersion = directory.savedModel.savedModelSchemaVersion
    metaGraphs = directory.savedModel.metaGraphs.map(Self.describe)
    variables = (bundle?.entries ?? []).map {
      Variable(
        name: $0.name, dtype: $0.dtype.name, shape: $0.shape, bytes: $0.size, shard: $0.shard,
        offset: $0.offset)
    }
    variableShards = Int(bundle?.header.numShards ?? 0)
    files = directory.files
    // Saturating: two sparse files on tmpfs can claim 2^62 bytes each.
    totalBytes = Limits.saturatingSum(directory.files.map(\.size))
    hasKerasMetadata = directory.hasKerasMetadata
    fingerprint = directory.fingerprint.map {
      FingerprintReport(
        stored: $0, model: directory.savedModel, fromBinaryGraph: directory.graphFile == .binary,
        indexBytes: bundle?.indexBytes)
    }
  }

  static func describe(_ metaGraph: Tensorflow_MetaGraphDef) -> MetaGraph {
    let signatures = metaGraph.signatureDef
      .sorted { FingerprintComputer.bytewiseLess($0.key, $1.key) }
      .map { key, signature in
        Signature(
          key: key, methodName: signature.methodName,
          inputs: describe(signature.inputs), outputs: describe(signature.outputs))
      }
    let graph = metaGraph.graphDef
    let functionNames = Set(graph.library.function.map(\.signature.name))
    var ops = Set(graph.node.map(\.op))
    for function in graph.library.function {
      for node in function.nodeDef { ops.insert(node.op) }
    }
    ops.subtract(functionNames)
    return MetaGraph(
      tags: metaGraph.metaInfoDef.tags,
      tensorflowVersion: metaGraph.metaInfoDef.tensorflowVersion,
      tensorflowGitVersion: metaGraph.metaInfoDef.tensorflowGitVersion,
      signatures: signatures,
      ops: ops.sorted(by: FingerprintComputer.bytewiseLess),
      nodeCount: graph.node.count,
      functionCount: graph.library.function.count,
      assets: assetFileNames(metaGraph))
  }

  static func describe(_ tensors: [String: Tensorflow_TensorInfo]) -> [TensorSpec] {
    tensors.sorted { FingerprintComputer.bytewiseLess($0.key, $1.key) }.map { key, info in
      TensorSpec(
        key: key, tensorName: info.name, dtype: DataTypeInfo(info.dtype).name,
        shape: info.hasTensorShape ? info.tensorShape.dimensions : nil)
    }
  }

  /// Asset file names from `asset_file_def` (TF2), else the `saved_model_assets` collection (TF1).
  static func assetFileNames(_ metaGraph: Tensorflow_MetaGraphDef) -> [String] {
    if !metaGraph.assetFileDef.isEmpty { return metaGraph.assetFileDef.map(\.filename) }
    guard let collection = metaGraph.collectionDef["saved_model_assets"] else { return [] }
    return collection.anyList.value.compactMap { $0.unpacked(as: Tensorflow_AssetFileDef.self)?.filename }
  }
}
