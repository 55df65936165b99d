import Catalog
import Checksums
import ContentStore
import Dispatch
import FileSystem
import Foundation
import RegistryCore
import SavedModelFormat

/// What to record with a pushed version.
public struct PushOptions: Sendable {
  public var model: String
  public var aliases: [String] = []
  public var metadata: [String: String] = [:]
  public var parent: Reference?
  /// With no `parent`: record the live version sharing the most tensor bytes as the parent.
  public var inferParent = false
  public var message: String?

  public init(model: String) {
    self.model = model
  }
}

/// What a push did.
public struct PushResult: Sendable, Codable {
  /// `NAME:VERSION` of the version the directory is now stored as.
  public let reference: String
  public let model: String
  public let version: Int
  /// False when the directory was identical to the model's latest version, so no new version
  /// was made (its aliases were still applied).
  public let created: Bool
  public let manifest: String
  public let files: Int
  /// Sum of file sizes.
  public let logicalBytes: Int64
  /// Distinct objects (file pieces and the manifest) the version references.
  public let objects: Int
  /// Objects and uncompressed bytes this push added to the store.
  public let newObjects: Int
  public let newBytes: Int64
  /// Bytes those new objects take on disk (after compression, with headers).
  public let storedBytes: Int64
  /// Bytes of the version's distinct objects that were already stored.
  public let reusedBytes: Int64
  /// Fingerprint fields that disagreed with the files (reported, not fatal).
  public let fingerprintWarnings: [String]
  /// The recorded parent, if any.
  public let parent: String?
  /// With no parent given: the live version sharing the most tensor bytes, and how many.
  public let suggestedParent: String?
  public let suggestedParentSharedBytes: Int64?
}

extension Registry {
  /// How long a push's lease protects its objects from collection if the push dies.
  public static let pushLeaseDuration: TimeInterval = 6 * 3600

  /// Stores a SavedModel directory as a new version of `options.model`.
  ///
  /// The format layer checks the listing, the index and every shard's bounds first; the graph
  /// and fingerprint are parsed and checked beside the reading, which stops if they fail. Each
  /// file is hashed whole while its pieces are hashed, checked against their tensors' CRC32C,
  /// compressed where that pays and staged, in parallel. The objects and the manifest are made
  /// durable and published, and only then is the version inserted into the catalog, in one
  /// transaction.
  ///
  /// - Throws: `RegistryError` naming the file, tensor or reference at fault; nothing becomes
  ///   visible and nothing already stored changes.
  public func push(_ directoryURL: URL, _ options: PushOptions) throws(RegistryError) -> PushResult {
    do {
      return try pushUnchecked(directoryURL, options)
    } catch {
      throw RegistryError.wrap(error)
    }
  }

  /// What an import keeps from the exporting store instead of what a push records
  /// (Registry+Import.swift).
  struct ImportedOrigin {
    let createdBy: String
    let createdAt: String?
    /// The manifest the directory must reproduce; anything else is refused before the catalog.
    let manifest: Digest
    /// The version's model card, already stored, recorded in the version's transaction.
    var card: NewVersion.Card?
  }

  func pushUnchecked(_ directoryURL: URL, _ options: PushOptions, origin: ImportedOrigin? = nil) throws -> PushResult {
    try Reference.validateModelName(options.model)
    for alias in options.aliases { try Reference.validateAlias(alias) }
    for key in options.metadata.keys where key.isEmpty {
      throw RegistryError(.invalidArgument, "metadata keys may not be empty")
    }

    let timer = PhaseTimer()
    let source = DirectorySource(directoryURL)
    let listing = DirectoryListing(url: directoryURL, files: try source.listing())
    let bundle: TensorBundle?
    do {
      bundle =
        listing.hasVariables ? try TensorBundle(source: source, prefix: SavedModelDirectory.variablesPrefix) : nil
    } catch {
      // A missing or damaged graph explains more than the index does.
      _ = try SavedModelDirectory(source: source)
      throw error
    }
    // A directory without a binary graph (a text graph, a chunked one, none at all) is opened
    // here, so one that is not a SavedModel fails before any byte of it is read.
    let hasBinaryGraph = listing.files.contains {
      $0.path == SavedModelDirectory.GraphFile.binary.rawValue && $0.kind == .file
    }
    let openedFirst = hasBinaryGraph ? nil : try SavedModelDirectory(source: source)
    timer.mark("open")
    // Parsing the graph (some 50 ms for a 2 MB Keras graph) and describing it (signatures, ops,
    // fingerprint hashes) need no weights, so both run beside the ingest, which reads every byte
    // and stops early if the graph does not parse.
    let inspecting = DispatchGroup()
    let inspected = Locked<Result<(SavedModelDirectory, SavedModelInspection), any Error>?>(nil)
    let graphFailed = Locked(false)
    DispatchQueue.global().async(group: inspecting) {
      let result = Result { () throws -> (SavedModelDirectory, SavedModelInspection) in
        let directory = try openedFirst ?? SavedModelDirectory(source: source)
        return (directory, SavedModelInspection(directory, bundle: bundle))
      }
      if case .failure = result { graphFailed.withLock { $0 = true } }
      inspected.withLock { $0 = result }
    }
    func inspection() throws -> SavedModelInspection {
      inspecting.wait()
      guard let (directory, inspection) = try inspected.withLock({ $0 })?.get() else {
        throw RegistryError(.unavailable, "\(directoryURL.path): inspection did not finish")
      }
      if directory.files != listing.files {
        throw RegistryError(
          .corrupted, "\(directoryURL.path): the directory changed while it was being pushed; push again")
      }
      if let fingerprint = inspection.fingerprint,
        let checkpoint = fingerprint.fields.first(where: { $0.name == "checkpoint_hash" }),
        checkpoint.status == .mismatch
      {
        throw RegistryError(
          .corrupted,
          "\(directoryURL.appendingPathComponent("fingerprint.pb").path): checkpoint_hash \(checkpoint.stored) does not match variables/variables.index (\(checkpoint.computed ?? "?")); the index or the fingerprint was changed"
        )
      }
      return inspection
    }
    let explicitParent = try options.parent.map { reference throws(RegistryError) in try resolve(reference) }

    let lease = try catalog.beginLease(
      purpose: "push \(options.model)", holder: Self.holder, duration: Self.pushLeaseDuration)
    let batch: IngestBatch
    do {
      batch = try objects.makeBatch()
    } catch {
      catalog.endLease(lease)
      _ = try? inspection()
      throw error
    }
    do {
      let ingested: Ingested
      do {
        ingested = try ingest(listing, bundle: bundle, into: batch) { graphFailed.withLock { $0 } }
      } catch {
        // A bad graph or fingerprint explains a failure better than what it caused.
        _ = try inspection()
        throw error
      }
      let inspection = try inspection()
      timer.mark("ingest and inspect")
      let manifestBytes = ingested.manifest.canonicalBytes()
      let manifestObject = try manifestBytes.withUnsafeBytes { buffer throws(StoreError) in
        try batch.stage(buffer)
      }
      try batch.commit()
      try confirmReused(staged: ingested.objects)
      timer.mark("commit")

      // The likely parent: the live version sharing the most tensor bytes.
      var suggestion: (version: VersionSummary, sharedBytes: Int64)?
      if explicitParent == nil {
        var tensorPieces: [String: Int64] = [:]
        for (index, piece) in ingested.plan.pieces.enumerated() where piece.tensor != nil {
          tensorPieces[ingested.pieceDigests[index].description] = piece.length
        }
        suggestion = try catalog.versionsSharing(objects: tensorPieces, limit: 1).first.map {
          ($0.version, $0.sharedBytes)
        }
      }
      let parent = explicitParent ?? (options.inferParent ? suggestion?.version : nil)

      var staged = ingested.objects
      staged[manifestObject.digest] = manifestObject
      var version = NewVersion(
        model: options.model, createdBy: origin?.createdBy ?? Self.actor, manifest: manifestObject.digest,
        logicalBytes: ingested.manifest.logicalSize)
      version.sourcePath = origin == nil ? directoryURL.standardizedFileURL.path : nil
      version.createdAt = origin?.createdAt
      if let origin, origin.manifest != manifestObject.digest {
        throw RegistryError(
          .corrupted,
          "the imported files give manifest \(manifestObject.digest), not the artifact's \(origin.manifest)")
      }
      version.message = options.message
      version.parent = parent?.id
      version.metadata = options.metadata
      version.aliases = options.aliases
      version.card = origin?.card
      // Objects already on disk that no version ever recorded (stored by an import, or left by a
      // killed push) are new to the catalog: counted as this version's, with their stored size.
      let unrecorded = try catalog.unrecordedObjects(staged.values.filter { !$0.isNew }.map(\.digest))
      version.objects = try staged.values.sorted { $0.digest < $1.digest }.map { object throws(StoreError) in
        let info = object.isNew ? (object.encoding, object.storedSize) : try storedInfo(object.digest)
        let isNew = object.isNew || unrecorded.contains(object.digest)
        return NewVersion.Object(
          digest: object.digest, size: object.size, storedSize: isNew ? info.1 : 0, encoding: info.0)
      }
      describe(&version, ingested: ingested, inspection: inspection, bundle: bundle)

      let outcome = try catalog.insert(version, releasing: lease)
      timer.mark("catalog")
      let newObjects = version.objects.filter { $0.storedSize > 0 }
      let summary: VersionSummary
      let created: Bool
      switch outcome {
      case .created(let version): (summary, created) = (version, true)
      case .unchanged(let version): (summary, created) = (version, false)
      }
      return PushResult(
        reference: summary.reference, model: summary.model, version: summary.number, created: created,
        manifest: manifestObject.digest.description, files: ingested.manifest.entries.filter { $0.kind == .file }.count,
        logicalBytes: ingested.manifest.logicalSize, objects: staged.count, newObjects: newObjects.count,
        newBytes: newObjects.reduce(0) { $0 + $1.size }, storedBytes: newObjects.reduce(0) { $0 + $1.storedSize },
        reusedBytes: version.objects.filter { $0.storedSize == 0 }.reduce(0) { $0 + $1.size },
        fingerprintWarnings: (inspection.fingerprint?.fields ?? []).filter { $0.status == .mismatch }.map(\.name),
        parent: summary.parent, suggestedParent: parent == nil ? suggestion?.version.reference : nil,
        suggestedParentSharedBytes: parent == nil ? suggestion?.sharedBytes : nil)
    } catch {
      batch.abort()
      catalog.endLease(lease)
      throw error
    }
  }

  /// Objects this push reused were refreshed when it decided to, so a collection keeps them;
  /// this confirms none went missing in the instant a collector checks one (docs/gc.md).
  private func confirmReused(staged: [Digest: IngestBatch.Staged]) throws {
    // `contains` also puts back an object a collector parked in trash/ mid-decision.
    for attempt in 0..<20 {
      let missing = staged.values.filter { !$0.isNew && !objects.contains($0.digest) }
      if missing.isEmpty { return }
      if attempt == 19 {
        throw RegistryError(.unavailable, "\(missing[0].digest): collected while this push was reusing it; push again")
      }
      usleep(50_000)
    }
  }

  private func storedInfo(_ digest: Digest) throws(StoreError) -> (ObjectStore.Encoding, Int64) {
    let info = try objects.storedInfo(digest)
    return (info.encoding, info.storedSize)
  }

  static var holder: String { "\(actor) pid \(ProcessInfo.processInfo.processIdentifier)" }

  // MARK: - Reading the directory once

  /// A directory's files as listed once before it is read; the plan and the manifest come from
  /// this listing, and a push checks that the graph's own listing found the same.
  struct DirectoryListing {
    let url: URL
    let files: [SavedModelDirectory.FileEntry]

    init(url: URL, files: [SavedModelDirectory.FileEntry]) {
      self.url = url
      self.files = files
    }

    init(_ directory: SavedModelDirectory) {
      self.init(url: directory.url, files: directory.files)
    }

    var hasVariables: Bool { files.contains { $0.path == SavedModelDirectory.variablesPrefix + ".index" } }
  }

  struct Ingested {
    var manifest: Manifest
    /// Every distinct file object, by digest.
    var objects: [Digest: IngestBatch.Staged]
    /// The digest of each piece, in plan order.
    var pieceDigests: [Digest]
    var plan: ChunkPlan
  }

  /// Hashes every file whole and every piece on its own, in parallel.
  ///
  /// The file's SHA-256 is one stream that no thread can share, so thread 0 is given it: it
  /// streams each file of several pieces in order, and when it reaches a piece that no other
  /// thread has taken yet it takes it, hashing the piece and the file together in one pass
  /// (`DigestPair`) before checking, compressing and staging it. The other threads take pieces
  /// in the same order and hash, check and stage them alone, so they stay ahead of thread 0
  /// until they are the slower side, and thread 0 then helps. A file of one piece that another
  /// thread took gets that piece's digest without being read again, and a piece
  /// byte-for-byte equal to its earlier twin (`twins`) gets the twin's digest and CRC instead of
  /// being hashed and staged. Each thread reuses its buffers, since allocating and freeing
  /// megabytes per piece makes the kernel stall every core. A file that changes while it is read (size, times or inode) fails the push.
  ///
  /// - Parameters:
  ///   - batch: where to stage objects; `nil` only computes digests (for `identify`).
  ///   - abandoned: polled between pieces; once true the ingest stops and throws (a push whose
  ///     graph failed to parse reports that instead).
  func ingest(
    _ directory: DirectoryListing, bundle: TensorBundle?, into batch: IngestBatch?,
    abandoned: @escaping @Sendable () -> Bool = { false }
  ) throws -> Ingested {
    let plan = ChunkPlan(files: directory.files, root: directory.url, bundle: bundle)
    let before = try plan.files.map { try FileIdentity(of: $0.url.path) }
    let numericTensors = Set((bundle?.entries ?? []).indices.filter { bundle?.entries[$0].dtype.elementSize != nil })

    struct PieceResult: Sendable {
      let staged: IngestBatch.Staged
      let crc: UInt32
    }
    /// A file's digest, or the piece whose digest it is (a file of one piece).
    enum FileDigest: Sendable {
      case computed(Digest)
      case piece(Int)
    }
    let twins = Self.twins(plan, bundle: bundle, numericTensors: numericTensors)
    let results = Locked([PieceResult?](repeating: nil, count: plan.pieces.count))
    // Pieces found equal to their twin, which stands for them.
    let sameAsTwin = Locked([Bool](repeating: false, count: plan.pieces.count))
    let fileDigests = Locked([FileDigest?](repeating: nil, count: plan.files.count))
    let firstError = Locked<(any Error)?>(nil)
    // Every thread takes pieces in plan order: pieces [0, next) are taken.
    let next = Locked(0)
    let bufferSize = Int(ChunkPlan.blockSize)

    @Sendable func fail(_ error: any Error) { firstError.withLock { if $0 == nil { $0 = error } } }
    @Sendable func failed() -> Bool {
      if abandoned() { fail(RegistryError(.unavailable, "\(directory.url.path): the push was abandoned")) }
      return firstError.withLock { $0 != nil }
    }

    /// Reads a piece into the start of `buffer`.
    @Sendable func read(_ index: Int, _ buffer: UnsafeMutableRawBufferPointer) throws -> UnsafeRawBufferPointer {
      let piece = plan.pieces[index]
      let bytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(piece.length)])
      try FileSystem.readExactly(plan.files[piece.file].url.path, into: bytes, at: piece.offset)
      return UnsafeRawBufferPointer(bytes)
    }

    /// Whether piece `index`, whose bytes are `bytes`, holds exactly the bytes of its earlier
    /// twin (read into `scratch`); if so it is recorded as its twin's, and needs no hashing.
    @Sendable func matchesTwin(
      _ index: Int, _ bytes: UnsafeRawBufferPointer, _ scratch: UnsafeMutableRawBufferPointer
    ) throws -> Bool {
      guard let twin = twins[index] else { return false }
      let other = try read(twin, scratch)
      guard let first = bytes.baseAddress, let second = other.baseAddress, other.count == bytes.count,
        memcmp(first, second, bytes.count) == 0
      else { return false }
      sameAsTwin.withLock { $0[index] = true }
      return true
    }

    /// Checks and stages a hashed piece.
    @Sendable func stage(_ index: Int, _ bytes: UnsafeRawBufferPointer, digest: Digest) throws {
      let piece = plan.pieces[index]
      let staged =
        try batch?.stage(bytes, digest: digest)
        ?? IngestBatch.Staged(
          digest: digest, size: Int64(bytes.count), isNew: false, storedSize: 0, encoding: .identity)
      let crc = piece.tensor.map { numericTensors.contains($0) } == true ? CRC32C.checksum(bytes) : 0
      results.withLock { $0[index] = PieceResult(staged: staged, crc: crc) }
    }

    @Sendable func stagePiecesInOrder(
      _ buffer: UnsafeMutableRawBufferPointer, _ scratch: UnsafeMutableRawBufferPointer
    ) {
      while !failed() {
        let claimed = next.withLock { next -> Int? in
          guard next < plan.pieces.count else { return nil }
          next += 1
          return next - 1
        }
        guard let index = claimed else { return }
        do {
          let bytes = try read(index, buffer)
          if try matchesTwin(index, bytes, scratch) { continue }
          try stage(index, bytes, digest: Digest.of(bytes))
        } catch {
          fail(error)
        }
      }
    }

    @Sendable func streamFile(
      _ index: Int, _ buffer: UnsafeMutableRawBufferPointer, _ scratch: UnsafeMutableRawBufferPointer
    ) throws -> FileDigest {
      let file = plan.files[index]
      var digests = DigestPair()
      for pieceIndex in file.pieces {
        if failed() { break }  // the error is thrown after the threads finish
        // Every thread takes pieces in plan order, so this one is taken or is the next.
        let claimed = next.withLock { next in
          guard next == pieceIndex else { return false }
          next += 1
          return true
        }
        if !claimed && file.pieces.count == 1 { return .piece(pieceIndex) }
        let bytes = try read(pieceIndex, buffer)
        let twinned = try claimed && file.pieces.count > 1 && matchesTwin(pieceIndex, bytes, scratch)
        if !claimed || twinned {
          digests.updateFile(bytes)
        } else if file.pieces.count == 1 {
          digests.updateFile(bytes)
          try stage(pieceIndex, bytes, digest: digests.fileDigest())
        } else {
          digests.update(bytes)
          try stage(pieceIndex, bytes, digest: digests.finishPiece())
        }
      }
      return .computed(digests.fileDigest())
    }

    @Sendable func streamFiles(_ buffer: UnsafeMutableRawBufferPointer, _ scratch: UnsafeMutableRawBufferPointer) {
      for index in plan.files.indices where !failed() {
        do {
          let digest = try streamFile(index, buffer, scratch)
          fileDigests.withLock { $0[index] = digest }
        } catch {
          fail(error)
        }
      }
    }

    let threads = max(2, ProcessInfo.processInfo.activeProcessorCount)
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 64)
      let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 64)
      defer {
        buffer.deallocate()
        scratch.deallocate()
      }
      if thread == 0 { streamFiles(buffer, scratch) } else { stagePiecesInOrder(buffer, scratch) }
    }
    if let error = firstError.withLock({ $0 }) { throw error }

    for (file, identity) in zip(plan.files, before) where try FileIdentity(of: file.url.path) != identity {
      throw RegistryError(.corrupted, "\(file.url.path): the file changed while it was being pushed; push again")
    }
    let hashed = results.withLock { $0 }
    let equalToTwin = sameAsTwin.withLock { $0 }
    let pieceResults = hashed.indices.compactMap { index in
      equalToTwin[index] ? twins[index].flatMap { hashed[$0] } : hashed[index]
    }
    let fileResults = fileDigests.withLock { $0 }.compactMap { $0 }
    guard pieceResults.count == plan.pieces.count, fileResults.count == plan.files.count else {
      throw RegistryError(.unavailable, "\(directory.url.path): some files were not read")
    }
    let digests = fileResults.map { result in
      switch result {
      case .computed(let digest): digest
      case .piece(let index): pieceResults[index].staged.digest
      }
    }

    try checkTensorCRCs(plan, pieceResults.map(\.crc), bundle: bundle)

    var entries: [Manifest.Entry] = directory.files.filter { $0.kind == .directory }.map {
      .directory($0.path, mode: $0.mode)
    }
    var objects: [Digest: IngestBatch.Staged] = [:]
    for (index, file) in plan.files.enumerated() {
      let pieces = file.pieces.map {
        Manifest.Piece(digest: pieceResults[$0].staged.digest, size: plan.pieces[$0].length)
      }
      entries.append(
        .file(file.entry.path, mode: file.entry.mode, size: file.entry.size, sha256: digests[index], objects: pieces))
      for pieceIndex in file.pieces {
        let staged = pieceResults[pieceIndex].staged
        if let existing = objects[staged.digest], existing.isNew { continue }
        objects[staged.digest] = staged
      }
    }
    return Ingested(
      manifest: Manifest(entries: entries), objects: objects, pieceDigests: pieceResults.map(\.staged.digest),
      plan: plan)
  }

  /// For each piece, an earlier piece that may hold the same bytes: the same range of a numeric
  /// tensor of the same size and CRC32C. Keras 3 saves every variable twice (under `variables/`
  /// and `_all_variables/`), so half of such a model's bytes need a comparison, not a hash.
  static func twins(_ plan: ChunkPlan, bundle: TensorBundle?, numericTensors: Set<Int>) -> [Int?] {
    struct Key: Hashable {
      let size: Int64
      let crc: UInt32
      let start: Int64
      let length: Int64
    }
    var twins = [Int?](repeating: nil, count: plan.pieces.count)
    guard let bundle else { return twins }
    var first: [Key: Int] = [:]
    for (index, piece) in plan.pieces.enumerated() {
      guard let tensor = piece.tensor, numericTensors.contains(tensor) else { continue }
      let entry = bundle.entries[tensor]
      let key = Key(size: entry.size, crc: entry.crc32c, start: piece.offset - entry.offset, length: piece.length)
      if let earlier = first[key] { twins[index] = earlier } else { first[key] = index }
    }
    return twins
  }

  /// Every numeric tensor's CRC32C is the combination of its pieces' CRCs; string and variant
  /// tensors, whose CRC covers a re-encoding of their lengths, are re-read and checked whole.
  private func checkTensorCRCs(_ plan: ChunkPlan, _ crcs: [UInt32], bundle: TensorBundle?) throws {
    guard let bundle else { return }
    var combined: [Int: UInt32] = [:]
    for (index, piece) in plan.pieces.enumerated() {
      guard let tensor = piece.tensor, bundle.entries[tensor].dtype.elementSize != nil else { continue }
      combined[tensor] = CRC32C.combine(combined[tensor] ?? 0, crcs[index], lengthOfB: Int(piece.length))
    }
    for (index, entry) in bundle.entries.enumerated() where !entry.isSliced {
      if entry.dtype.elementSize == nil {
        _ = try bundle.bytes(of: entry)
      } else if (combined[index] ?? 0) != entry.crc32c && entry.size > 0 {
        throw RegistryError(
          .corrupted,
          "\(bundle.shardURL(for: entry).path): tensor \"\(entry.name)\": CRC32C mismatch (index says \(String(entry.crc32c, radix: 16)), data gives \(String(combined[index] ?? 0, radix: 16)))"
        )
      }
    }
  }

  // MARK: - Catalog rows

  private func describe(
    _ version: inout NewVersion, ingested: Ingested, inspection: SavedModelInspection, bundle: TensorBundle?
  ) {
    let plan = ingested.plan
    version.files = Self.fileRows(ingested.manifest)
    if let bundle {
      var piecesByTensor: [Int: [Int]] = [:]
      for (index, piece) in plan.pieces.enumerated() {
        if let tensor = piece.tensor { piecesByTensor[tensor, default: []].append(index) }
      }
      for (index, entry) in bundle.entries.enumerated() {
        let pieces = piecesByTensor[index] ?? []
        version.tensors.append(
          NewVersion.Tensor(
            name: entry.name, dtype: entry.dtype.name, shapeJSON: Self.json(entry.shape), crc32c: entry.crc32c,
            shard: entry.shard, offset: entry.offset, size: entry.size,
            digest: pieces.count == 1 ? ingested.pieceDigests[pieces[0]] : nil))
      }
    }
    for (position, metaGraph) in inspection.metaGraphs.enumerated() {
      version.metaGraphs.append(
        NewVersion.MetaGraph(tagsJSON: Self.json(metaGraph.tags), tensorflowVersion: metaGraph.tensorflowVersion))
      version.ops += metaGraph.ops
      for signature in metaGraph.signatures {
        let tensors =
          signature.inputs.map { Self.signatureTensor("input", $0) }
          + signature.outputs.map { Self.signatureTensor("output", $0) }
        version.signatures.append(
          NewVersion.Signature(
            metaGraph: position, key: signature.key, methodName: signature.methodName, tensors: tensors))
      }
    }
    if let fingerprint = inspection.fingerprint {
      func stored(_ name: String) -> String { fingerprint.fields.first { $0.name == name }?.stored ?? "0" }
      version.fingerprint = NewVersion.Fingerprint(
        producer: Int(fingerprint.producer), savedModelChecksum: stored("saved_model_checksum"),
        graphDefProgramHash: stored("graph_def_program_hash"), signatureDefHash: stored("signature_def_hash"),
        savedObjectGraphHash: stored("saved_object_graph_hash"), checkpointHash: stored("checkpoint_hash"),
        uuid: fingerprint.uuid, status: fingerprint.isConsistent ? "consistent" : "mismatch")
    }
  }

  private static func signatureTensor(_ direction: String, _ spec: SavedModelInspection.TensorSpec)
    -> NewVersion.SignatureTensor
  {
    NewVersion.SignatureTensor(
      direction: direction, name: spec.key, tensorName: spec.tensorName, dtype: spec.dtype,
      shapeJSON: spec.shape.map { json($0) })
  }

  static func json<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
  }
}

/// Prints how long each phase took to stderr when `REGISTRY_TIMINGS` is set; for profiling.
final class PhaseTimer: @unchecked Sendable {  // used from one thread only
  private var last = DispatchTime.now().uptimeNanoseconds
  private let enabled = ProcessInfo.processInfo.environment["REGISTRY_TIMINGS"] != nil

  func mark(_ phase: String) {
    guard enabled else { return }
    let now = DispatchTime.now().uptimeNanoseconds
    FileHandle.standardError.write(Data("timing: \(phase) \(Double(now - last) / 1e6) ms\n".utf8))
    last = now
  }
}
