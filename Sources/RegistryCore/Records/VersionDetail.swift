/// Everything `show` reports about one version.
public struct VersionDetail: Sendable, Codable {
  public struct File: Sendable, Codable, Equatable {
    public let path: String
    public let kind: FileKind
    public let mode: Int
    public let size: Int64?
    public let sha256: Digest?

    package init(path: String, kind: FileKind, mode: Int, size: Int64?, sha256: Digest?) {
      self.path = path
      self.kind = kind
      self.mode = mode
      self.size = size
      self.sha256 = sha256
    }
  }

  public struct SignatureTensor: Sendable, Codable, Equatable {
    public let name: String
    public let tensorName: String
    public let dtype: String
    /// `nil` for unknown rank.
    public let shape: [Int64]?

    package init(name: String, tensorName: String, dtype: String, shape: [Int64]?) {
      self.name = name
      self.tensorName = tensorName
      self.dtype = dtype
      self.shape = shape
    }
  }

  public struct Signature: Sendable, Codable, Equatable {
    public let metaGraph: Int
    public let key: String
    public let methodName: String
    public let inputs: [SignatureTensor]
    public let outputs: [SignatureTensor]

    package init(metaGraph: Int, key: String, methodName: String, inputs: [SignatureTensor], outputs: [SignatureTensor])
    {
      self.metaGraph = metaGraph
      self.key = key
      self.methodName = methodName
      self.inputs = inputs
      self.outputs = outputs
    }
  }

  public struct MetaGraph: Sendable, Codable, Equatable {
    public let tags: [String]
    public let tensorflowVersion: String

    package init(tags: [String], tensorflowVersion: String) {
      self.tags = tags
      self.tensorflowVersion = tensorflowVersion
    }
  }

  public typealias Fingerprint = StoredFingerprint

  public let version: VersionSummary
  public let files: [File]
  public let metaGraphs: [MetaGraph]
  public let signatures: [Signature]
  public let tensorCount: Int
  public let tensorBytes: Int64
  public let metadata: [String: String]
  public let fingerprint: Fingerprint?
  public let sharing: Sharing

  package init(
    version: VersionSummary, files: [File], metaGraphs: [MetaGraph], signatures: [Signature], tensorCount: Int,
    tensorBytes: Int64, metadata: [String: String], fingerprint: Fingerprint?, sharing: Sharing
  ) {
    self.version = version
    self.files = files
    self.metaGraphs = metaGraphs
    self.signatures = signatures
    self.tensorCount = tensorCount
    self.tensorBytes = tensorBytes
    self.metadata = metadata
    self.fingerprint = fingerprint
    self.sharing = sharing
  }
}

/// One tensor of a version's variables bundle, as the catalog records it.
public struct TensorRow: Sendable, Codable, Equatable {
  public let name: String
  public let dtype: String
  public let shape: [Int64]
  public let crc32c: UInt32
  public let shard: Int
  public let offset: Int64
  public let size: Int64
  /// The object holding the whole tensor, when it is one object.
  public let digest: Digest?

  package init(
    name: String, dtype: String, shape: [Int64], crc32c: UInt32, shard: Int, offset: Int64, size: Int64, digest: Digest?
  ) {
    self.name = name
    self.dtype = dtype
    self.shape = shape
    self.crc32c = crc32c
    self.shard = shard
    self.offset = offset
    self.size = size
    self.digest = digest
  }
}

/// `fingerprint.pb` as stored, and whether it agreed with the files at push time.
public struct StoredFingerprint: Sendable, Codable, Equatable {
  public let producer: Int
  public let savedModelChecksum: String
  public let graphDefProgramHash: String
  public let signatureDefHash: String
  public let savedObjectGraphHash: String
  public let checkpointHash: String
  public let uuid: String
  public let status: String
  public init(
    producer: Int, savedModelChecksum: String, graphDefProgramHash: String, signatureDefHash: String,
    savedObjectGraphHash: String, checkpointHash: String, uuid: String, status: String
  ) {
    self.producer = producer
    self.savedModelChecksum = savedModelChecksum
    self.graphDefProgramHash = graphDefProgramHash
    self.signatureDefHash = signatureDefHash
    self.savedObjectGraphHash = savedObjectGraphHash
    self.checkpointHash = checkpointHash
    self.uuid = uuid
    self.status = status
  }
}

/// What an entry of a version's file list is.
public enum FileKind: String, Sendable, Codable {
  case file
  case directory
}
