import Foundation
import RegistryCore
import TFProto
import TensorKernels

/// Converts between the inference core's `Tensor` and TensorFlow's `TensorProto`, the tensor of
/// every Predict request and response.
///
/// Decoding follows TensorFlow's `Tensor::FromProto`: a non-empty `tensor_content` holds the raw
/// little-endian elements; otherwise the typed list for the dtype (`float_val`, `int_val`, …) holds
/// them, and a list shorter than the shape is filled out with its last value (so one value fills
/// the whole shape) or with zeros when it is empty. It is stricter than TensorFlow where a request
/// is surely wrong: a list longer than the shape, values only in another dtype's list, an unknown
/// dimension, and `tensor_content` for strings are refused instead of being cut, zeroed or
/// misread. The shape is checked against `Limits` before anything is allocated, so a proto of a
/// few bytes claiming `[2^31, 2^31]` is `resource_exhausted`, never an allocation.
///
/// Encoding writes the typed lists, as TensorFlow Serving answers (`AsProtoField`).
///
/// Format reference: `Protos/tensorflow/core/framework/tensor.proto`, savedmodel-format.md §2.5.
public enum TensorProtoCodec {
  /// Decodes one tensor of a request.
  ///
  /// - Parameters:
  ///   - proto: the tensor as it came over the wire.
  ///   - name: what to call it in messages, e.g. `input "x"`.
  /// - Throws: `ServingError` `invalidArgument` for a malformed proto, `unsupported` for a dtype the
  ///   inference core has no tensors of, `resourceExhausted` for a shape over the limits.
  public static func tensor(from proto: Tensorflow_TensorProto, name: String) throws(ServingError) -> Tensor {
    let raw = proto.dtype.rawValue
    guard raw != 0 else { throw ServingError(.invalidArgument, "\(name): dtype is DT_INVALID (not set)") }
    guard let dtype = DType(rawValue: raw) else {
      throw ServingError(.unsupported, "\(name): dtype \(raw) (\(proto.dtype)) is not supported")
    }
    let shape = try Self.shape(of: proto, name: name)
    do throws(TensorError) {
      try Shape.checkAllocation(shape, dtype: dtype, op: name)
    } catch .limitExceeded(_, let limit) {
      throw ServingError(.resourceExhausted, "\(name): \(limit.message)")
    } catch {
      throw ServingError(.invalidArgument, "\(name): \(error)")
    }
    // checkAllocation bounds the element count, so it fits Int.
    let count = Shape.elementCount(shape)

    if dtype == .string {
      guard proto.tensorContent.isEmpty else {
        throw ServingError(
          .invalidArgument, "\(name): a DT_STRING tensor's values belong in string_val, not tensor_content")
      }
      try checkOtherLists(proto, expected: "string_val", name: name)
      try checkStringBytes(proto.stringVal, count: count, name: name)
      let values = try filled(proto.stringVal, count: count, zero: Data(), field: "string_val", name: name)
      return Tensor(strings: values.map { [UInt8]($0) }, shape: shape)
    }
    if !proto.tensorContent.isEmpty {
      try checkOtherLists(proto, expected: "tensor_content", name: name)
      do throws(TensorError) {
        return try Tensor(raw: proto.tensorContent, dtype: dtype, shape: shape)
      } catch .byteCountMismatch(_, _, let expected, let actual) {
        throw ServingError(
          .invalidArgument,
          "\(name): tensor_content has \(actual) bytes, but \(dtype.tensorFlowName) \(Shape.format(shape)) needs \(expected)"
        )
      } catch {
        throw ServingError(.invalidArgument, "\(name): \(error)")
      }
    }
    let field = listName(for: dtype)
    try checkOtherLists(proto, expected: field, name: name)
    switch dtype {
    case .float32:
      return Tensor(float32: try filled(proto.floatVal, count: count, zero: 0, field: field, name: name), shape: shape)
    case .float64:
      return Tensor(float64: try filled(proto.doubleVal, count: count, zero: 0, field: field, name: name), shape: shape)
    case .int32:
      return Tensor(int32: try filled(proto.intVal, count: count, zero: 0, field: field, name: name), shape: shape)
    case .int16:
      let values = try filled(proto.intVal, count: count, zero: 0, field: field, name: name)
      return Tensor(int16: values.map { Int16(truncatingIfNeeded: $0) }, shape: shape)
    case .int8:
      let values = try filled(proto.intVal, count: count, zero: 0, field: field, name: name)
      return Tensor(int8: values.map { Int8(truncatingIfNeeded: $0) }, shape: shape)
    case .uint8:
      let values = try filled(proto.intVal, count: count, zero: 0, field: field, name: name)
      return Tensor(uint8: values.map { UInt8(truncatingIfNeeded: $0) }, shape: shape)
    case .uint16:
      let values = try filled(proto.intVal, count: count, zero: 0, field: field, name: name)
      return Tensor(uint16: values.map { UInt16(truncatingIfNeeded: $0) }, shape: shape)
    case .int64:
      return Tensor(int64: try filled(proto.int64Val, count: count, zero: 0, field: field, name: name), shape: shape)
    case .uint32:
      return Tensor(uint32: try filled(proto.uint32Val, count: count, zero: 0, field: field, name: name), shape: shape)
    case .uint64:
      return Tensor(uint64: try filled(proto.uint64Val, count: count, zero: 0, field: field, name: name), shape: shape)
    case .bool:
      return Tensor(bool: try filled(proto.boolVal, count: count, zero: false, field: field, name: name), shape: shape)
    case .float16, .bfloat16:
      // 16-bit patterns in the low half of each int32, as TensorFlow writes them.
      let bits = try filled(proto.halfVal, count: count, zero: 0, field: field, name: name)
      var bytes: [UInt8] = []
      bytes.reserveCapacity(2 * count)
      for value in bits { bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }
      do throws(TensorError) {
        return try Tensor(raw: bytes, dtype: dtype, shape: shape)
      } catch {
        throw ServingError(.internal, "\(name): \(error)")
      }
    case .complex64:
      // Real, imaginary pairs; an odd count leaves half an element and is refused.
      guard proto.scomplexVal.count % 2 == 0 else {
        throw ServingError(
          .invalidArgument, "\(name): scomplex_val has an odd number of values (real, imaginary pairs)")
      }
      let pairs = stride(from: 0, to: proto.scomplexVal.count, by: 2).map {
        Complex64(proto.scomplexVal[$0], proto.scomplexVal[$0 + 1])
      }
      return Tensor(
        complex64: try filled(pairs, count: count, zero: Complex64(0, 0), field: field, name: name), shape: shape)
    case .complex128:
      guard proto.dcomplexVal.count % 2 == 0 else {
        throw ServingError(
          .invalidArgument, "\(name): dcomplex_val has an odd number of values (real, imaginary pairs)")
      }
      let pairs = stride(from: 0, to: proto.dcomplexVal.count, by: 2).map {
        Complex128(proto.dcomplexVal[$0], proto.dcomplexVal[$0 + 1])
      }
      return Tensor(
        complex128: try filled(pairs, count: count, zero: Complex128(0, 0), field: field, name: name), shape: shape)
    case .string:
      throw ServingError(.internal, "\(name): strings are decoded above")
    }
  }

  /// Encodes a tensor of a response the way TensorFlow Serving does by default: dtype, shape and
  /// the dtype's typed list.
  public static func proto(from tensor: Tensor) -> Tensorflow_TensorProto {
    var proto = header(of: tensor)
    do throws(TensorError) {
      switch tensor.dtype {
      case .float32: proto.floatVal = try tensor.floats()
      case .float64: proto.doubleVal = try tensor.doubles()
      case .int32: proto.intVal = try tensor.int32s()
      case .int16: proto.intVal = try tensor.int16s().map(Int32.init)
      case .int8: proto.intVal = try tensor.int8s().map(Int32.init)
      case .uint8: proto.intVal = try tensor.uint8s().map(Int32.init)
      case .uint16: proto.intVal = try tensor.uint16s().map(Int32.init)
      case .int64: proto.int64Val = try tensor.int64s()
      case .uint32: proto.uint32Val = try tensor.uint32s()
      case .uint64: proto.uint64Val = try tensor.uint64s()
      case .bool: proto.boolVal = try tensor.bools()
      case .string: proto.stringVal = try tensor.strings().map { Data($0) }
      case .complex64: proto.scomplexVal = try tensor.complex64s().flatMap { [$0.real, $0.imag] }
      case .complex128: proto.dcomplexVal = try tensor.complex128s().flatMap { [$0.real, $0.imag] }
      case .float16, .bfloat16:
        let bytes = try tensor.rawBytes()
        proto.halfVal = stride(from: 0, to: bytes.count, by: 2).map { Int32(bytes[$0]) | Int32(bytes[$0 + 1]) << 8 }
      }
    } catch {
      // Each accessor above is the one for the tensor's own dtype.
      preconditionFailure("\(tensor.dtype) tensor read with the wrong accessor: \(error)")
    }
    return proto
  }

  /// Encodes a tensor with its elements packed in `tensor_content` (what `tf.make_tensor_proto`
  /// sends for numbers); strings still go in `string_val`.
  public static func contentProto(from tensor: Tensor) -> Tensorflow_TensorProto {
    guard tensor.dtype != .string, let bytes = try? tensor.rawBytes() else { return proto(from: tensor) }
    var proto = header(of: tensor)
    proto.tensorContent = Data(bytes)
    return proto
  }

  // MARK: - Details

  private static func header(of tensor: Tensor) -> Tensorflow_TensorProto {
    var proto = Tensorflow_TensorProto()
    proto.dtype = Tensorflow_DataType(rawValue: tensor.dtype.rawValue) ?? .dtInvalid
    proto.tensorShape.dim = tensor.shape.map { size in
      var dim = Tensorflow_TensorShapeProto.Dim()
      dim.size = Int64(size)
      return dim
    }
    return proto
  }

  private static func shape(of proto: Tensorflow_TensorProto, name: String) throws(ServingError) -> [Int] {
    guard !proto.tensorShape.unknownRank else {
      throw ServingError(.invalidArgument, "\(name): the shape has unknown rank; a request tensor needs a full shape")
    }
    var shape: [Int] = []
    shape.reserveCapacity(proto.tensorShape.dim.count)
    for dim in proto.tensorShape.dim {
      guard dim.size >= 0, let size = Int(exactly: dim.size) else {
        throw ServingError(
          .invalidArgument, "\(name): dimension \(dim.size) is not a size (unknown dimensions are not allowed)")
      }
      shape.append(size)
    }
    return shape
  }

  /// The typed list that holds `dtype`'s values.
  static func listName(for dtype: DType) -> String {
    switch dtype {
    case .float32: "float_val"
    case .float64: "double_val"
    case .int32, .int16, .int8, .uint8, .uint16: "int_val"
    case .int64: "int64_val"
    case .uint32: "uint32_val"
    case .uint64: "uint64_val"
    case .bool: "bool_val"
    case .string: "string_val"
    case .float16, .bfloat16: "half_val"
    case .complex64: "scomplex_val"
    case .complex128: "dcomplex_val"
    }
  }

  /// Refuses values in any list other than `expected`: TensorFlow would ignore them and hand the
  /// model zeros, which is never what a client that sent them meant.
  private static func checkOtherLists(_ proto: Tensorflow_TensorProto, expected: String, name: String)
    throws(ServingError)
  {
    let lists: [(String, Bool)] = [
      ("tensor_content", !proto.tensorContent.isEmpty), ("float_val", !proto.floatVal.isEmpty),
      ("double_val", !proto.doubleVal.isEmpty), ("int_val", !proto.intVal.isEmpty),
      ("string_val", !proto.stringVal.isEmpty), ("int64_val", !proto.int64Val.isEmpty),
      ("bool_val", !proto.boolVal.isEmpty), ("half_val", !proto.halfVal.isEmpty),
      ("uint32_val", !proto.uint32Val.isEmpty), ("uint64_val", !proto.uint64Val.isEmpty),
      ("scomplex_val", !proto.scomplexVal.isEmpty), ("dcomplex_val", !proto.dcomplexVal.isEmpty),
      ("resource_handle_val", !proto.resourceHandleVal.isEmpty), ("variant_val", !proto.variantVal.isEmpty),
      ("float8_val", !proto.float8Val.isEmpty),
    ]
    let stray = lists.filter { $0.1 && $0.0 != expected }.map(\.0)
    guard stray.isEmpty else {
      throw ServingError(
        .invalidArgument,
        "\(name): a \(proto.dtype) tensor's values belong in \(expected), but \(stray.joined(separator: ", ")) is set")
    }
  }

  /// TensorFlow's fill rule: a short list is completed with its last value (zeros when empty).
  /// A longer list than the shape holds is refused.
  private static func filled<Element>(
    _ values: [Element], count: Int, zero: Element, field: String, name: String
  ) throws(ServingError) -> [Element] {
    if values.count == count { return values }
    guard values.count < count else {
      throw ServingError(
        .invalidArgument, "\(name): \(field) has \(values.count) values, more than the \(count) of its shape")
    }
    return values + [Element](repeating: values.last ?? zero, count: count - values.count)
  }

  /// The bytes a string tensor will hold once its last value is repeated, against the tensor limit.
  private static func checkStringBytes(_ values: [Data], count: Int, name: String) throws(ServingError) {
    var total = Int64(count) * Int64(MemoryLayout<[UInt8]>.stride)
    var overflow = false
    for value in values.prefix(count) {
      (total, overflow) = total.addingReportingOverflow(Int64(value.count))
      if overflow { break }
    }
    if !overflow {
      let repeats = Int64(max(0, count - values.count))
      let (tail, tailOverflow) = repeats.multipliedReportingOverflow(by: Int64(values.last?.count ?? 0))
      (total, overflow) = tailOverflow ? (0, true) : total.addingReportingOverflow(tail)
    }
    let allowed = Limits.current.tensorBytes
    guard !overflow, total <= allowed else {
      let error = LimitExceeded(
        "\(name), a string tensor of \(count) elements", limit: "TENSOR_BYTES", requested: overflow ? nil : total,
        allowed: allowed)
      throw ServingError(.resourceExhausted, error.message)
    }
  }
}
