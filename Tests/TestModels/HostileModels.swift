import Foundation
import TFProto

/// SavedModels crafted to attack the tool, built in code: each is a valid graph whose metadata
/// tries to escape where `registry` writes or reads.
public enum HostileModels {
  /// A model whose only signature copies its float input `x` to an output named `outputKey`
  /// (e.g. `../../escaped_out`), through an `Identity` node.
  public static func writeIdentity(to directory: URL, outputKey: String) throws {
    var placeholder = Tensorflow_NodeDef()
    placeholder.name = "x"
    placeholder.op = "Placeholder"
    var dtype = Tensorflow_AttrValue()
    dtype.type = .dtFloat
    placeholder.attr = ["dtype": dtype]
    var identity = Tensorflow_NodeDef()
    identity.name = "y"
    identity.op = "Identity"
    identity.input = ["x"]
    identity.attr = ["T": dtype]

    var metaGraph = Tensorflow_MetaGraphDef()
    metaGraph.metaInfoDef.tags = ["serve"]
    metaGraph.graphDef.node = [placeholder, identity]
    var input = Tensorflow_TensorInfo()
    input.name = "x:0"
    input.dtype = .dtFloat
    var output = Tensorflow_TensorInfo()
    output.name = "y:0"
    output.dtype = .dtFloat
    var signature = Tensorflow_SignatureDef()
    signature.methodName = "tensorflow/serving/predict"
    signature.inputs = ["x": input]
    signature.outputs = [outputKey: output]
    metaGraph.signatureDef = ["serving_default": signature]

    var model = Tensorflow_SavedModel()
    model.savedModelSchemaVersion = 1
    model.metaGraphs = [metaGraph]
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try Data(model.encodedBytes()).write(to: directory.appendingPathComponent("saved_model.pb"))
  }

  /// Rewrites every asset file name of the SavedModel in `directory` (its `asset_file_def`) to
  /// `name`, e.g. `../../../../etc/hostname`.
  public static func renameAssets(in directory: URL, to name: String) throws {
    let file = directory.appendingPathComponent("saved_model.pb")
    var model = try Tensorflow_SavedModel(serializedBytes: try Data(contentsOf: file))
    for index in model.metaGraphs.indices {
      for asset in model.metaGraphs[index].assetFileDef.indices {
        model.metaGraphs[index].assetFileDef[asset].filename = name
      }
    }
    try Data(model.serializedBytes() as [UInt8]).write(to: file)
  }
}
