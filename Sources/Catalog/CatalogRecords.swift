import RegistryCore

/// Plain values the catalog reads and writes, so that no other module sees GRDB.

/// What a push records: one version and every row derived from it.
package struct NewVersion: Sendable {
  package struct File: Sendable {
    package let path: String
    package let kind: FileKind
    package let mode: Int
    package let size: Int64?
    package let sha256: Digest?
    /// (offset in file, digest, size), in order.
    package let objects: [(offset: Int64, digest: Digest, size: Int64)]
    package init(
      path: String, kind: FileKind, mode: Int, size: Int64?, sha256: Digest?,
      objects: [(offset: Int64, digest: Digest, size: Int64)]
    ) {
      self.path = path
      self.kind = kind
      self.mode = mode
      self.size = size
      self.sha256 = sha256
      self.objects = objects
    }
  }

  package struct Object: Sendable {
    package let digest: Digest
    package let size: Int64
    package let storedSize: Int64
    package let encoding: ObjectEncoding
    package init(digest: Digest, size: Int64, storedSize: Int64, encoding: ObjectEncoding) {
      self.digest = digest
      self.size = size
      self.storedSize = storedSize
      self.encoding = encoding
    }
  }

  package struct Tensor: Sendable {
    package let name: String
    package let dtype: String
    package let shapeJSON: String
    package let crc32c: UInt32
    package let shard: Int
    package let offset: Int64
    package let size: Int64
    package let digest: Digest?
    package init(
      name: String, dtype: String, shapeJSON: String, crc32c: UInt32, shard: Int, offset: Int64, size: Int64,
      digest: Digest?
    ) {
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

  package struct SignatureTensor: Sendable {
    package let direction: String
    package let name: String
    package let tensorName: String
    package let dtype: String
    package let shapeJSON: String?
    package init(direction: String, name: String, tensorName: String, dtype: String, shapeJSON: String?) {
      self.direction = direction
      self.name = name
      self.tensorName = tensorName
      self.dtype = dtype
      self.shapeJSON = shapeJSON
    }
  }

  package struct Signature: Sendable {
    package let metaGraph: Int
    package let key: String
    package let methodName: String
    package let tensors: [SignatureTensor]
    package init(metaGraph: Int, key: String, methodName: String, tensors: [SignatureTensor]) {
      self.metaGraph = metaGraph
      self.key = key
      self.methodName = methodName
      self.tensors = tensors
    }
  }

  package struct MetaGraph: Sendable {
    package let tagsJSON: String
    package let tensorflowVersion: String
    package init(tagsJSON: String, tensorflowVersion: String) {
      self.tagsJSON = tagsJSON
      self.tensorflowVersion = tensorflowVersion
    }
  }

  package typealias Fingerprint = StoredFingerprint

  /// A model card that arrives with the version (an import brings the exporter's card): its
  /// Markdown object, already durable in the store, recorded in the version's transaction.
  package struct Card: Sendable {
    /// The card's object as the `objects` table records it.
    package struct Object: Sendable {
      package let digest: Digest
      /// Bytes of Markdown.
      package let size: Int64
      /// Bytes on disk.
      package let storedSize: Int64
      /// `identity` or `zlib`.
      package let encoding: String
      package init(digest: Digest, size: Int64, storedSize: Int64, encoding: String) {
        self.digest = digest
        self.size = size
        self.storedSize = storedSize
        self.encoding = encoding
      }
    }

    package let object: Object
    /// Who the `card.set` event names.
    package let setBy: String
    package init(object: Object, setBy: String) {
      self.object = object
      self.setBy = setBy
    }
  }

  package var model: String
  package var createdBy: String
  /// When the version was made; `nil` is now. An import keeps the exporter's time.
  package var createdAt: String?
  package var sourcePath: String?
  package var message: String?
  package var manifest: Digest
  package var logicalBytes: Int64
  package var parent: VersionID?
  package var files: [File] = []
  package var objects: [Object] = []
  package var tensors: [Tensor] = []
  package var metaGraphs: [MetaGraph] = []
  package var signatures: [Signature] = []
  package var ops: [String] = []
  package var fingerprint: Fingerprint?
  package var metadata: [String: String] = [:]
  package var aliases: [String] = []
  package var card: Card?

  package init(model: String, createdBy: String, manifest: Digest, logicalBytes: Int64) {
    self.model = model
    self.createdBy = createdBy
    self.manifest = manifest
    self.logicalBytes = logicalBytes
  }
}

/// What inserting a version did.
package enum InsertOutcome: Sendable, Equatable {
  /// A new version was made with this number.
  case created(VersionSummary)
  /// The latest version already has the same manifest; nothing was inserted.
  case unchanged(VersionSummary)
}
