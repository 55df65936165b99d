import Foundation
import RegistryCore

/// An OCI content descriptor (image-spec `descriptor.md`).
public struct Descriptor: Sendable, Codable, Equatable {
  public var mediaType: String
  public var digest: Digest
  public var size: Int64
  public var artifactType: String?
  public var annotations: [String: String]?

  public init(
    mediaType: String, digest: Digest, size: Int64, artifactType: String? = nil, annotations: [String: String]? = nil
  ) {
    self.mediaType = mediaType
    self.digest = digest
    self.size = size
    self.artifactType = artifactType
    self.annotations = annotations
  }

  /// The descriptor of these bytes.
  public static func of(_ bytes: [UInt8], mediaType: String) -> Descriptor {
    Descriptor(mediaType: mediaType, digest: Digest.sha256(bytes), size: Int64(bytes.count))
  }
}

/// An OCI image manifest (image-spec `manifest.md`), as much of it as an artifact uses.
public struct ImageManifest: Sendable, Codable, Equatable {
  public var schemaVersion = 2
  public var mediaType: String? = MediaType.imageManifest
  public var artifactType: String?
  public var config: Descriptor
  public var layers: [Descriptor]
  public var annotations: [String: String]?

  public init(artifactType: String?, config: Descriptor, layers: [Descriptor], annotations: [String: String]?) {
    self.artifactType = artifactType
    self.config = config
    self.layers = layers
    self.annotations = annotations
  }
}

/// An OCI image index: the `index.json` of an image layout.
public struct ImageIndex: Sendable, Codable, Equatable {
  public var schemaVersion = 2
  public var mediaType: String? = MediaType.imageIndex
  public var manifests: [Descriptor]
  public var annotations: [String: String]?

  public init(manifests: [Descriptor]) {
    self.manifests = manifests
  }
}

/// The JSON encodings we write: keys sorted and slashes unescaped, so the same artifact always
/// has the same bytes and digests. Public for the fuzz target that feeds it hostile documents.
public enum CanonicalJSON {
  public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Our documents hold only strings, integers and dictionaries of them: encoding cannot fail.
    return Array((try? encoder.encode(value)) ?? Data())
  }

  /// Decodes a document from another party, naming it in the error.
  public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws(RemoteError) -> T {
    do {
      return try JSONDecoder().decode(type, from: Data(bytes))
    } catch {
      throw RemoteError(.invalidArgument, "\(what) is not valid: \(Self.describe(error))")
    }
  }

  private static func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, _): "missing \"\(key.stringValue)\""
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    case DecodingError.dataCorrupted(let context):
      context.codingPath.isEmpty
        ? "not JSON" : "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    default: "\(error)"
    }
  }
}
