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

  /// A model whose signature returns a float `Const` of `shape` holding one value, which
  /// TensorFlow repeats to fill it: `[1000000, 1000000]` asks for 4 TB.
  public static func writeConstant(to directory: URL, shape: [Int64]) throws {
    var value = Tensorflow_TensorProto()
    value.dtype = .dtFloat
    value.tensorShape.dim = shape.map { size in
      var dimension = Tensorflow_TensorShapeProto.Dim()
      dimension.size = size
      return dimension
    }
    value.floatVal = [1]
    var constant = Tensorflow_NodeDef()
    constant.name = "c"
    constant.op = "Const"
    var dtype = Tensorflow_AttrValue()
    dtype.type = .dtFloat
    var attribute = Tensorflow_AttrValue()
    attribute.tensor = value
    constant.attr = ["dtype": dtype, "value": attribute]
    try write(nodes: [constant], functions: [], inputs: [:], outputs: ["y": "c:0"], to: directory)
  }

  /// A model whose signature calls function `f`, which calls itself through `PartitionedCall`.
  public static func writeRecursion(to directory: URL) throws {
    var dtype = Tensorflow_AttrValue()
    dtype.type = .dtFloat
    var types = Tensorflow_AttrValue()
    types.list.type = [.dtFloat]
    var callee = Tensorflow_AttrValue()
    callee.func.name = "f"
    var placeholder = Tensorflow_NodeDef()
    placeholder.name = "x"
    placeholder.op = "Placeholder"
    placeholder.attr = ["dtype": dtype]
    var call = Tensorflow_NodeDef()
    call.name = "call"
    call.op = "PartitionedCall"
    call.input = ["x"]
    call.attr = ["f": callee, "Tin": types, "Tout": types]
    var inner = call
    inner.name = "again"
    inner.input = ["a"]
    var function = Tensorflow_FunctionDef()
    function.signature.name = "f"
    var argument = Tensorflow_OpDef.ArgDef()
    argument.name = "a"
    argument.type = .dtFloat
    var result = argument
    result.name = "r"
    function.signature.inputArg = [argument]
    function.signature.outputArg = [result]
    function.nodeDef = [inner]
    function.ret = ["r": "again:output:0"]
    try write(
      nodes: [placeholder, call], functions: [function], inputs: ["x": "x:0"], outputs: ["y": "call:0"], to: directory)
  }

  private static func write(
    nodes: [Tensorflow_NodeDef], functions: [Tensorflow_FunctionDef], inputs: [String: String],
    outputs: [String: String], to directory: URL
  ) throws {
    func info(_ name: String) -> Tensorflow_TensorInfo {
      var info = Tensorflow_TensorInfo()
      info.name = name
      info.dtype = .dtFloat
      return info
    }
    var metaGraph = Tensorflow_MetaGraphDef()
    metaGraph.metaInfoDef.tags = ["serve"]
    metaGraph.graphDef.node = nodes
    metaGraph.graphDef.library.function = functions
    var signature = Tensorflow_SignatureDef()
    signature.methodName = "tensorflow/serving/predict"
    signature.inputs = inputs.mapValues(info)
    signature.outputs = outputs.mapValues(info)
    metaGraph.signatureDef = ["serving_default": signature]
    var model = Tensorflow_SavedModel()
    model.savedModelSchemaVersion = 1
    model.metaGraphs = [metaGraph]
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try Data(model.serializedBytes() as [UInt8]).write(to: directory.appendingPathComponent("saved_model.pb"))
  }
}
