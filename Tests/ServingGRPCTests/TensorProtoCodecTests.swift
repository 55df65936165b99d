import Foundation
import RegistryCore
import ServingGRPC
import TFProto
import TensorKernels
import Testing

@Suite("TensorProto conversion")
struct TensorProtoCodecTests {
  /// One tensor of every dtype the inference core has, with values that catch byte-order, sign
  /// and truncation mistakes.
  static let samples: [Tensor] = [
    Tensor(float32: [1.5, -0, .infinity, -3.25e-5, .greatestFiniteMagnitude, 7], shape: [2, 3]),
    Tensor(float64: [.pi, -1e300], shape: [2]),
    Tensor(float16: [1, -2.5, 65504], shape: [3]),
    Tensor(bfloat16: [1, -2.5, 3e38], shape: [3, 1]),
    Tensor(int8: [-128, 127, 0], shape: [3]),
    Tensor(int16: [-32768, 32767], shape: [2]),
    Tensor(int32: [.min, .max, -1, 0], shape: [2, 2]),
    Tensor(int64: [.min, .max], shape: [2]),
    Tensor(uint8: [0, 255], shape: [2]),
    Tensor(uint16: [0, 65535], shape: [2]),
    Tensor(uint32: [0, .max], shape: [2]),
    Tensor(uint64: [0, .max], shape: [2]),
    Tensor(bool: [true, false, true], shape: [3]),
    Tensor(strings: [[0, 255, 10], [], Array("fox".utf8)], shape: [3]),
    Tensor(float32: [42], shape: []),
    Tensor(int64: [], shape: [0, 5]),
    Tensor(complex64: [Complex64(1.5, -2), Complex64(.nan, .infinity)], shape: [2]),
    Tensor(complex128: [Complex128(.pi, -1e300)], shape: [1, 1]),
  ]

  @Test("every dtype survives typed lists and tensor_content", arguments: samples)
  func roundTrip(tensor: Tensor) throws {
    let typed = TensorProtoCodec.proto(from: tensor)
    #expect(typed.tensorContent.isEmpty)
    #expect(try TensorProtoCodec.tensor(from: typed, name: "t") == tensor)
    let packed = TensorProtoCodec.contentProto(from: tensor)
    #expect(try TensorProtoCodec.tensor(from: packed, name: "t") == tensor)
    // And through the wire format.
    let bytes = typed.encodedBytes()
    #expect(try TensorProtoCodec.tensor(from: Tensorflow_TensorProto(decoding: bytes), name: "t") == tensor)
  }

  @Test("typed lists go where TensorFlow Serving puts them")
  func typedFields() {
    #expect(TensorProtoCodec.proto(from: Tensor(uint8: [1, 2], shape: [2])).intVal == [1, 2])
    #expect(TensorProtoCodec.proto(from: Tensor(int64: [5], shape: [1])).int64Val == [5])
    #expect(TensorProtoCodec.proto(from: Tensor(float16: [1], shape: [1])).halfVal == [0x3C00])
    #expect(TensorProtoCodec.proto(from: Tensor(bfloat16: [1], shape: [1])).halfVal == [0x3F80])
    #expect(TensorProtoCodec.proto(from: Tensor(complex64: [Complex64(1, -2)], shape: [1])).scomplexVal == [1, -2])
    #expect(TensorProtoCodec.proto(from: Tensor(complex128: [Complex128(3, 4)], shape: [1])).dcomplexVal == [3, 4])
    let proto = TensorProtoCodec.proto(from: Tensor(float32: [1, 2], shape: [1, 2]))
    #expect(proto.dtype == .dtFloat)
    #expect(proto.tensorShape.dim.map(\.size) == [1, 2])
  }

  @Test("a short list is filled out with its last value, an empty one with zeros")
  func fillRule() throws {
    var proto = Self.header(.dtFloat, [2, 3])
    proto.floatVal = [1.5]
    #expect(
      try TensorProtoCodec.tensor(from: proto, name: "x")
        == Tensor(float32: [Float](repeating: 1.5, count: 6), shape: [2, 3]))
    proto.floatVal = [1, 2]
    #expect(try TensorProtoCodec.tensor(from: proto, name: "x") == Tensor(float32: [1, 2, 2, 2, 2, 2], shape: [2, 3]))
    proto.floatVal = []
    #expect(try TensorProtoCodec.tensor(from: proto, name: "x") == Tensor(float32: [0, 0, 0, 0, 0, 0], shape: [2, 3]))
    var strings = Self.header(.dtString, [3])
    strings.stringVal = [Data("a".utf8)]
    #expect(try TensorProtoCodec.tensor(from: strings, name: "s") == Tensor(strings: ["a", "a", "a"], shape: [3]))
  }

  @Test("int_val values are cut to the narrow dtype as TensorFlow casts them")
  func narrowing() throws {
    var proto = Self.header(.dtUint8, [2])
    proto.intVal = [256 + 7, -1]
    #expect(try TensorProtoCodec.tensor(from: proto, name: "x") == Tensor(uint8: [7, 255], shape: [2]))
  }

  /// Hostile or malformed protos, the category each must get, and a word its message must hold.
  static let hostile: [(String, Tensorflow_TensorProto, ErrorCategory, String)] = {
    var cases: [(String, Tensorflow_TensorProto, ErrorCategory, String)] = []
    var proto = header(.dtFloat, [1 << 31, 1 << 31])
    proto.floatVal = [1]
    cases.append(("a huge shape from one value", proto, .resourceExhausted, "TENSOR_ELEMENTS"))
    proto = header(.dtFloat, [Int64.max, 2])
    cases.append(("a shape that overflows", proto, .resourceExhausted, "TENSOR_ELEMENTS"))
    proto = header(.dtString, [1 << 20, 1 << 10])
    proto.stringVal = [Data(count: 1 << 12)]
    cases.append(("a 4 KB string repeated a billion times", proto, .resourceExhausted, "TENSOR_BYTES"))
    proto = header(.dtFloat, [-1, 3])
    cases.append(("an unknown dimension", proto, .invalidArgument, "-1"))
    proto = header(.dtFloat, [])
    proto.tensorShape.unknownRank = true
    cases.append(("unknown rank", proto, .invalidArgument, "unknown rank"))
    proto = header(.dtInvalid, [1])
    cases.append(("no dtype", proto, .invalidArgument, "DT_INVALID"))
    proto = header(.dtQint8, [1])
    proto.intVal = [1]
    cases.append(("a dtype the core lacks", proto, .unsupported, "not supported"))
    proto = header(.dtComplex64, [2])
    proto.scomplexVal = [1, 2, 3]
    cases.append(("half a complex element", proto, .invalidArgument, "odd number"))
    proto = header(.dtFloat, [2, 2])
    proto.tensorContent = Data(count: 12)
    cases.append(("tensor_content of the wrong length", proto, .invalidArgument, "needs 16"))
    proto = header(.dtFloat, [2])
    proto.floatVal = [1, 2, 3]
    cases.append(("more values than the shape holds", proto, .invalidArgument, "more than the 2"))
    proto = header(.dtInt32, [2])
    proto.floatVal = [1, 2]
    cases.append(("values in another dtype's list", proto, .invalidArgument, "int_val"))
    proto = header(.dtString, [1])
    proto.tensorContent = Data([1, 2, 3])
    cases.append(("strings in tensor_content", proto, .invalidArgument, "string_val"))
    proto = header(.dtFloat, [2])
    proto.tensorContent = Data(count: 8)
    proto.floatVal = [1, 2]
    cases.append(("both tensor_content and a list", proto, .invalidArgument, "float_val"))
    return cases
  }()

  @Test("hostile protos get a clear error and no allocation", arguments: hostile.indices)
  func hostileProto(index: Int) {
    let (what, proto, category, word) = Self.hostile[index]
    do {
      let tensor = try TensorProtoCodec.tensor(from: proto, name: "input \"x\"")
      Issue.record("\(what): decoded to \(tensor)")
    } catch {
      #expect(error.category == category, "\(what): \(error.message)")
      #expect(error.message.contains(word), "\(what): \(error.message)")
      #expect(error.message.contains("input \"x\""), "\(what): \(error.message)")
    }
  }

  static func header(_ dtype: Tensorflow_DataType, _ shape: [Int64]) -> Tensorflow_TensorProto {
    var proto = Tensorflow_TensorProto()
    proto.dtype = dtype
    proto.tensorShape.dim = shape.map { size in
      var dim = Tensorflow_TensorShapeProto.Dim()
      dim.size = size
      return dim
    }
    return proto
  }
}
