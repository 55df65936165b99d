import Foundation
import Registry
import RegistryCore

extension ModelPack {
  /// Imports a ModelPack artifact: every raw layer is fetched, verified and written as the file
  /// its `org.cncf.model.filepath` names (mode from its file metadata, directories from our
  /// annotation when present) into a temporary directory, which is then pushed through the
  /// store's normal push path, so it is validated, chunked and deduplicated like any push.
  ///
  /// Unlike our own format, the version is created by the importing user, now; the message and
  /// the parent (when the artifact names one the store holds) are kept. Tar layers are
  /// `unsupported`: `modctl extract` unpacks those.
  static func importArtifact(
    _ manifest: ImageManifest, from store: any ArtifactStore, endpoint: Endpoint, into registry: Registry,
    name: String?, aliases: [String], options: TransferOptions
  ) async throws(RemoteError) -> ImportReport {
    try manifest.config.checkSize("config")
    let configBytes = try await store.blob(manifest.config)
    try manifest.config.verify(configBytes, from: endpoint.description)
    let config = try CanonicalJSON.decode(
      ModelPackConfig.self, from: configBytes, what: "\(endpoint): ModelPack config")
    let annotations = manifest.annotations ?? [:]
    guard let model = name ?? config.descriptor.name ?? annotations["org.opencontainers.image.title"] else {
      throw RemoteError(.invalidArgument, "\(endpoint): the ModelPack config names no model; pass --name")
    }
    do {
      try Reference.validateModelName(model)
      for alias in aliases { try Reference.validateAlias(alias) }
      if let hint = annotations[Annotation.manifest].flatMap({ Digest($0) }),
        let existing = try registry.versions(withManifest: hint).first
      {
        return ImportReport(
          source: endpoint.description, reference: existing.reference, manifest: hint.description, created: false,
          parent: existing.parent, downloaded: 0, downloadedBytes: 0, skipped: manifest.layers.count)
      }
    } catch {
      throw RemoteError.wrap(error)
    }

    let plan = try Plan(manifest, endpoint: endpoint)
    let card = try await fetchCard(plan.card, from: store, endpoint: endpoint, limits: options.limits)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
      "registry-modelpack-\(getpid())-\(UUID().uuidString.lowercased())")
    let root = scratch.appendingPathComponent("model")
    defer { removeScratch(scratch) }
    try plan.makeDirectories(in: root, endpoint: endpoint)
    let label = endpoint.description
    _ = try await Transfer.forEach(plan.files, jobs: options.jobs) { file throws(RemoteError) -> Bool in
      try file.layer.checkSize("layer")
      let bytes = try await store.blob(file.layer)
      try file.layer.verify(bytes, from: label)
      let path = root.appendingPathComponent(file.path).path
      guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
      else {
        throw RemoteError(.unavailable, "\(label): cannot write \(file.path) into \(root.path)")
      }
      return true
    }
    try plan.applyModes(in: root, endpoint: endpoint)

    var push = PushOptions(model: model)
    push.aliases = aliases
    push.message = config.descriptor.description ?? annotations["org.opencontainers.image.description"]
    let result: PushResult
    do {
      if let parent = annotations[parentAnnotation].flatMap({ Digest($0) }),
        let found = try registry.versions(withManifest: parent).first
      {
        push.parent = try Reference(parsing: found.reference)
      }
      result = try registry.push(root, push)
      if let card, result.created { _ = try registry.setCard(try Reference(parsing: result.reference), markdown: card) }
    } catch {
      throw RemoteError.wrap(error)
    }
    let downloaded = plan.files.map(\.layer) + (plan.card.map { [$0] } ?? [])
    return ImportReport(
      source: endpoint.description, reference: result.reference, manifest: result.manifest, created: result.created,
      parent: result.parent, downloaded: downloaded.count, downloadedBytes: downloaded.reduce(0) { $0 + $1.size },
      skipped: manifest.layers.count - downloaded.count)
  }

  /// What the layers say to write: files with their modes, directories, the card layer.
  private struct Plan {
    struct File: Sendable {
      let layer: Descriptor
      let path: String
      let mode: UInt16
    }

    var files: [File] = []
    var directories: [DirectoryEntry] = []
    var card: Descriptor?

    init(_ manifest: ImageManifest, endpoint: Endpoint) throws(RemoteError) {
      var paths = Set<String>()
      for layer in manifest.layers {
        let annotations = layer.annotations ?? [:]
        if layer.mediaType == ModelPack.doc, annotations[ModelPack.cardAnnotation] == "true" {
          guard card == nil else {
            throw RemoteError(.invalidArgument, "\(endpoint): two model card layers; an artifact carries at most one")
          }
          card = layer
          continue
        }
        guard
          [ModelPack.weight, ModelPack.weightConfig, ModelPack.doc].contains(layer.mediaType)
            || ModelPack.otherRaw.contains(layer.mediaType)
        else {
          throw RemoteError(
            .unsupported,
            "\(endpoint): layer \(layer.digest) has type \(layer.mediaType); only raw (file-per-layer) ModelPack "
              + "layers, as `registry export --format modelpack` writes them, can be imported")
        }
        guard let path = annotations[ModelPack.filepath] ?? annotations[ModelPack.legacyFilepath] else {
          throw RemoteError(.invalidArgument, "\(endpoint): layer \(layer.digest) has no \(ModelPack.filepath)")
        }
        try ModelPack.checkPath(path, endpoint: endpoint)
        guard paths.insert(path).inserted else {
          throw RemoteError(.invalidArgument, "\(endpoint): two layers for the file \(path)")
        }
        let metadata = annotations[ModelPack.fileMetadata].flatMap {
          try? JSONDecoder().decode(FileMetadata.self, from: Data($0.utf8))
        }
        files.append(File(layer: layer, path: path, mode: metadata.map { UInt16($0.mode & 0o777) } ?? 0o644))
      }
      guard !files.isEmpty else { throw RemoteError(.invalidArgument, "\(endpoint): the artifact has no files") }
      if let text = manifest.annotations?[ModelPack.directoriesAnnotation] {
        directories = try CanonicalJSON.decode(
          [DirectoryEntry].self, from: Array(text.utf8), what: "\(endpoint): \(ModelPack.directoriesAnnotation)")
        for directory in directories { try ModelPack.checkPath(directory.path, endpoint: endpoint) }
      }
    }

    /// Every directory the files need and the annotation names, writable until `applyModes`.
    func makeDirectories(in root: URL, endpoint: Endpoint) throws(RemoteError) {
      let needed = files.map { ($0.path as NSString).deletingLastPathComponent }.filter { !$0.isEmpty }
      do {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for path in Set(needed + directories.map(\.path)).sorted() {
          try FileManager.default.createDirectory(
            at: root.appendingPathComponent(path), withIntermediateDirectories: true)
        }
      } catch {
        throw RemoteError(.unavailable, "\(endpoint): cannot lay out the files in \(root.path): \(error)")
      }
    }

    /// The files' modes, then the directories', deepest first.
    func applyModes(in root: URL, endpoint: Endpoint) throws(RemoteError) {
      do {
        for file in files {
          try FileManager.default.setAttributes(
            [.posixPermissions: Int(file.mode)], ofItemAtPath: root.appendingPathComponent(file.path).path)
        }
        for directory in directories.sorted(by: { $0.path > $1.path }) {
          try FileManager.default.setAttributes(
            [.posixPermissions: Int(directory.mode & 0o777)],
            ofItemAtPath: root.appendingPathComponent(directory.path).path)
        }
      } catch {
        throw RemoteError(.unavailable, "\(endpoint): cannot set modes in \(root.path): \(error)")
      }
    }
  }

  /// Refuses a path that could land outside the directory: absolute, empty, `.` or `..`
  /// components, backslashes or NUL.
  static func checkPath(_ path: String, endpoint: Endpoint) throws(RemoteError) {
    let components = path.split(separator: "/", omittingEmptySubsequences: false)
    guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0"),
      components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
    else {
      throw RemoteError(.invalidArgument, "\(endpoint): unsafe file path \"\(path)\" in a layer annotation")
    }
  }

  /// The card layer's bytes, checked as `registry card set` checks a file, before anything is
  /// written: size from the descriptor first, then digest, then UTF-8.
  private static func fetchCard(
    _ layer: Descriptor?, from store: any ArtifactStore, endpoint: Endpoint, limits: Limits
  ) async throws(RemoteError) -> [UInt8]? {
    guard let layer else { return nil }
    return try await Transfer.readCard(layer, from: store, endpoint: endpoint, limits: limits)
  }

  /// Removes the scratch directory, making its directories writable first (a version may
  /// carry read-only ones).
  private static func removeScratch(_ scratch: URL) {
    if let enumerator = FileManager.default.enumerator(atPath: scratch.path) {
      while let relative = enumerator.nextObject() as? String {
        let path = scratch.appendingPathComponent(relative).path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
          try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        }
      }
    }
    try? FileManager.default.removeItem(at: scratch)
  }
}
