import Checksums
import Foundation
import RegistryCore
import SavedModelFormat
import TFProto
import Testing

/// Damaged input must give a `FormatError` that names the file and the problem: never a crash,
/// never silent success.
@Suite("Bad input is reported, never trusted")
struct BadInputTests {
  /// A TF2 fixture with a string tensor in its bundle and a fingerprint.
  static let fixture = "module_two_signatures"

  private func expectError(
    kind: ErrorCategory, fileSuffix: String, mentioning words: String,
    _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    do {
      try body()
      Issue.record("expected a \(kind) error about \(fileSuffix)", sourceLocation: sourceLocation)
    } catch let error as FormatError {
      #expect(error.category == kind, "\(error)", sourceLocation: sourceLocation)
      #expect(error.path.hasSuffix(fileSuffix), "\(error)", sourceLocation: sourceLocation)
      #expect(error.problem.contains(words), "\(error)", sourceLocation: sourceLocation)
    } catch {
      Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
    }
  }

  private func rewrite(_ url: URL, _ change: (inout [UInt8]) -> Void) throws {
    var bytes = [UInt8](try Data(contentsOf: url))
    change(&bytes)
    try Data(bytes).write(to: url)
  }

  // MARK: Tables

  @Test("a table built in the test reads back entry for entry")
  func tableRoundTrip() throws {
    var builder = TableBuilder()
    builder.entries = [([], [1, 2]), (Array("a".utf8), [3]), (Array("b/c".utf8), [])]
    let table = try LevelDBTable(bytes: builder.build(), file: "t.index")
    #expect(table.entries.map(\.key) == builder.entries.map(\.key))
    #expect(table.entries.map(\.value) == builder.entries.map(\.value))
    #expect(table.value(forKey: Array("a".utf8)) == [3])
    #expect(table.value(forKey: Array("zz".utf8)) == nil)
  }

  @Test("a lying value length behind a valid block CRC is caught")
  func lyingLength() {
    var builder = TableBuilder()
    builder.entries = [(Array("a".utf8), [1, 2, 3])]
    let bytes = builder.build { block in block[2] = 0x7F }  // value_len 3 -> 127
    expectError(kind: .corrupted, fileSuffix: "t.index", mentioning: "claims 127 bytes") {
      _ = try LevelDBTable(bytes: bytes, file: "t.index")
    }
  }

  @Test("an over-long varint behind a valid block CRC is caught")
  func overlongVarint() {
    var builder = TableBuilder()
    builder.entries = [(Array("a".utf8), [1])]
    let bytes = builder.build { block in
      block.replaceSubrange(0..<1, with: [UInt8](repeating: 0xFF, count: 11))
    }
    expectError(kind: .corrupted, fileSuffix: "t.index", mentioning: "varint") {
      _ = try LevelDBTable(bytes: bytes, file: "t.index")
    }
  }

  @Test("keys out of order are caught")
  func unsortedKeys() {
    var builder = TableBuilder()
    builder.entries = [(Array("b".utf8), [1]), (Array("a".utf8), [2])]
    expectError(kind: .corrupted, fileSuffix: "t.index", mentioning: "increasing") {
      _ = try LevelDBTable(bytes: builder.build(), file: "t.index")
    }
  }

  @Test("every flipped byte in a real index's blocks fails its CRC, every truncation fails")
  func flippedAndTruncatedIndex() throws {
    let url = Fixtures.model(Self.fixture).appendingPathComponent("variables/variables.index")
    let original = [UInt8](try Data(contentsOf: url))
    let blocksEnd = original.count - 48
    for position in 0..<blocksEnd {
      var damaged = original
      damaged[position] ^= 0x20
      #expect(throws: FormatError.self, "byte \(position)") {
        _ = try LevelDBTable(bytes: damaged, file: "variables.index")
      }
    }
    for length in 0..<original.count {
      #expect(throws: FormatError.self, "length \(length)") {
        _ = try LevelDBTable(bytes: Array(original[0..<length]), file: "variables.index")
      }
    }
  }

  // MARK: Bundles

  @Test("a flipped byte in a tensor fails verification, naming the shard and the tensor")
  func flippedTensorByte() throws {
    let copy = try Fixtures.scratchCopy(Self.fixture)
    let bundle = try #require(try SavedModelDirectory(url: copy).bundle())
    let entry = try #require(bundle.entries.first { $0.dtype.name == "DT_FLOAT" && $0.size > 0 })
    let shard = bundle.shardURL(for: entry)
    try rewrite(shard) { $0[Int(entry.offset)] ^= 0x01 }
    let report = SavedModelVerifier.verify(copy)
    #expect(!report.passed)
    #expect(report.failures.count == 1)
    let failure = try #require(report.failures.first)
    #expect(failure.kind == .corrupted)
    #expect(failure.file == shard.path)
    #expect(failure.problem.contains(entry.name) && failure.problem.contains("CRC32C mismatch"))
    #expect(throws: FormatError.self) { _ = try bundle.bytes(of: entry) }
  }

  @Test("a flipped byte in a string tensor's payload fails its CRC")
  func flippedStringByte() throws {
    let copy = try Fixtures.scratchCopy(Self.fixture)
    let bundle = try #require(try SavedModelDirectory(url: copy).bundle())
    let entry = try #require(bundle.entry(named: "_CHECKPOINTABLE_OBJECT_GRAPH"))
    try rewrite(bundle.shardURL(for: entry)) { $0[Int(entry.offset + entry.size - 1)] ^= 0x01 }
    let report = SavedModelVerifier.verify(copy)
    #expect(report.failures.map(\.problem).contains { $0.contains("_CHECKPOINTABLE_OBJECT_GRAPH") })
  }

  @Test("a truncated shard is refused on open, naming the index entry and the shard")
  func truncatedShard() throws {
    let copy = try Fixtures.scratchCopy(Self.fixture)
    let shard = copy.appendingPathComponent("variables/variables.data-00000-of-00001")
    try rewrite(shard) { $0.removeLast(3) }
    expectError(
      kind: .corrupted, fileSuffix: "variables.index", mentioning: "past the end of variables.data-00000-of-00001"
    ) {
      _ = try SavedModelDirectory(url: copy).bundle()
    }
  }

  @Test("a missing shard is named")
  func missingShard() throws {
    let copy = try Fixtures.scratchCopy(Self.fixture)
    try FileManager.default.removeItem(at: copy.appendingPathComponent("variables/variables.data-00000-of-00001"))
    expectError(kind: .notFound, fileSuffix: "variables.data-00000-of-00001", mentioning: "cannot read") {
      _ = try SavedModelDirectory(url: copy).bundle()
    }
  }

  @Test("an index entry whose size lies is refused even with valid CRCs")
  func lyingEntrySize() throws {
    let copy = try Fixtures.scratchCopy(Self.fixture)
    let indexURL = copy.appendingPathComponent("variables/variables.index")
    let table = try LevelDBTable(bytes: [UInt8](try Data(contentsOf: indexURL)), file: "index")
    var builder = TableBuilder()
    var lied = ""
    for entry in table.entries {
      guard !entry.key.isEmpty, lied.isEmpty else {
        builder.entries.append((entry.key, entry.value))
        continue
      }
      var proto = try Tensorflow_BundleEntryProto(decoding: entry.value)
      proto.size += 1_000_000
      lied = String(decoding: entry.key, as: UTF8.self)
      builder.entries.append((entry.key, proto.encodedBytes()))
    }
    try Data(builder.build()).write(to: indexURL)
    expectError(kind: .corrupted, fileSuffix: "variables.index", mentioning: lied) {
      _ = try SavedModelDirectory(url: copy).bundle()
    }
  }

  // MARK: Directories and graph files

  @Test("an empty directory is not a SavedModel")
  func emptyDirectory() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    expectError(
      kind: .invalidArgument, fileSuffix: directory.lastPathComponent, mentioning: "not a SavedModel directory"
    ) {
      _ = try SavedModelDirectory(url: directory)
    }
  }

  @Test("a path that does not exist is reported as not found")
  func missingDirectory() {
    expectError(kind: .notFound, fileSuffix: "no-such-model", mentioning: "No such file") {
      _ = try SavedModelDirectory(url: URL(fileURLWithPath: "/tmp/no-such-model"))
    }
  }

  @Test("a saved_model.pb that is not a protobuf is named")
  func garbageGraph() throws {
    let copy = try Fixtures.scratchCopy(Self.fixture)
    try Data("this is not a protobuf\n".utf8).write(to: copy.appendingPathComponent("saved_model.pb"))
    expectError(kind: .corrupted, fileSuffix: "saved_model.pb", mentioning: "not a SavedModel") {
      _ = try SavedModelDirectory(url: copy)
    }
  }

  @Test("a truncated saved_model.pb is named")
  func truncatedGraph() throws {
    let copy = try Fixtures.scratchCopy(Self.fixture)
    try rewrite(copy.appendingPathComponent("saved_model.pb")) { $0.removeLast($0.count / 2) }
    expectError(kind: .corrupted, fileSuffix: "saved_model.pb", mentioning: "not a SavedModel") {
      _ = try SavedModelDirectory(url: copy)
    }
  }

  @Test("a symlink inside the model is refused")
  func symlink() throws {
    let copy = try Fixtures.scratchCopy(Self.fixture)
    try FileManager.default.createSymbolicLink(
      atPath: copy.appendingPathComponent("assets.extra").path, withDestinationPath: "/etc")
    expectError(kind: .invalidArgument, fileSuffix: "assets.extra", mentioning: "symbolic link") {
      _ = try SavedModelDirectory(url: copy)
    }
  }

  @Test("a chunked saved_model.cpb is recognised and reported as unsupported")
  func chunkedGraph() throws {
    let copy = try Fixtures.scratchCopy(Self.fixture)
    try FileManager.default.moveItem(
      at: copy.appendingPathComponent("saved_model.pb"), to: copy.appendingPathComponent("saved_model.cpb"))
    expectError(kind: .unsupported, fileSuffix: "saved_model.cpb", mentioning: "not supported yet") {
      _ = try SavedModelDirectory(url: copy)
    }
  }

  @Test("a tampered fingerprint is a mismatch, and a damaged one is named")
  func tamperedFingerprint() throws {
    let copy = try Fixtures.scratchCopy(Self.fixture)
    let url = copy.appendingPathComponent("fingerprint.pb")
    var fingerprint = try Tensorflow_FingerprintDef(decoding: [UInt8](try Data(contentsOf: url)))
    fingerprint.checkpointHash &+= 1
    fingerprint.signatureDefHash &+= 1
    try Data(fingerprint.encodedBytes()).write(to: url)
    let report = SavedModelVerifier.verify(copy)
    #expect(!report.passed)
    let mismatched = report.fingerprint?.fields.filter { $0.status == .mismatch }.map(\.name)
    #expect(mismatched == ["checkpoint_hash", "signature_def_hash"])

    try rewrite(url) { $0 = [0xFF, 0xFF, 0xFF] }
    expectError(kind: .corrupted, fileSuffix: "fingerprint.pb", mentioning: "not a FingerprintDef") {
      _ = try SavedModelDirectory(url: copy)
    }
  }
}
