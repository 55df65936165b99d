import Checksums
import Foundation
import SavedModelFormat
import Testing

/// Every fixture TensorFlow wrote must read back exactly as TensorFlow describes it.
@Suite("SavedModel fixtures agree with TensorFlow")
struct FixtureConformanceTests {
  @Test("the fixture set is present")
  func fixturesPresent() throws {
    let names = try Fixtures.names()
    #expect(names.count >= 10, "found \(names)")
  }

  @Test("tag sets and signatures match TensorFlow's", arguments: try Fixtures.names())
  func signatures(name: String) throws {
    let facts = try Fixtures.facts(name)
    let inspection = try SavedModelInspection(SavedModelDirectory(url: Fixtures.model(name)))
    #expect(inspection.metaGraphs.map(\.tags) == facts.tags)
    for (metaGraph, expected) in zip(inspection.metaGraphs, facts.signatures) {
      #expect(metaGraph.signatures.map(\.key) == expected.keys.sorted())
      for signature in metaGraph.signatures {
        let want = try #require(expected[signature.key])
        #expect(signature.methodName == want.methodName, "\(signature.key)")
        try compare(signature.inputs, want.inputs, "\(name) \(signature.key) inputs")
        try compare(signature.outputs, want.outputs, "\(name) \(signature.key) outputs")
      }
    }
  }

  private func compare(
    _ actual: [SavedModelInspection.TensorSpec], _ expected: [String: Facts.TensorInfo],
    _ context: String
  ) throws {
    #expect(actual.map(\.key) == expected.keys.sorted(), "\(context)")
    for spec in actual {
      let want = try #require(expected[spec.key])
      #expect(spec.dtype == want.dtype, "\(context) \(spec.key)")
      #expect(spec.shape == want.shape, "\(context) \(spec.key)")
      #expect(spec.tensorName == (want.name ?? ""), "\(context) \(spec.key)")
    }
  }

  @Test("ops, assets, files and keras metadata match", arguments: try Fixtures.names())
  func opsAndFiles(name: String) throws {
    let facts = try Fixtures.facts(name)
    let directory = try SavedModelDirectory(url: Fixtures.model(name))
    let inspection = try SavedModelInspection(directory)
    let functionNames = Set(
      directory.savedModel.metaGraphs.flatMap { $0.graphDef.library.function.map(\.signature.name) })
    let ours = Set(inspection.metaGraphs.flatMap(\.ops))
    #expect(ours == Set(facts.ops).subtracting(functionNames))
    #expect(inspection.hasKerasMetadata == facts.hasKerasMetadata)

    let files = inspection.files.filter { $0.kind == .file }
    #expect(Set(files.map(\.path)) == Set(facts.files.keys))
    for file in files { #expect(file.size == facts.files[file.path]?.size, "\(file.path)") }
    let assetFiles = files.map(\.path).filter { $0.hasPrefix("assets/") }
    #expect(assetFiles.sorted() == facts.assets)
    // Git keeps no empty directories, so a fresh clone lacks the empty `assets/` TF writes.
    let onDisk = Set(inspection.files.filter { $0.kind == .directory }.map(\.path))
    let expectedDirectories = Set(facts.directories).subtracting(facts.emptyDirectories)
    #expect(expectedDirectories.isSubset(of: onDisk))
    #expect(onDisk.isSubset(of: Set(facts.directories)))
  }

  @Test("every bundle entry matches TensorFlow's index", arguments: try Fixtures.names())
  func bundleEntries(name: String) throws {
    let facts = try Fixtures.facts(name)
    let directory = try SavedModelDirectory(url: Fixtures.model(name))
    guard let expected = facts.bundle else {
      #expect(try directory.bundle() == nil)
      return
    }
    let bundle = try #require(try directory.bundle())
    #expect(Int(bundle.header.numShards) == expected.numShards)
    #expect(bundle.shardSizes.count == facts.dataShards)
    #expect(bundle.entries.count == expected.entries.count)
    for entry in bundle.entries {
      let key = entry.name
      #expect(TensorBundle.displayName(entry.key) == Self.factsKey(entry.key))
      let want = try #require(expected.entries[key], "\(key)")
      #expect(entry.dtype.name == want.dtype, "\(key)")
      #expect(entry.shape == want.shape, "\(key)")
      #expect(entry.shard == want.shardId, "\(key)")
      #expect(entry.offset == want.offset, "\(key)")
      #expect(entry.size == want.size, "\(key)")
      #expect(CRC32C.mask(entry.crc32c) == want.crc32c, "\(key)")
    }
    for (variable, want) in facts.variables {
      let entry = try #require(bundle.entry(named: variable), "\(variable)")
      #expect(entry.shape == want.shape, "\(variable)")
      #expect(entry.dtype.name == want.dtype, "\(variable)")
    }
  }

  /// The facts file names binary (slice) keys `hex:<bytes>`.
  static func factsKey(_ key: [UInt8]) -> String {
    if let text = String(validating: key, as: UTF8.self),
      text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
    {
      return text
    }
    return "hex:" + key.map { String(format: "%02x", $0) }.joined()
  }

  @Test("verify passes and every fingerprint hash matches", arguments: try Fixtures.names())
  func verification(name: String) throws {
    let facts = try Fixtures.facts(name)
    let report = SavedModelVerifier.verify(Fixtures.model(name))
    #expect(report.failures.isEmpty, "\(report.failures)")
    #expect(report.passed)
    // A partitioned tensor's own entry only lists its slices; the slices are checked.
    let stored = facts.bundle?.entries.values.filter { $0.slices.isEmpty }.count ?? 0
    #expect(report.tensorsChecked == stored)
    #expect(report.unreferencedShardBytes == 0)
    guard let fingerprintFacts = facts.fingerprint?.proto else {
      #expect(report.fingerprint == nil)
      return
    }
    let fingerprint = try #require(report.fingerprint)
    let expected = [
      "checkpoint_hash": fingerprintFacts.checkpointHash,
      "saved_model_checksum": fingerprintFacts.savedModelChecksum,
      "graph_def_program_hash": fingerprintFacts.graphDefProgramHash,
      "signature_def_hash": fingerprintFacts.signatureDefHash,
      "saved_object_graph_hash": fingerprintFacts.savedObjectGraphHash,
    ]
    #expect(fingerprint.fields.count == 5)
    for field in fingerprint.fields {
      #expect(field.stored == expected[field.name], "\(field.name)")
      #expect(field.status == .matches, "\(name) \(field.name): \(field.computed ?? "-")")
    }
  }

  @Test("a string tensor reads back as its strings")
  func stringTensor() throws {
    // Every TF2 bundle holds the object graph as a DT_STRING scalar.
    let name = try #require(
      try Fixtures.names().first { (try? Fixtures.facts($0).bundle?.entries["_CHECKPOINTABLE_OBJECT_GRAPH"]) != nil })
    let bundle = try #require(try SavedModelDirectory(url: Fixtures.model(name)).bundle())
    let entry = try #require(bundle.entry(named: "_CHECKPOINTABLE_OBJECT_GRAPH"))
    let strings = try bundle.strings(of: entry)
    #expect(strings.count == 1)
    #expect(Int64(strings[0].count) < entry.size)
  }
}
