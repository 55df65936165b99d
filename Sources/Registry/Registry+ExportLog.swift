import Catalog
import Foundation
import RegistryCore

/// Where a version was exported to: one `export` event each, kept in the event log.
public struct ExportRecord: Sendable, Equatable {
  public let model: String
  public let version: Int
  /// The registry's `HOST[:PORT]`, for exports to a registry; nil for layouts and archives.
  public let host: String?
  public let repository: String?
  public let destination: String
  public let tag: String
  public let digest: String

  public init(
    model: String, version: Int, host: String?, repository: String?, destination: String, tag: String, digest: String
  ) {
    self.model = model
    self.version = version
    self.host = host
    self.repository = repository
    self.destination = destination
    self.tag = tag
    self.digest = digest
  }
}

extension Registry {
  /// Records an export in the event log (`export`), so the catalog can say where a version went
  /// and a later export to the same registry can mount its blobs from there.
  public func recordExport(_ record: ExportRecord) throws(RegistryError) {
    var detail = ["destination": record.destination, "tag": record.tag, "digest": record.digest]
    detail["host"] = record.host
    detail["repository"] = record.repository
    do {
      try catalog.recordExport(actor: Self.actor, model: record.model, version: record.version, detail: detail)
    } catch {
      throw RegistryError(error)
    }
  }

  /// The newest exports to registry `host`, newest first (at most `limit` events read).
  public func exports(toHost host: String, limit: Int = 200) throws(RegistryError) -> [ExportRecord] {
    try events(model: nil, action: "export", before: nil, limit: limit).compactMap { event in
      guard let model = event.model, let version = event.version,
        let detail = try? JSONSerialization.jsonObject(with: Data(event.detail.utf8)) as? [String: String],
        detail["host"] == host, let destination = detail["destination"], let tag = detail["tag"],
        let digest = detail["digest"]
      else { return nil }
      return ExportRecord(
        model: model, version: version, host: host, repository: detail["repository"], destination: destination,
        tag: tag, digest: digest)
    }
  }
}
