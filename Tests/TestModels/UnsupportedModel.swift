import Foundation
import TFProto

/// A tiny SavedModel whose graph uses ops the core does not implement, shared by the inference
/// and command-line tests (this module is test support, not a test target), built in the test rather
/// than kept as a fixture: `RandomUniform` twice in the top-level graph (nodes `random`,
/// `random_1`) and
/// `SparseBincount` inside the function `inner_fn` that the signature calls. The ops never run: loading must
/// refuse the model first.
public enum UnsupportedModel {
  public static func write(to directory: URL) throws {
    var graph = Tensorflow_GraphDef()
    graph.node = [
      node("x", "Placeholder", [], ["dtype": type(.dtFloat)]),
      node("random", "RandomUniform", ["x"]),
      node("random_1", "RandomUniform", ["random"]),
      node("call", "StatefulPartitionedCall", ["random_1"], ["f": function("inner_fn")]),
    ]
    var inner = Tensorflow_FunctionDef()
    inner.signature.name = "inner_fn"
    inner.signature.inputArg = [argument("a")]
    inner.signature.outputArg = [argument("y")]
    inner.nodeDef = [node("bincount", "SparseBincount", ["a"])]
    inner.ret = ["y": "bincount:output:0"]
    graph.library.function = [inner]

    var metaGraph = Tensorflow_MetaGraphDef()
    metaGraph.metaInfoDef.tags = ["serve"]
    var bincount = Tensorflow_OpDef()
    bincount.name = "SparseBincount"
    bincount.outputArg = [argument("output")]
    metaGraph.metaInfoDef.strippedOpList.op = [bincount]
    metaGraph.graphDef = graph
    var signature = Tensorflow_SignatureDef()
    signature.methodName = "tensorflow/serving/predict"
    signature.inputs = ["x": tensorInfo("x:0")]
    signature.outputs = ["y": tensorInfo("call:0")]
    metaGraph.signatureDef = ["serving_default": signature]

    var model = Tensorflow_SavedModel()
    model.savedModelSchemaVersion = 1
    model.metaGraphs = [metaGraph]
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try Data(model.encodedBytes()).write(to: directory.appendingPathComponent("saved_model.pb"))
  }

  private static func node(
    _ name: String, _ op: String, _ inputs: [String], _ attributes: [String: Tensorflow_AttrValue] = [:]
  ) -> Tensorflow_NodeDef {
    var node = Tensorflow_NodeDef()
    node.name = name
    node.op = op
    node.input = inputs
    node.attr = attributes
    return node
  }

  private static func type(_ type: Tensorflow_DataType) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.type = type
    return value
  }

  private static func function(_ name: String) -> Tensorflow_AttrValue {
    var value = Tensorflow_AttrValue()
    value.func.name = name
    return value
  }

  private static func argument(_ name: String) -> Tensorflow_OpDef.ArgDef {
    var argument = Tensorflow_OpDef.ArgDef()
    argument.name = name
    argument.type = .dtFloat
    return argument
  }

  private static func tensorInfo(_ name: String) -> Tensorflow_TensorInfo {
    var info = Tensorflow_TensorInfo()
    info.name = name
    info.dtype = .dtFloat
    return info
  }
}
