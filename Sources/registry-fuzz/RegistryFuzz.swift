// registry-fuzz: libFuzzer targets for the readers of untrusted bytes, and a replay mode.
//
// Built with `-sanitize=fuzzer` and `-DFUZZING` (Scripts/fuzz.sh), `main` hands over to libFuzzer's
// driver, which calls `LLVMFuzzerTestOneInput` below with the target named by `REGISTRY_FUZZ_TARGET`.
// Built normally (`swift build`), `main` is the replay mode: it runs every file of the corpus
// directories it is given through a target (Scripts/fuzz-ci.sh), so CI replays the committed
// corpora and crash files with no sanitizer build:
//
//   registry-fuzz replay TARGET PATH...   every file under each PATH; exit 1 if a check failed
//   registry-fuzz list                    the target names
//
// A target must never trap, whatever the bytes. Beyond that, each checks what must hold for
// input the reader accepted (a round trip gives the same value, bounds the reader promised);
// a broken check traps when fuzzing, so libFuzzer keeps the input, and is counted in replay.
import Checksums
import ContentStore
import Foundation
import NumPyFormat
import RegistryCore
import Remote
import SavedModelFormat
import SwiftProtobuf
import TFProto
import TensorIO
import TensorKernels
import TextKernels

// MARK: - Targets

/// Every target, by the name `REGISTRY_FUZZ_TARGET` and `replay` take.
enum FuzzTarget: String, CaseIterable {
  /// `saved_model.pb` (and `fingerprint.pb`) through `SavedModelDirectory`, then inspection and
  /// the fingerprint hashes.
  case savedModel = "savedmodel"
  /// `saved_model.pbtxt` through `SavedModelDirectory`.
  case savedModelText = "savedmodel-text"
  /// `variables.index` through `LevelDBTable` and `TensorBundle` (the input also serves as
  /// every data shard), then each tensor's bytes and CRC layout.
  case bundle
  /// A stored manifest through `Manifest(decoding:subject:)`.
  case manifest
  /// An object file (header, identity or zlib) through `ObjectStore.read`.
  case object
  /// A `.npy` file through `NPYArray(npy:)` and `TensorFiles.tensor(from:)`.
  case npy
  /// A JSON input through `JSONSerialization` and `JSONTensor.tensor(from:dtype:file:)`.
  case json
  /// `pattern NUL text NUL rewrite` through `RegexPattern` (RE2): compile, full match, replace.
  case regex
  /// A serialized `tf.Example` through `ExampleParsing`, alone and in a batch, with every kind of
  /// feature configured.
  case example
  /// What `registry import` reads from a registry or layout: a pack layer through `Pack.decode`,
  /// and the image manifest, image index and artifact config through `CanonicalJSON`.
  case artifact

  func run(_ bytes: [UInt8]) {
    switch self {
    case .savedModel: Targets.savedModel(bytes)
    case .savedModelText: Targets.savedModelText(bytes)
    case .bundle: Targets.bundle(bytes)
    case .manifest: Targets.manifest(bytes)
    case .object: Targets.object(bytes)
    case .npy: Targets.npy(bytes)
    case .json: Targets.json(bytes)
    case .regex: Targets.regex(bytes)
    case .example: Targets.example(bytes)
    case .artifact: Targets.artifact(bytes)
    }
  }
}

enum Targets {
  static func savedModel(_ bytes: [UInt8]) {
    let source = MemorySource(files: ["saved_model.pb": bytes, "fingerprint.pb": bytes])
    guard let directory = try? SavedModelDirectory(source: source) else { return }
    check(!directory.savedModel.metaGraphs.isEmpty, "an opened SavedModel has no meta graph")
    _ = SavedModelInspection(directory, bundle: nil)
    _ = FingerprintComputer.savedModelChecksum(directory.savedModel)
    _ = FingerprintComputer.graphDefProgramHash(directory.savedModel)
    _ = FingerprintComputer.signatureDefHash(directory.savedModel)
    _ = FingerprintComputer.savedObjectGraphHash(directory.savedModel)
    if let fingerprint = directory.fingerprint {
      _ = FingerprintReport(
        stored: fingerprint, model: directory.savedModel, fromBinaryGraph: true, indexBytes: bytes)
    }
    // The canonical encoding is what fingerprints hash: it must decode to the same model.
    let again = try? Tensorflow_SavedModel(decoding: directory.savedModel.canonicalBytes())
    check(again == directory.savedModel, "the canonical encoding of a SavedModel does not decode to it")
  }

  static func savedModelText(_ bytes: [UInt8]) {
    let source = MemorySource(files: ["saved_model.pbtxt": bytes])
    guard let directory = try? SavedModelDirectory(source: source) else { return }
    check(!directory.savedModel.metaGraphs.isEmpty, "an opened SavedModel has no meta graph")
    _ = SavedModelInspection(directory, bundle: nil)
    _ = FingerprintComputer.graphDefProgramHash(directory.savedModel)
  }

  static func bundle(_ bytes: [UInt8]) {
    // LevelDB blocks carry CRCs the fuzzer cannot forge; the input is read as given and, when
    // its block structure can be followed, once more with every block CRC made right.
    bundleOnce(bytes)
    if let repaired = LevelDBRepair.withBlockCRCsFixed(bytes), repaired != bytes { bundleOnce(repaired) }
  }

  private static func bundleOnce(_ bytes: [UInt8]) {
    let prefix = "variables/variables"
    let source = MemorySource(files: [prefix + ".index": bytes], shardBytes: bytes)
    guard let table = try? LevelDBTable(bytes: bytes, file: "fuzz.index") else { return }
    for pair in zip(table.entries, table.entries.dropFirst()) {
      check(pair.0.key.lexicographicallyPrecedes(pair.1.key), "table keys are not strictly increasing")
    }
    if let last = table.entries.last { check(table.value(forKey: last.key) == last.value, "lookup misses a key") }
    guard let bundle = try? TensorBundle(source: source, prefix: prefix) else { return }
    for entry in bundle.entries {
      // A sliced (partitioned) entry's own shard and range mean nothing: its bytes are its slices'.
      if !entry.isSliced {
        check(entry.shard >= 0 && entry.shard < bundle.shardSizes.count, "an entry's shard is not in the bundle")
        check(entry.offset >= 0 && entry.size >= 0, "an entry has a negative offset or size")
        check(
          entry.offset <= bytes.count && entry.size <= bytes.count - Int(entry.offset), "an entry is past its shard")
        // The stored bytes as they stand: the CRC layout of strings and variants is parsed
        // before the CRC is compared, so that parsing is reached without a matching CRC.
        let stored = Array(bytes[Int(entry.offset)..<Int(entry.offset + entry.size)])
        try? TensorBundle.checkCRC(entry, stored, file: "fuzz.data")
      }
      _ = try? bundle.bytes(of: entry)
      if entry.dtype.isString { _ = try? bundle.strings(of: entry) }
    }
  }

  static func manifest(_ bytes: [UInt8]) {
    guard let manifest = try? Manifest(decoding: bytes, subject: "fuzz") else { return }
    _ = manifest.objectDigests
    _ = manifest.logicalSize
    // The canonical bytes are what is stored and hashed: they must decode to the same manifest.
    let canonical = manifest.canonicalBytes()
    let again = try? Manifest(decoding: canonical, subject: "fuzz")
    check(again == manifest, "the canonical bytes of a manifest do not decode to it")
    check(again?.canonicalBytes() == canonical, "a manifest's canonical bytes are not stable")
  }

  static func artifact(_ bytes: [UInt8]) {
    // Named after its own hash, as an import names a pack after its layer digest.
    if let objects = try? Pack.decode(bytes, pack: Digest.of(bytes)) {
      check(objects.allSatisfy { Digest.of($0.bytes) == $0.digest }, "a decoded pack holds a misnamed object")
      check(Pack.encode(objects) == bytes, "a decoded pack does not encode to its own bytes")
    }
    roundTrip(ImageManifest.self, bytes)
    roundTrip(ImageIndex.self, bytes)
    roundTrip(ArtifactConfig.self, bytes)
  }

  /// A document that decodes must survive its canonical encoding unchanged.
  static func roundTrip<Document: Codable & Equatable>(_ type: Document.Type, _ bytes: [UInt8]) {
    guard let document = try? CanonicalJSON.decode(type, from: bytes, what: "fuzz") else { return }
    let again = try? CanonicalJSON.decode(type, from: CanonicalJSON.encode(document), what: "fuzz")
    check(again == document, "a decoded \(type) does not survive its canonical encoding")
  }

  static func object(_ bytes: [UInt8]) {
    // Named after the SHA-256 of what follows the 16-byte header, so that a well-formed
    // identity object reads back in full.
    let digest = Digest.of(Array(bytes.dropFirst(16)))
    let path = Scratch.objects.path(for: digest)
    guard Scratch.write(bytes, to: path) else { return }
    defer { unlink(path) }
    _ = try? Scratch.objects.storedInfo(digest)
    if let content = try? Scratch.objects.read(digest) {
      check(Digest.of(content) == digest, "an object read back does not hash to its name")
    }
  }

  static func npy(_ bytes: [UInt8]) {
    guard let array = try? NPYArray(npy: bytes) else { return }
    _ = try? TensorFiles.tensor(from: array, file: "fuzz.npy")
    // What `run` writes must read back as the same array.
    let again = try? NPYArray(npy: array.npyBytes())
    check(again == array, "an .npy array does not read back from its own bytes")
  }

  static let jsonTypes: [DType] = [.float32, .float64, .int32, .int64, .uint8, .int8, .float16, .bool, .string]

  static func json(_ bytes: [UInt8]) {
    guard let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
      return
    }
    for dtype in jsonTypes {
      if let tensor = try? JSONTensor.tensor(from: value, dtype: dtype, file: "fuzz.json") {
        check(tensor.dtype == dtype, "a JSON tensor has a dtype other than the one asked for")
      }
    }
  }

  static func regex(_ bytes: [UInt8]) {
    let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map { Array($0) }
    let pattern = parts[0]
    let text = parts.count > 1 ? parts[1] : []
    let rewrite = parts.count > 2 ? parts[2] : Array("<\\0>".utf8)
    // A small budget as well as the default, so both sides of RE2's memory check are reached.
    _ = try? RegexPattern(pattern, maxMemory: 1 << 12)
    guard let regex = try? RegexPattern(pattern) else { return }
    check(regex.source == pattern, "a compiled pattern does not keep its source")
    _ = try? regex.fullMatch(text)
    let once = try? regex.replace(in: text, with: rewrite, global: false)
    let everywhere = try? regex.replace(in: text, with: rewrite, global: true)
    // Replacing every match with itself (`\0`) gives the text back.
    if let same = try? regex.replace(in: text, with: Array("\\0".utf8), global: true) {
      check(same == text, "replacing every match with itself changed the text")
    }
    _ = (once, everywhere)
  }
}

extension Targets {
  /// One-letter keys, so that mutated inputs reach every kind: `a` float [2], `b` int64, `d`
  /// string (all with defaults), `c` variable-length float rows of 2, `e` int64 and `f` string
  /// sparse, `g` float ragged with int32 splits.
  static let exampleConfiguration = ExampleParsing.Configuration(
    dense: [
      .init(key: [0x61], dtype: .float32, shape: [2], defaultValue: Tensor(float32: [0, 1], shape: [2])),
      .init(key: [0x62], dtype: .int64, shape: [], defaultValue: Tensor(int64: [-1], shape: [])),
      .init(key: [0x63], dtype: .float32, shape: [-1, 2], defaultValue: Tensor(float32: [0.5], shape: [])),
      .init(key: [0x64], dtype: .string, shape: [], defaultValue: Tensor(strings: ["none"], shape: [])),
    ],
    sparse: [.init(key: [0x65], dtype: .int64), .init(key: [0x66], dtype: .string)],
    ragged: [.init(key: [0x67], dtype: .float32, splitsDType: .int32)])

  static func example(_ bytes: [UInt8]) {
    let configuration = exampleConfiguration
    if let single = try? ExampleParsing.parseSingle(bytes, configuration, op: "fuzz") {
      for (indices, values) in zip(single.sparseIndices, single.sparseValues) {
        check(indices.shape == [values.elementCount, 1], "single-example sparse indices are not [values, 1]")
      }
      check(single.denseValues[0].shape == [2], "a fixed dense feature has another shape than its own")
    }
    // The example, an empty one and its first half: a batch of three.
    let batch = [bytes, [], Array(bytes.prefix(bytes.count / 2))]
    guard let result = try? ExampleParsing.parse(batch, names: [], configuration, op: "fuzz") else { return }
    check(result.denseValues[0].shape == [3, 2], "a fixed dense feature is not [batch] + its shape")
    check(
      result.denseValues[2].rank == 3 && result.denseValues[2].shape.first == 3
        && result.denseValues[2].shape.last == 2, "a variable-length dense feature is not [batch, rows, 2]")
    for (index, values) in result.sparseValues.enumerated() {
      let count = values.elementCount
      guard let indices = try? result.sparseIndices[index].int64s(),
        let shape = try? result.sparseShapes[index].int64s()
      else { return check(false, "sparse outputs are not int64") }
      check(result.sparseIndices[index].shape == [count, 2], "sparse indices are not [values, 2]")
      check(shape.count == 2 && shape[0] == 3, "a sparse shape is not [batch, longest]")
      for row in stride(from: 0, to: indices.count, by: 2) {
        check(
          (0..<3).contains(indices[row]) && (0..<shape[1]).contains(indices[row + 1]),
          "a sparse index is out of its shape")
      }
    }
    if let splits = try? result.raggedRowSplits[0].int32s() {
      check(splits.count == 4 && splits.first == 0, "ragged row splits are not [batch + 1] from 0")
      check(zip(splits, splits.dropFirst()).allSatisfy { $0 <= $1 }, "ragged row splits decrease")
      check(
        splits.last.map(Int.init) == result.raggedValues[0].elementCount, "ragged row splits do not end at the values")
    } else {
      check(false, "ragged row splits are not int32")
    }
  }
}

// MARK: - Checks

/// Checks that failed in replay mode.
nonisolated(unsafe) var failures = 0
nonisolated(unsafe) var fuzzing = false

/// A property of accepted input: a trap while fuzzing (libFuzzer keeps the input), counted in replay.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
  guard !condition else { return }
  if fuzzing { fatalError("registry-fuzz check failed: \(message())") }
  failures += 1
  FileHandle.standardError.write(Data("registry-fuzz: check failed: \(message())\n".utf8))
}

// MARK: - Inputs in memory and on disk

/// A SavedModel whose files are byte arrays; `shardBytes` serves data shards 0 to 7.
struct MemorySource: SavedModelSource {
  let root = URL(fileURLWithPath: "/fuzz")
  let files: [String: [UInt8]]
  var shardBytes: [UInt8]? = nil

  private func bytes(_ path: String) -> [UInt8]? {
    if let file = files[path] { return file }
    // Shards 0 to 7 exist: a directory holds as many shards as it has files, and serving every
    // number made a header claiming 2^31 shards a 2^31-step loop (a timeout of the harness).
    guard let range = path.range(of: ".data-"), let shard = Int(path[range.upperBound...].prefix(5)), shard < 8
    else { return nil }
    return shardBytes
  }

  func listing() throws(FormatError) -> [SavedModelDirectory.FileEntry] {
    files.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map {
      .init(path: $0, kind: .file, size: Int64(files[$0]?.count ?? 0), mode: 0o644)
    }
  }

  func size(of path: String) throws(FormatError) -> Int64 {
    guard let file = bytes(path) else { throw FormatError(.notFound, file: path, "no such file") }
    return Int64(file.count)
  }

  func read(_ path: String, offset: Int64, count: Int) throws(FormatError) -> [UInt8] {
    guard let file = bytes(path) else { throw FormatError(.notFound, file: path, "no such file") }
    let (end, overflow) = offset.addingReportingOverflow(Int64(count))
    guard offset >= 0, count >= 0, !overflow, end <= Int64(file.count) else {
      throw FormatError(.corrupted, file: path, "read past the end")
    }
    return Array(file[Int(offset)..<Int(end)])
  }
}

/// One scratch store per process, in /dev/shm when there is one.
enum Scratch {
  static let directory: URL = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let url = URL(fileURLWithPath: base).appendingPathComponent("registry-fuzz-\(getpid())")
    try? FileManager.default.removeItem(at: url)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: Scratch.directory) }
    return url
  }()

  static let objects: ObjectStore = {
    guard let store = try? ObjectStore(layout: StoreLayout(root: directory.appendingPathComponent("store"))) else {
      fatalError("registry-fuzz: cannot make a scratch store in \(directory.path)")
    }
    return store
  }()

  static func write(_ bytes: [UInt8], to path: String) -> Bool {
    let parent = (path as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    return FileManager.default.createFile(atPath: path, contents: Data(bytes))
  }
}

/// Recomputes the CRC of every block a LevelDB table's footer and index reach, so that mutated
/// tables get past the checksums to the parsing behind them. Returns nil when the structure
/// cannot be followed far enough to know where the blocks are.
enum LevelDBRepair {
  static func withBlockCRCsFixed(_ input: [UInt8]) -> [UInt8]? {
    var bytes = input
    guard bytes.count >= 48 else { return nil }
    var position = bytes.count - 48
    guard let metaOffset = varint(bytes, &position), let metaSize = varint(bytes, &position),
      let indexOffset = varint(bytes, &position), let indexSize = varint(bytes, &position)
    else { return nil }
    fix(&bytes, metaOffset, metaSize)
    guard fix(&bytes, indexOffset, indexSize) else { return bytes }
    let indexBlock = Array(bytes[Int(indexOffset)..<Int(indexOffset + indexSize)])
    for value in blockValues(indexBlock) {
      var at = 0
      guard let offset = varint(value, &at), let size = varint(value, &at) else { continue }
      fix(&bytes, offset, size)
    }
    return bytes
  }

  /// Writes the masked CRC32C of a block and its type byte into its trailer.
  @discardableResult
  static func fix(_ bytes: inout [UInt8], _ offset: UInt64, _ size: UInt64) -> Bool {
    guard offset < UInt64(bytes.count), size < UInt64(bytes.count), offset + size + 5 <= UInt64(bytes.count) else {
      return false
    }
    let start = Int(offset)
    let end = Int(offset + size)
    let crc = CRC32C.mask(bytes[start...end].withUnsafeBytes { CRC32C.checksum($0) })
    for index in 0..<4 { bytes[end + 1 + index] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(index))) }
    return true
  }

  /// The values of a block's entries, as far as they parse.
  static func blockValues(_ block: [UInt8]) -> [[UInt8]] {
    guard block.count >= 4 else { return [] }
    let restarts =
      Int(block[block.count - 4]) | Int(block[block.count - 3]) << 8 | Int(block[block.count - 2]) << 16
      | Int(block[block.count - 1]) << 24
    guard restarts <= (block.count - 4) / 4 else { return [] }
    let end = block.count - 4 - 4 * restarts
    var position = 0
    var values: [[UInt8]] = []
    while position < end {
      guard varint(block, &position) != nil, let unshared = varint(block, &position),
        let length = varint(block, &position), position <= end, unshared <= UInt64(end - position),
        length <= UInt64(end - position) - unshared
      else { break }
      position += Int(unshared)
      values.append(Array(block[position..<(position + Int(length))]))
      position += Int(length)
    }
    return values
  }

  static func varint(_ bytes: [UInt8], _ position: inout Int) -> UInt64? {
    var value: UInt64 = 0
    for shift in stride(from: 0, to: 64, by: 7) {
      guard position < bytes.count else { return nil }
      let byte = bytes[position]
      position += 1
      value |= UInt64(byte & 0x7F) << UInt64(shift)
      if byte < 0x80 { return value }
    }
    return nil
  }
}

// MARK: - Entry points

/// Tight limits, so that anything a reader allocates beyond them is a finding rather than
/// libFuzzer's out-of-memory report; a limit already set in the environment wins.
func setUpLimits() {
  setenv("REGISTRY_LIMIT_TENSOR_BYTES", "\(256 << 20)", 0)
  setenv("REGISTRY_LIMIT_TENSOR_ELEMENTS", "\(64 << 20)", 0)
  setenv("REGISTRY_LIMIT_FILE_BYTES", "\(256 << 20)", 0)
  setenv("REGISTRY_LIMIT_INPUT_FILE_BYTES", "\(256 << 20)", 0)
}

nonisolated(unsafe) var selectedTarget: FuzzTarget? = nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  if selectedTarget == nil {
    fuzzing = true
    setUpLimits()
    let name = ProcessInfo.processInfo.environment["REGISTRY_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
      let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
      fatalError("registry-fuzz: set REGISTRY_FUZZ_TARGET to one of: \(names) (it is \"\(name)\")")
    }
    selectedTarget = target
  }
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  selectedTarget?.run(bytes)
  return 0
}

@main
enum Main {
  static func main() {
    #if FUZZING
      // SwiftPM links an executable's entry point under its own name, so libFuzzer's `main` is
      // not the one that runs: this one hands over to libFuzzer's driver.
      var argc = CommandLine.argc
      var argv = CommandLine.unsafeArgv
      exit(runFuzzerDriver(&argc, &argv, fuzzOneInput))
    #else
      Replay.main()
    #endif
  }
}

#if FUZZING
  /// libFuzzer's entry for programs with a `main` of their own (compiler-rt's FuzzerInterface.h).
  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt
#else
  enum Replay {
    static func main() {
      let arguments = Array(CommandLine.arguments.dropFirst())
      switch arguments.first {
      case "list":
        for target in FuzzTarget.allCases { print(target.rawValue) }
      case "pbtxt" where arguments.count == 2:
        // Seeds for savedmodel-text: a binary saved_model.pb as text format.
        guard let data = FileManager.default.contents(atPath: arguments[1]),
          let model = try? Tensorflow_SavedModel(decoding: Array(data))
        else { usage() }
        print(model.textFormatString(), terminator: "")
      case "replay" where arguments.count >= 3:
        guard let target = FuzzTarget(rawValue: arguments[1]) else { usage() }
        setUpLimits()
        replay(target, paths: Array(arguments.dropFirst(2)))
      default:
        usage()
      }
    }

    static func usage() -> Never {
      let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
      FileHandle.standardError.write(
        Data(
          "usage: registry-fuzz replay \(names) PATH...\n       registry-fuzz list\n       registry-fuzz pbtxt FILE\n"
            .utf8))
      exit(2)
    }

    static func replay(_ target: FuzzTarget, paths: [String]) {
      let verbose = ProcessInfo.processInfo.environment["REGISTRY_FUZZ_VERBOSE"] != nil
      let start = Date()
      var count = 0
      for path in paths.flatMap(files) {
        if verbose { FileHandle.standardError.write(Data("\(path)\n".utf8)) }
        guard let data = FileManager.default.contents(atPath: path) else {
          FileHandle.standardError.write(Data("registry-fuzz: cannot read \(path)\n".utf8))
          failures += 1
          continue
        }
        let before = failures
        target.run(Array(data))
        if failures > before { FileHandle.standardError.write(Data("registry-fuzz: ... on \(path)\n".utf8)) }
        count += 1
      }
      let seconds = String(format: "%.1f", Date().timeIntervalSince(start))
      print("replay \(target.rawValue): \(count) inputs, \(failures) failed checks, \(seconds) s")
      exit(failures == 0 && count > 0 ? 0 : 1)
    }

    /// The regular files under a path (itself, if it is one), sorted; dot files are skipped.
    static func files(_ path: String) -> [String] {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
      guard isDirectory.boolValue else { return [path] }
      let enumerator = FileManager.default.enumerator(atPath: path)
      var found: [String] = []
      while let relative = enumerator?.nextObject() as? String {
        let full = (path as NSString).appendingPathComponent(relative)
        var nested: ObjCBool = false
        let name = (relative as NSString).lastPathComponent
        if !name.hasPrefix("."), FileManager.default.fileExists(atPath: full, isDirectory: &nested), !nested.boolValue {
          found.append(full)
        }
      }
      return found.sorted()
    }
  }
#endif
