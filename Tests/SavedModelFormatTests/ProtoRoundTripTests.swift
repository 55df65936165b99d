import Foundation
import TFProto
import Testing

@Suite("protobuf schemas")
struct ProtoRoundTripTests {
  @Test("unknown fields survive a parse and a re-encode")
  func unknownFields() throws {
    // BundleHeaderProto {num_shards: 1, version {producer: 1}} plus field 99 (varint 7) and
    // field 100 (bytes "hi"), which our schema does not declare.
    let bytes: [UInt8] = [0x08, 0x01, 0x1a, 0x02, 0x08, 0x01, 0x98, 0x06, 0x07, 0xa2, 0x06, 0x02, 0x68, 0x69]
    let header = try Tensorflow_BundleHeaderProto(decoding: bytes)
    #expect(header.numShards == 1 && header.version.producer == 1)
    #expect(header.canonicalBytes() == bytes)
  }

  @Test("every fixture's saved_model.pb parses and re-encodes canonically to the bytes it hashes")
  func fixtureGraphsParse() throws {
    for name in try Fixtures.names() {
      let data = try Data(contentsOf: Fixtures.model(name).appendingPathComponent("saved_model.pb"))
      let model = try Tensorflow_SavedModel(decoding: [UInt8](data))
      // Re-decoding the canonical encoding gives the same message (nothing is lost).
      #expect(try Tensorflow_SavedModel(decoding: model.canonicalBytes()) == model, "\(name)")
    }
  }

  @Test("the one-pass canonical encoder writes SwiftProtobuf's deterministic encoding for every fixture")
  func canonicalEncoderMatchesFixtures() throws {
    let names = try Fixtures.names()
    #expect(names.count > 10)
    for name in names {
      let directory = Fixtures.model(name)
      let data = try Data(contentsOf: directory.appendingPathComponent("saved_model.pb"))
      let model = try Tensorflow_SavedModel(decoding: [UInt8](data))
      #expect(model.canonicalBytes() == model.swiftProtobufCanonicalBytes(), "\(name)")
      for meta in model.metaGraphs {
        for function in meta.graphDef.library.function {
          #expect(function.canonicalBytes() == function.swiftProtobufCanonicalBytes(), "\(name)")
        }
      }
    }
  }

  @Test("the one-pass canonical encoder handles every field kind TensorFlow's schemas use")
  func canonicalEncoderFieldKinds() throws {
    var tensor = Tensorflow_TensorProto()
    tensor.dtype = .UNRECOGNIZED(-3)  // an unknown enum value: a 10-byte varint
    tensor.tensorShape.dim = ([-1, 0, 1 << 40] as [Int64]).map { size in
      var dim = Tensorflow_TensorShapeProto.Dim()
      dim.size = size
      return dim
    }
    tensor.floatVal = [0, -0.0, .infinity, 1.5]
    tensor.doubleVal = [-2.25, .leastNonzeroMagnitude]
    tensor.intVal = [0, -1, Int32.min, Int32.max, 127, 128]
    tensor.int64Val = [Int64.min, -1, 300]
    tensor.uint64Val = [UInt64.max, 0]
    tensor.uint32Val = [UInt32.max]
    tensor.boolVal = [true, false, true]
    tensor.halfVal = [-7]
    tensor.stringVal = [Data(), Data(repeating: 0xAB, count: 200), Data(repeating: 1, count: 20_000)]
    var list = Tensorflow_AttrValue.ListValue()
    list.type = [.dtFloat, .UNRECOGNIZED(-9)]
    list.i = [1, -1]
    list.f = [0.5]
    list.b = [false, true]
    var node = Tensorflow_NodeDef()
    node.name = String(repeating: "n", count: 130)
    var listValue = Tensorflow_AttrValue()
    listValue.list = list
    var tensorValue = Tensorflow_AttrValue()
    tensorValue.tensor = tensor
    var empty = Tensorflow_AttrValue()
    empty.b = false  // a oneof member set to its default is still written
    // Keys where a proper prefix sorts first, and non-ASCII ones.
    node.attr = ["value": tensorValue, "list": listValue, "val": empty, "": Tensorflow_AttrValue(), "é": empty]
    var function = Tensorflow_FunctionDef()
    function.nodeDef = Array(repeating: node, count: 3)
    function.ret = ["b": "x", "a": "", "ab": "y"]
    var attrs = Tensorflow_FunctionDef.ArgAttrs()
    attrs.attr = ["k": empty]
    function.argAttr = [7: attrs, 0: attrs, 300: attrs]
    function.resourceArgUniqueID = [3: 1, 1: 2]
    var graph = Tensorflow_GraphDef()
    graph.library.function = [function]
    graph.node = [node]
    // Unknown fields (field 99, a varint) are kept and written last.
    var withUnknown = try Tensorflow_GraphDef(decoding: graph.canonicalBytes() + [0x98, 0x06, 0x07])
    withUnknown.versions.producer = 5
    for message in [graph, withUnknown] {
      let ours = message.canonicalBytes()
      #expect(ours == message.swiftProtobufCanonicalBytes())
      #expect(try Tensorflow_GraphDef(decoding: ours) == message)
    }
  }

  @Test("string map keys are ordered by their UTF-8 bytes, as TensorFlow's C++ serializer orders them")
  func canonicalEncoderOrdersKeysByBytes() throws {
    // U+00E9 (C3 A9) sorts before "e" + U+0301 (65 CC 81) as Swift strings, which compare
    // canonically; by bytes "e..." (65) comes first.
    var signature = Tensorflow_SignatureDef()
    signature.inputs = ["\u{E9}x": Tensorflow_TensorInfo(), "e\u{301}y": Tensorflow_TensorInfo()]
    let bytes = signature.canonicalBytes()
    let decoded = try Tensorflow_SignatureDef(decoding: bytes)
    #expect(decoded == signature)
    let first = bytes.firstIndex(of: 0x65)
    let second = bytes.firstIndex(of: 0xC3)
    #expect(first != nil && second != nil && first! < second!)
  }
}
