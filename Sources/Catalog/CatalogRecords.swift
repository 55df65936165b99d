/// Plain values the catalog reads and writes, so that no other module sees GRDB.

/// What a push records: one version and every row derived from it.
public struct NewVersion: Sendable {
  public struct File: Sendable {
    public let path: String
    public let kind: String
    public let mode: Int
    public let size: Int64?
    public let sha256: String?
    /// (offset in file, digest, size), in order.
    public let objects: [(offset: Int64, digest: String, size: Int64)]
    public init(path: String, kind: String, mode: Int, size: Int64?, sha256: String?, objects: [(offset: Int64, digest: String, size: Int64)]) {
      self.path = path
      self.kind = kind
      self.mode = mode
      self.size = size
      self.sha256 = sha256
      self.objects = objects
    }
  }

  public struct Object: Sendable {
    public let digest: String
    public let size: Int64
    public let storedSize: Int64
    public let encoding: String
    public init(digest: String, size: Int64, storedSize: Int64, encoding: String) {
      self.digest = digest
      self.size = size
      self.storedSize = storedSize
      self.encoding = encoding
    }
  }

  public struct Tensor: Sendable {
    public let name: String
    public let dtype: String
    public let shapeJSON: String
    public let crc32c: UInt32
    public let shard: Int
    public let offset: Int64
    public let size: Int64
    public let digest: String?
    public init(name: String, dtype: String, shapeJSON: String, crc32c: UInt32, shard: Int, offset: Int64, size: Int64, digest: String?) {
      self.name = name
      self.dtype = dtype
      self.shapeJSON = shapeJSON
      self.crc32c = crc32c
      self.shard = shard
      self.offset = offset
      self.size = size
      self.digest = digest
    }
  }

  public struct SignatureTensor: Sendable {
    public let direction: String
    public let name: String
    public let tensorName: String
    public let dtype: String
    public let shapeJSON: String?
    public init(direction: String, name: String, tensorName: String, dtype: String, shapeJSON: String?) {
      self.direction = direction
      self.name = name
      self.tensorName = tensorName
      self.dtype = dtype
      self.shapeJSON = shapeJSON
    }
  }

  public struct Signature: Sendable {
    public let metaGraph: Int
    public let key: String
    public let methodName: String
    public let tensors: [SignatureTensor]
    public init(metaGraph: Int, key: String, methodName: String, tensors: [SignatureTensor]) {
      self.metaGraph = metaGraph
      self.key = key
      self.methodName = methodName
      self.tensors = tensors
    }
  }

  public struct MetaGraph: Sendable {
    public let tagsJSON: String
    public let tensorflowVersion: String
    public init(tagsJSON: String, tensorflowVersion: String) {
      self.tagsJSON = tagsJSON
      self.tensorflowVersion = tensorflowVersion
    }
  }

  /// `fingerprint.pb` as stored, and whether it agreed with the files at push time.
  public struct Fingerprint: Sendable, Codable, Equatable {
    public let producer: Int
    public let savedModelChecksum: String
    public let graphDefProgramHash: String
    public let signatureDefHash: String
    public let savedObjectGraphHash: String
    public let checkpointHash: String
    public let uuid: String
    public let status: String
    public init(producer: Int, savedModelChecksum: String, graphDefProgramHash: String, signatureDefHash: String, savedObjectGraphHash: String, checkpointHash: String, uuid: String, status: String) {
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

  public var model: String
  public var createdBy: String
  public var sourcePath: String?
  public var message: String?
  public var manifest: String
  public var logicalBytes: Int64
  public var parent: VersionID?
  public var files: [File] = []
  public var objects: [Object] = []
  public var tensors: [Tensor] = []
  public var metaGraphs: [MetaGraph] = []
  public var signatures: [Signature] = []
  public var ops: [String] = []
  public var fingerprint: Fingerprint?
  public var metadata: [String: String] = [:]
  public var aliases: [String] = []

  public init(model: String, createdBy: String, manifest: String, logicalBytes: Int64) {
    self.model = model
    self.createdBy = createdBy
    self.manifest = manifest
    self.logicalBytes = logicalBytes
  }
}

/// A version's row id.
public struct VersionID: Hashable, Sendable, Codable {
  public let rawValue: Int64
  public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// One version as `list` and `show` describe it.
public struct VersionSummary: Sendable, Codable, Equatable {
  public let id: VersionID
  public let model: String
  public let number: Int
  public let createdAt: String
  public let createdBy: String
  public let sourcePath: String?
  public let message: String?
  public let manifest: String
  public let fileCount: Int
  public let logicalBytes: Int64
  public let newObjects: Int
  public let newBytes: Int64
  public let storedBytes: Int64
  public let parent: String?
  public let aliases: [String]

  /// `NAME:NUMBER`.
  public var reference: String { "\(model):\(number)" }
}

/// One model as `list` describes it.
public struct ModelSummary: Sendable, Codable, Equatable {
  public let name: String
  public let createdAt: String
  public let versionCount: Int
  public let latestVersion: Int?
  public let latestAt: String?
  public let logicalBytes: Int64
  public let aliases: [String: Int]
}

/// What inserting a version did.
public enum InsertOutcome: Sendable, Equatable {
  /// A new version was made with this number.
  case created(VersionSummary)
  /// The latest version already has the same manifest; nothing was inserted.
  case unchanged(VersionSummary)
}

/// The bytes of a version's objects that no other live version references, and the rest.
public struct Sharing: Sendable, Codable, Equatable {
  public let objects: Int
  public let bytes: Int64
  public let uniqueObjects: Int
  public let uniqueBytes: Int64
  public let sharedObjects: Int
  public let sharedBytes: Int64
}
