import TFProto
import TensorKernels

/// Decodes a `TensorProto` (the `value` of a `Const` node) into a tensor.
///
/// `tensor_content` holds raw little-endian elements; otherwise the typed list for the dtype is
/// used, and when it is shorter than the shape needs its last element is repeated (an empty list
/// means zeros). HALF and BFLOAT16 values travel as 16-bit patterns in `half_val`.
///
/// Format reference: savedmodel-format.md §2.5.
enum TensorProtoDecoding {
  static func tensor(_ proto: Tensorflow_TensorProto, context: @autoclosure () -> String) throws(InferenceError)
    -> Tensor
  {
    guard let dtype = DType(rawValue: proto.dtype.rawValue) else {
      throw InferenceError(.unsupported, "\(context()): dtype \(proto.dtype.rawValue) is not supported")
    }
    let shape = proto.tensorShape.dim.map { Int($0.size) }
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw InferenceError(.invalidArgument, "\(context()): constant has an unknown dimension")
    }
    let count = shape.reduce(1, *)
    do {
      if dtype == .string {
        return Tensor(strings: fill(proto.stringVal.map { [UInt8]($0) }, count: count, zero: []), shape: shape)
      }
      if !proto.tensorContent.isEmpty {
        return try Tensor(raw: [UInt8](proto.tensorContent), dtype: dtype, shape: shape)
      }
      switch dtype {
      case .float32: return Tensor(float32: fill(proto.floatVal, count: count, zero: 0), shape: shape)
      case .float64: return Tensor(float64: fill(proto.doubleVal, count: count, zero: 0), shape: shape)
      case .int32: return Tensor(int32: fill(proto.intVal, count: count, zero: 0), shape: shape)
      case .int16:
        return Tensor(
          int16: fill(proto.intVal, count: count, zero: 0).map { Int16(truncatingIfNeeded: $0) }, shape: shape)
      case .int8:
        return Tensor(
          int8: fill(proto.intVal, count: count, zero: 0).map { Int8(truncatingIfNeeded: $0) }, shape: shape)
      case .uint8:
        return Tensor(
          uint8: fill(proto.intVal, count: count, zero: 0).map { UInt8(truncatingIfNeeded: $0) }, shape: shape)
      case .uint16:
        return Tensor(
          uint16: fill(proto.intVal, count: count, zero: 0).map { UInt16(truncatingIfNeeded: $0) }, shape: shape)
      case .int64: return Tensor(int64: fill(proto.int64Val, count: count, zero: 0), shape: shape)
      case .uint32: return Tensor(uint32: fill(proto.uint32Val, count: count, zero: 0), shape: shape)
      case .uint64: return Tensor(uint64: fill(proto.uint64Val, count: count, zero: 0), shape: shape)
      case .bool: return Tensor(bool: fill(proto.boolVal, count: count, zero: false), shape: shape)
      case .float16, .bfloat16:
        let bits = fill(proto.halfVal, count: count, zero: 0)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 * count)
        for value in bits { bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }
        return try Tensor(raw: bytes, dtype: dtype, shape: shape)
      case .string: throw InferenceError(.unsupported, "\(context()): unreachable")
      }
    } catch let error as InferenceError {
      throw error
    } catch {
      throw InferenceError(.invalidArgument, "\(context()): \(error)")
    }
  }

  /// Repeats the last value to fill `count` elements (TensorFlow's rule for short typed lists).
  static func fill<T>(_ values: [T], count: Int, zero: T) -> [T] {
    if values.count >= count { return Array(values.prefix(count)) }
    return values + [T](repeating: values.last ?? zero, count: count - values.count)
  }
}
