import Foundation
import SavedModelFormat
import TFProto
import TensorKernels

/// How a model's asset files (vocabularies and the like, in `assets/`) reach its graph.
///
/// TensorFlow feeds each placeholder listed in `MetaGraphDef.asset_file_def` (TF1: the
/// `saved_model_assets` collection) with the path `<model dir>/assets/<filename>` when it runs
/// the restore and init ops; the TF2 object graph's `asset` objects point into the same list.
/// Ops then read the files through `Runtime.readFile`, one closure, so where the bytes come from
/// (the file system today) can change without touching a kernel.
///
/// Format reference: savedmodel-format.md §5.2 step 3.
public enum AssetFiles {
  /// Reads a file by path; throws an `InferenceError` whose message names the file and the
  /// problem.
  public typealias Reader = @Sendable (String) throws(InferenceError) -> [UInt8]

  /// Reads from the file system.
  public static let fileSystem: Reader = { path throws(InferenceError) in
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw InferenceError(.invalidArgument, "cannot read \"\(path)\": no such file")
    }
    guard !isDirectory.boolValue else {
      throw InferenceError(.invalidArgument, "cannot read \"\(path)\": it is a directory")
    }
    do {
      return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw InferenceError(.invalidArgument, "cannot read \"\(path)\": \(error.localizedDescription)")
    }
  }

  /// Reads files inside the model's `assets/` directory (`<root>/assets/...`) from `source`, so a
  /// model opened from a registry's store reads its vocabularies from the store too; every other
  /// path is refused. A graph is untrusted input: its asset list or a `Const` fed to a
  /// file-reading op could name `/etc/shadow` or `assets/../../..`, and neither may be read.
  public static func reader(for source: any SavedModelSource) -> Reader {
    let prefix = (source.root.path.hasSuffix("/") ? source.root.path : source.root.path + "/") + "assets/"
    return { path throws(InferenceError) in
      guard path.hasPrefix(prefix), let relative = AssetPath.contained(String(path.dropFirst(prefix.count))) else {
        throw InferenceError(
          .invalidArgument, "cannot read \"\(path)\": outside the model's assets/ directory; refused")
      }
      do {
        return try source.read("assets/" + relative)
      } catch let error as FormatError {
        throw InferenceError(.invalidArgument, "cannot read \"\(path)\": \(error.problem)")
      } catch {
        throw InferenceError(.invalidArgument, "cannot read \"\(path)\": \(error)")
      }
    }
  }

  /// The asset placeholders of a meta graph and the paths they are fed, by node index.
  ///
  /// - Throws: `InferenceError` (`.invalidArgument`) when an asset names a tensor the graph lacks or
  ///   a file outside `assets/` (`../../etc/hostname`, `/etc/hostname`).
  static func feeds(
    _ metaGraph: Tensorflow_MetaGraphDef, graph: GraphFunction, directory: URL
  ) throws(InferenceError) -> [Int: [Value]] {
    var definitions = metaGraph.assetFileDef
    if definitions.isEmpty, let collection = metaGraph.collectionDef["saved_model_assets"] {
      definitions = collection.anyList.value.compactMap { $0.unpacked(as: Tensorflow_AssetFileDef.self) }
    }
    var feeds: [Int: [Value]] = [:]
    for definition in definitions {
      guard AssetPath.contained(definition.filename) != nil else {
        throw InferenceError(
          .invalidArgument,
          "asset \"\(definition.filename)\" is not a file inside the model's assets/ directory; refused")
      }
      let (node, _) = try LoadedModel.locate(
        definition.tensorInfo.name, in: graph, context: "asset \"\(definition.filename)\"")
      let path = directory.appendingPathComponent("assets").appendingPathComponent(definition.filename).path
      feeds[node] = [.tensor(Tensor(strings: [Array(path.utf8)], shape: []))]
    }
    return feeds
  }
}
