import Catalog
import Crypto
import Dispatch
import Foundation
import RegistryCore

/// A synthetic catalog shaped like a busy registry: `versions` versions spread over models of 100
/// versions each; each version has `tensorsPerVersion` tensors (one object each), of which a
/// fine-tune changes a tenth relative to its parent; ops, a serving signature, metadata, aliases.
/// Then every provenance query is timed (median of 15 runs after one warm-up).
enum CatalogBench {
  static func digest(_ text: String) -> RegistryCore.Digest {
    RegistryCore.Digest(bytes: Array(SHA256.hash(data: Data(text.utf8))))
  }

  static func run(directory: URL, versions: Int, tensorsPerVersion: Int) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("catalog.sqlite")
    let fresh = !FileManager.default.fileExists(atPath: path.path)
    let catalog = try Catalog(path: path)
    let perModel = 100
    let models = max(1, versions / perModel)
    let opsPool = [
      "MatMul", "AddV2", "Relu", "Conv2D", "BiasAdd", "Softmax", "Einsum", "While", "GatherV2", "Mean", "Rsqrt", "Mul",
    ]
    if fresh {
      let start = Date()
      var lastTensors: [Int: [RegistryCore.Digest]] = [:]  // each model's latest version's tensor digests
      for index in 0..<versions {
        let model = "model-\(index % models)"
        let number = index / models + 1
        var version = NewVersion(
          model: model, createdBy: "bench@host", manifest: digest("manifest \(index)"), logicalBytes: 1 << 20)
        var tensors: [RegistryCore.Digest] = []
        for t in 0..<tensorsPerVersion {
          // A fine-tune keeps 90% of its parent's tensors (the same model's previous version).
          let keep = number > 1 && t % 10 != 0
          let inherited = keep ? lastTensors[index % models].flatMap { t < $0.count ? $0[t] : nil } : nil
          tensors.append(inherited ?? digest("t \(index) \(t)"))
        }
        lastTensors[index % models] = tensors
        var objects: [(offset: Int64, digest: RegistryCore.Digest, size: Int64)] = []
        for (t, tensorDigest) in tensors.enumerated() {
          version.tensors.append(
            NewVersion.Tensor(
              name: "layer_\(t / 2)/\(t % 2 == 0 ? "kernel" : "bias")/.ATTRIBUTES/VARIABLE_VALUE", dtype: "DT_FLOAT",
              shapeJSON: "[64,64]", crc32c: UInt32(truncatingIfNeeded: t &* 2_654_435_761), shard: 0,
              offset: Int64(t) * 16384,
              size: 16384, digest: tensorDigest))
          objects.append((Int64(t) * 16384, tensorDigest, 16384))
          version.objects.append(
            NewVersion.Object(digest: tensorDigest, size: 16384, storedSize: 16400, encoding: .identity))
        }
        version.files = [
          NewVersion.File(
            path: "variables/variables.data-00000-of-00001", kind: .file, mode: 0o644,
            size: Int64(tensors.count) * 16384,
            sha256: digest("shard \(index)"), objects: objects),
          NewVersion.File(
            path: "saved_model.pb", kind: .file, mode: 0o644, size: 50_000, sha256: digest("pb \(index)"),
            objects: [(0, digest("pb \(index)"), 50_000)]),
        ]
        version.metaGraphs = [NewVersion.MetaGraph(tagsJSON: "[\"serve\"]", tensorflowVersion: "2.21.0")]
        version.signatures = [
          NewVersion.Signature(
            metaGraph: 0, key: "serving_default", methodName: "tensorflow/serving/predict",
            tensors: [
              .init(
                direction: "input", name: "x", tensorName: "serving_default_x:0",
                dtype: index % 7 == 0 ? "DT_STRING" : "DT_FLOAT", shapeJSON: "[-1,64]"),
              .init(
                direction: "output", name: "y", tensorName: "StatefulPartitionedCall:0", dtype: "DT_FLOAT",
                shapeJSON: "[-1,10]"),
            ])
        ]
        version.ops = (0..<6).map { opsPool[(index + $0 * 5) % opsPool.count] }
        version.metadata = ["team": "team-\(index % 13)", "dataset": "ds-\(index % 101)"]
        if number > 1 { version.parent = try catalog.resolve(model: model, .latest).id }
        if number % 10 == 0 { version.aliases = ["prod"] }
        _ = try catalog.insert(version, releasing: nil)
        if index % 1000 == 999 {
          print(String(format: "  inserted %d versions (%.0f s)", index + 1, Date().timeIntervalSince(start)))
        }
      }
      print(
        String(
          format: "built %d versions x %d tensors in %.1f s", versions, tensorsPerVersion,
          Date().timeIntervalSince(start)))
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int) ?? 0
    let rows = try catalog.readOnlySQL(
      "SELECT (SELECT COUNT(*) FROM versions), (SELECT COUNT(*) FROM tensors), (SELECT COUNT(*) FROM file_objects)"
    ).rows[0]
    print(
      "catalog: \(rows[0] ?? "?") versions, \(rows[1] ?? "?") tensor rows, \(rows[2] ?? "?") file_object rows, \(size / 1_000_000) MB"
    )

    let middle = models / 2
    let model = "model-\(middle)"
    let latest = try catalog.resolve(model: model, .latest)
    let tensors = try catalog.tensors(of: latest.id)
    let someDigest = tensors[0].digest?.description ?? ""  // layer_0/bias: inherited by every fine-tune
    var sizes: [String: Int64] = [:]
    for tensor in tensors { sizes[tensor.digest?.description ?? ""] = tensor.size }

    func time(_ name: String, _ body: () throws -> Int) rethrows {
      _ = try body()
      var samples: [Double] = []
      var count = 0
      for _ in 0..<15 {
        let start = DispatchTime.now().uptimeNanoseconds
        count = try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
      }
      samples.sort()
      print(
        "| " + name.padding(toLength: 56, withPad: " ", startingAt: 0)
          + String(format: " | %8.2f ms | %6d |", samples[samples.count / 2], count))
    }
    print("")
    print("| query | median | results |")
    print("|---|---|---|")
    try time("resolve NAME (latest)") {
      _ = try catalog.resolve(model: model, .latest)
      return 1
    }
    try time("resolve NAME@prod") {
      _ = try catalog.resolve(model: model, .alias("prod"))
      return 1
    }
    try time("list models") { try catalog.models().count }
    try time("list versions of one model") { try catalog.versions(of: model).count }
    try time("show (detail with unique/shared bytes)") {
      _ = try catalog.detail(latest.id)
      return 1
    }
    try time("tensors of a version (diff input)") { try catalog.tensors(of: latest.id).count }
    try time("query: versions containing a tensor digest") {
      var query = VersionQuery()
      query.digests = [someDigest]
      return try catalog.query(query).count
    }
    try time("query: versions with a tensor name") {
      var query = VersionQuery()
      query.tensorNames = ["layer_7/bias/.ATTRIBUTES/VARIABLE_VALUE"]
      query.models = [model]
      return try catalog.query(query).count
    }
    try time("query: versions using op Einsum") {
      var query = VersionQuery()
      query.ops = ["Einsum"]
      return try catalog.query(query).count
    }
    try time("query page: newest 200 using op Einsum, and the count") {
      var query = VersionQuery()
      query.ops = ["Einsum"]
      return try catalog.query(query, newest: 200).total
    }
    try time("query: serving input DT_STRING") {
      var query = VersionQuery()
      query.inputDtypes = ["DT_STRING"]
      return try catalog.query(query).count
    }
    try time("query: metadata team=team-3") {
      var query = VersionQuery()
      query.metadata = ["team=team-3"]
      return try catalog.query(query).count
    }
    try time("query: op IN (Einsum, While) OR team=team-3") {
      var query = VersionQuery()
      query.ops = ["Einsum", "While"]
      query.metadata = ["team=team-3"]
      query.matchAll = false
      return try catalog.query(query).count
    }
    try time("query: op Einsum AND DT_STRING input AND dataset=ds-5") {
      var query = VersionQuery()
      query.ops = ["Einsum"]
      query.inputDtypes = ["DT_STRING"]
      query.metadata = ["dataset=ds-5"]
      return try catalog.query(query).count
    }
    try time("lineage: ancestors of the latest (depth 99)") { try catalog.ancestors(of: latest.id).count }
    try time("lineage: descendants of version 1") {
      try catalog.descendants(of: try catalog.resolve(model: model, .number(1)).id).count
    }
    try time("identify / parent hint: versions sharing a directory's objects") {
      try catalog.versionsSharing(objects: sizes, limit: 5).count
    }
    try time("history of a model (log)") { try catalog.history(of: model).count }
    try time("events (latest 100)") { try catalog.events(limit: 100).count }
    try time("store totals (objects, versions, last gc and fsck, growth)") {
      try catalog.storeTotals().growth.count
    }
  }

}
