import Foundation
import GRDB
import RegistryCore

extension Catalog {
  /// The full description of a version for `show`.
  package func detail(_ id: VersionID) throws(CatalogError) -> VersionDetail {
    try read { db in
      let version = try summary(db, id)
      let files = try Row.fetchAll(
        db, sql: "SELECT * FROM files WHERE version_id = ? ORDER BY path", arguments: [id.rawValue]
      ).map { row in
        try VersionDetail.File(
          path: row["path"], kind: row.fileKind("kind"), mode: row["mode"], size: row["size"],
          sha256: row.optionalDigest("sha256"))
      }
      let metaGraphs = try Row.fetchAll(
        db, sql: "SELECT * FROM meta_graphs WHERE version_id = ? ORDER BY position", arguments: [id.rawValue]
      ).map { row in
        VersionDetail.MetaGraph(tags: Self.decodeJSON(row["tags"]) ?? [], tensorflowVersion: row["tensorflow_version"])
      }
      let tensorRows = try Row.fetchAll(
        db, sql: "SELECT * FROM signature_tensors WHERE version_id = ? ORDER BY meta_graph, signature, direction, name",
        arguments: [id.rawValue])
      let signatures = try Row.fetchAll(
        db, sql: "SELECT * FROM signatures WHERE version_id = ? ORDER BY meta_graph, key", arguments: [id.rawValue]
      ).map { row -> VersionDetail.Signature in
        let metaGraph: Int = row["meta_graph"]
        let key: String = row["key"]
        let mine = tensorRows.filter { ($0["meta_graph"] as Int) == metaGraph && ($0["signature"] as String) == key }
        func tensors(_ direction: String) -> [VersionDetail.SignatureTensor] {
          mine.filter { ($0["direction"] as String) == direction }.map { row in
            VersionDetail.SignatureTensor(
              name: row["name"], tensorName: row["tensor_name"], dtype: row["dtype"],
              shape: (row["shape"] as String?).flatMap { Self.decodeJSON($0) })
          }
        }
        return VersionDetail.Signature(
          metaGraph: metaGraph, key: key, methodName: row["method_name"], inputs: tensors("input"),
          outputs: tensors("output"))
      }
      let tensorTotals = try Row.fetchOne(
        db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM tensors WHERE version_id = ?",
        arguments: [id.rawValue])
      let metadata = try Row.fetchAll(
        db, sql: "SELECT key, value FROM metadata WHERE version_id = ? ORDER BY key", arguments: [id.rawValue])
      let fingerprint = try Row.fetchOne(
        db, sql: "SELECT * FROM fingerprints WHERE version_id = ?", arguments: [id.rawValue]
      ).map { row in
        VersionDetail.Fingerprint(
          producer: row["producer"], savedModelChecksum: row["saved_model_checksum"],
          graphDefProgramHash: row["graph_def_program_hash"], signatureDefHash: row["signature_def_hash"],
          savedObjectGraphHash: row["saved_object_graph_hash"], checkpointHash: row["checkpoint_hash"],
          uuid: row["uuid"], status: row["status"])
      }
      return VersionDetail(
        version: version, files: files, metaGraphs: metaGraphs, signatures: signatures,
        tensorCount: tensorTotals?["n"] ?? 0, tensorBytes: tensorTotals?["bytes"] ?? 0,
        metadata: Dictionary(uniqueKeysWithValues: metadata.map { ($0["key"] as String, $0["value"] as String) }),
        fingerprint: fingerprint, sharing: try sharing(db, id))
    }
  }

  /// Splits a version's distinct objects into those only it references (among live versions)
  /// and those it shares.
  func sharing(_ db: Database, _ id: VersionID) throws -> Sharing {
    let row = try Row.fetchOne(
      db,
      sql: """
        WITH mine AS (SELECT DISTINCT digest, size FROM file_objects WHERE version_id = ?1),
        marked AS (
          SELECT size, EXISTS (
            SELECT 1 FROM file_objects o JOIN versions v ON v.id = o.version_id
            WHERE o.digest = mine.digest AND o.version_id != ?1 AND v.removed_at IS NULL) AS shared
          FROM mine)
        SELECT COUNT(*) AS objects, COALESCE(SUM(size), 0) AS bytes,
               COALESCE(SUM(shared), 0) AS shared_objects, COALESCE(SUM(CASE WHEN shared THEN size END), 0) AS shared_bytes
        FROM marked
        """, arguments: [id.rawValue])
    let objects: Int = row?["objects"] ?? 0
    let bytes: Int64 = row?["bytes"] ?? 0
    let sharedObjects: Int = row?["shared_objects"] ?? 0
    let sharedBytes: Int64 = row?["shared_bytes"] ?? 0
    return Sharing(
      objects: objects, bytes: bytes, uniqueObjects: objects - sharedObjects, uniqueBytes: bytes - sharedBytes,
      sharedObjects: sharedObjects, sharedBytes: sharedBytes)
  }

  static func decodeJSON<T: Decodable>(_ text: String) -> T? {
    try? JSONDecoder().decode(T.self, from: Data(text.utf8))
  }
}

extension Catalog {
  /// A version's tensors, by name.
  package func tensors(of id: VersionID) throws(CatalogError) -> [TensorRow] {
    try read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM tensors WHERE version_id = ? ORDER BY name", arguments: [id.rawValue])
        .map { row in
          TensorRow(
            name: row["name"], dtype: row["dtype"], shape: Self.decodeJSON(row["shape"]) ?? [],
            crc32c: UInt32(truncatingIfNeeded: row["crc32c"] as Int64), shard: row["shard"], offset: row["offset"],
            size: row["size"], digest: try row.optionalDigest("digest"))
        }
    }
  }
}

extension Catalog {
  /// The op types a version's graphs use, sorted.
  package func ops(of id: VersionID) throws(CatalogError) -> [String] {
    try read { db in
      try String.fetchAll(db, sql: "SELECT op FROM ops WHERE version_id = ? ORDER BY op", arguments: [id.rawValue])
    }
  }
}
