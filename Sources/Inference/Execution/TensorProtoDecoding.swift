import Foundation
import RegistryCore
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
    // The shape is checked before anything is allocated: a short typed list is repeated to fill
    // it, so `[1000000, 1000000]` with one value would otherwise ask for 4 TB.
    do throws(TensorError) {
      try Shape.checkAllocation(shape, dtype: dtype, op: "Const")
    } catch .limitExceeded(_, let limit) {
      throw InferenceError(.resourceExhausted, "\(context()): \(limit.message)")
    } catch {
      throw InferenceError(.invalidArgument, "\(context()): \(error)")
    }
    let count = Shape.elementCount(shape)
    do {
      if dtype == .string {
        try checkStringBytes(proto.stringVal, shape: shape, context: context())
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
      case .complex64:
        // `scomplex_val` holds real, imaginary pairs; a short list repeats its last pair.
        let pairs = stride(from: 0, to: proto.scomplexVal.count - 1, by: 2).map {
          Complex64(proto.scomplexVal[$0], proto.scomplexVal[$0 + 1])
        }
        return Tensor(complex64: fill(pairs, count: count, zero: Complex64(0, 0)), shape: shape)
      case .complex128:
        let pairs = stride(from: 0, to: proto.dcomplexVal.count - 1, by: 2).map {
          Complex128(proto.dcomplexVal[$0], proto.dcomplexVal[$0 + 1])
        }
        return Tensor(complex128: fill(pairs, count: count, zero: Complex128(0, 0)), shape: shape)
      case .string: throw InferenceError(.unsupported, "\(context()): unreachable")
      }
    } catch let error as InferenceError {
      throw error
    } catch {
      throw InferenceError(.invalidArgument, "\(context()): \(error)")
    }
  }

  /// Checks the bytes a string constant holds once its last value is repeated to `count`
  /// elements: repeats share storage here, but every op that writes strings (`StringLower`,
  /// `StringJoin`, …) makes each its own copy, so the constant counts them all.
  static func checkStringBytes(_ values: [Data], shape: [Int], context: @autoclosure () -> String)
    throws(InferenceError)
  {
    let count = Shape.elementCount(shape)
    var bytes = Int64(count) * Int64(MemoryLayout<[UInt8]>.stride)
    for value in values.prefix(count) { bytes += Int64(value.count) }
    let repeats = Int64(max(0, count - values.count))
    var total: Int64?
    let (tail, overflow) = repeats.multipliedReportingOverflow(by: Int64(values.last?.count ?? 0))
    if !overflow, case (let sum, false) = bytes.addingReportingOverflow(tail) { total = sum }
    let allowed = Limits.current.tensorBytes
    guard let total, total <= allowed else {
      let error = LimitExceeded(
        "a string constant of shape \(Shape.format(shape))", limit: "TENSOR_BYTES", requested: total, allowed: allowed)
      throw InferenceError(.resourceExhausted, "\(context()): \(error.message)")
    }
  }

  /// Repeats the last value to fill `count` elements (TensorFlow's rule for short typed lists).
  static func fill<T>(_ values: [T], count: Int, zero: T) -> [T] {
    if values.count >= count { return Array(values.prefix(count)) }
    return values + [T](repeating: values.last ?? zero, count: count - values.count)
  }
}
