import Registry
import RegistryCore

/// Cross-repository mounts: a blob this store once exported to another repository of the same
/// registry is linked from there (`POST …/blobs/uploads/?mount=&from=`) instead of sent again,
/// which is what moving a fine-tune to a new repository costs: its new objects only. Where the
/// blobs went is read from the store's own `export` events, so no guessing and no listing of
/// other repositories.
extension Transfer {
  /// How many of the newest exports to the same registry are looked at.
  static let mountSearchLimit = 20

  /// Object digest → the other repositories of `endpoint`'s registry it was exported to, newest
  /// first; empty for layouts and archives.
  static func mountSources(for endpoint: Endpoint, from registry: Registry) -> [Digest: [String]] {
    guard case .registry(let host, let repository, _) = endpoint,
      let records = try? registry.exports(toHost: host)
    else { return [:] }
    var looked = Set<String>()
    var sources: [Digest: [String]] = [:]
    for record in records {
      guard let source = record.repository, source != repository,
        looked.insert("\(source) \(record.model):\(record.version)").inserted,
        looked.count <= mountSearchLimit,
        let version = try? registry.exportedVersion(
          Reference(model: record.model, selector: .number(record.version)))
      else { continue }
      for object in version.objects + (version.card.map { [$0] } ?? [])
      where sources[object.digest]?.contains(source) != true {
        sources[object.digest, default: []].append(source)
      }
    }
    return sources
  }

  /// Records each export in the store's event log; a store that cannot be written (opened
  /// read-only) keeps the exports working and says why in the result.
  static func record(_ results: [ExportResult], endpoint: Endpoint, in registry: Registry) -> String? {
    var host: String?
    var repository: String?
    if case .registry(let registryHost, let registryRepository, _) = endpoint {
      host = registryHost
      repository = registryRepository
    }
    for result in results {
      guard let reference = try? Reference(parsing: result.reference),
        case .number(let number) = reference.selector
      else { continue }
      do {
        try registry.recordExport(
          ExportRecord(
            model: reference.model, version: number, host: host, repository: repository,
            destination: endpoint.with(reference: result.tag).description, tag: result.tag, digest: result.digest))
      } catch {
        return "the export was not recorded in the event log: \(error.message)"
      }
    }
    return nil
  }
}
