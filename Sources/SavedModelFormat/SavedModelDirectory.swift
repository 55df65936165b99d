import Foundation
import RegistryCore
import TFProto

/// A SavedModel directory on disk, opened and parsed.
///
/// Opening reads the graph file (`saved_model.pb`, else `saved_model.pbtxt`) and
/// `fingerprint.pb`, and lists every file. It does not read weights; `bundle()` opens the
/// variables, and `SavedModelVerifier` checks everything.
///
/// Format reference: savedmodel-format.md §1–2.
public struct SavedModelDirectory: Sendable {
  /// One entry of the directory tree, with a path relative to the SavedModel root.
  public struct FileEntry: Sendable, Codable, Equatable {
    public typealias Kind = FileKind
    public let path: String
    public let kind: Kind
    /// Size in bytes (0 for directories).
    public let size: Int64
    /// Permission bits, e.g. `0o644`.
    public let mode: UInt16

    public init(path: String, kind: Kind, size: Int64, mode: UInt16) {
      self.path = path
      self.kind = kind
      self.size = size
      self.mode = mode
    }
  }

  /// Which file the graph was read from.
  public enum GraphFile: String, Sendable, Codable {
    case binary = "saved_model.pb"
    case text = "saved_model.pbtxt"
  }

  public static let variablesPrefix = "variables/variables"

  /// Where the files are read from.
  public let source: any SavedModelSource
  /// The model's location, as errors name it.
  public var url: URL { source.root }
  public let graphFile: GraphFile
  public let savedModel: Tensorflow_SavedModel
  /// Every file and directory below the root, sorted by path (bytewise).
  public let files: [FileEntry]
  /// The parsed `fingerprint.pb`, when there is one.
  public let fingerprint: Tensorflow_FingerprintDef?

  /// Opens a SavedModel directory.
  ///
  /// - Throws: `FormatError`: `.notFound` for a missing directory; `.invalidArgument` when it is
  ///   not a directory, holds no graph file, or holds a symlink or special file; `.unsupported`
  ///   for a chunked `saved_model.cpb`; `.corrupted` when a proto does not parse.
  public init(url: URL) throws(FormatError) {
    try self.init(source: DirectorySource(url))
  }

  /// Opens a SavedModel from any source (a directory, or a registry's stored version).
  public init(source: any SavedModelSource) throws(FormatError) {
    self.source = source
    let url = source.root
    self.files = try source.listing()
    let names = Set(files.map(\.path))

    if names.contains(GraphFile.binary.rawValue) {
      graphFile = .binary
      let bytes = try source.read(GraphFile.binary.rawValue)
      do {
        savedModel = try Tensorflow_SavedModel(decoding: bytes)
      } catch {
        throw FormatError(
          .corrupted, file: url.appendingPathComponent("saved_model.pb").path,
          "not a SavedModel: \(error)")
      }
    } else if names.contains(GraphFile.text.rawValue) {
      graphFile = .text
      let file = url.appendingPathComponent(GraphFile.text.rawValue)
      let text = String(decoding: try source.read(GraphFile.text.rawValue), as: UTF8.self)
      do {
        savedModel = try Tensorflow_SavedModel(decodingText: text)
      } catch {
        throw FormatError(.corrupted, file: file.path, "not a SavedModel: \(error)")
      }
    } else if names.contains("saved_model.cpb") {
      throw FormatError(
        .unsupported, file: url.appendingPathComponent("saved_model.cpb").path,
        "chunked SavedModels (saved_model.cpb, written with experimental_image_format) are not supported yet"
      )
    } else {
      throw FormatError(
        .invalidArgument, file: url.path,
        "not a SavedModel directory: it has no saved_model.pb or saved_model.pbtxt")
    }
    if savedModel.metaGraphs.isEmpty {
      throw FormatError(
        .corrupted, file: url.appendingPathComponent(graphFile.rawValue).path, "the SavedModel has no meta graphs")
    }

    if names.contains("fingerprint.pb") {
      let file = url.appendingPathComponent("fingerprint.pb")
      do {
        fingerprint = try Tensorflow_FingerprintDef(decoding: try source.read("fingerprint.pb"))
      } catch let error as FormatError {
        throw error
      } catch {
        throw FormatError(.corrupted, file: file.path, "not a FingerprintDef: \(error)")
      }
    } else {
      fingerprint = nil
    }
  }

  /// Whether the directory has a variables index (TF1 graphs without variables have none).
  public var hasVariables: Bool {
    files.contains { $0.path == Self.variablesPrefix + ".index" }
  }

  /// Whether tf-keras wrote its `keras_metadata.pb`.
  public var hasKerasMetadata: Bool { files.contains { $0.path == "keras_metadata.pb" } }

  /// Opens the variables bundle, or returns `nil` when the model has none.
  public func bundle() throws(FormatError) -> TensorBundle? {
    guard hasVariables else { return nil }
    return try TensorBundle(source: source, prefix: Self.variablesPrefix)
  }

  /// The path of the graph file.
  public var graphFileURL: URL { url.appendingPathComponent(graphFile.rawValue) }
}
