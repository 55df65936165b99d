// Values the catalog reads and the registry façade returns: plain data, no GRDB.

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
  public let manifest: Digest
  public let fileCount: Int
  public let logicalBytes: Int64
  public let newObjects: Int
  public let newBytes: Int64
  public let storedBytes: Int64
  public let parent: String?
  public let aliases: [String]

  /// `NAME:NUMBER`.
  public var reference: String { "\(model):\(number)" }

  package init(
    id: VersionID, model: String, number: Int, createdAt: String, createdBy: String, sourcePath: String?,
    message: String?, manifest: Digest, fileCount: Int, logicalBytes: Int64, newObjects: Int, newBytes: Int64,
    storedBytes: Int64, parent: String?, aliases: [String]
  ) {
    self.id = id
    self.model = model
    self.number = number
    self.createdAt = createdAt
    self.createdBy = createdBy
    self.sourcePath = sourcePath
    self.message = message
    self.manifest = manifest
    self.fileCount = fileCount
    self.logicalBytes = logicalBytes
    self.newObjects = newObjects
    self.newBytes = newBytes
    self.storedBytes = storedBytes
    self.parent = parent
    self.aliases = aliases
  }
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

  package init(
    name: String, createdAt: String, versionCount: Int, latestVersion: Int?, latestAt: String?, logicalBytes: Int64,
    aliases: [String: Int]
  ) {
    self.name = name
    self.createdAt = createdAt
    self.versionCount = versionCount
    self.latestVersion = latestVersion
    self.latestAt = latestAt
    self.logicalBytes = logicalBytes
    self.aliases = aliases
  }
}

/// The bytes of a version's objects that no other live version references, and the rest.
public struct Sharing: Sendable, Codable, Equatable {
  public let objects: Int
  public let bytes: Int64
  public let uniqueObjects: Int
  public let uniqueBytes: Int64
  public let sharedObjects: Int
  public let sharedBytes: Int64

  package init(
    objects: Int, bytes: Int64, uniqueObjects: Int, uniqueBytes: Int64, sharedObjects: Int, sharedBytes: Int64
  ) {
    self.objects = objects
    self.bytes = bytes
    self.uniqueObjects = uniqueObjects
    self.uniqueBytes = uniqueBytes
    self.sharedObjects = sharedObjects
    self.sharedBytes = sharedBytes
  }
}

/// Which version of a model a reference names.
public enum VersionSelector: Sendable, Equatable {
  case latest
  case number(Int)
  case alias(String)
}
