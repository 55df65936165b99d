import RegistryCore
import TensorKernels

/// A numeric tensor's values in one of three wide carriers, for the ops that are simplest written
/// once over all dtypes: floating point as `Double` (exact for every float dtype), signed integers
/// as `Int64`, unsigned as `UInt64`. Results go back through `Cast`, which wraps integers modulo
/// 2^bits and rounds floats to nearest, so integer arithmetic done with wrapping in the carrier
/// gives exactly what TensorFlow's narrower arithmetic gives.
enum Widened {
  case floating([Double])
  case signed([Int64])
  case unsigned([UInt64])

  init(_ tensor: Tensor, _ context: OpContext) throws(InferenceError) {
    switch tensor.dtype {
    case .float32, .float64, .float16, .bfloat16:
      self = .floating(try context.run { try Cast.apply(tensor, to: .float64).doubles() })
    case .int8, .int16, .int32, .int64:
      self = .signed(try context.run { try Cast.apply(tensor, to: .int64).int64s() })
    case .uint8, .uint16, .uint32, .uint64:
      self = .unsigned(try context.run { try Cast.apply(tensor, to: .uint64).uint64s() })
    case .bool, .string:
      throw InferenceError(.invalidArgument, "\(context.location): \(tensor.dtype) is not a numeric dtype")
    case .complex64, .complex128:
      throw InferenceError(
        .unsupported, "\(context.location): \(tensor.dtype) tensors are not supported by this op")
    }
  }

  var count: Int {
    switch self {
    case .floating(let values): values.count
    case .signed(let values): values.count
    case .unsigned(let values): values.count
    }
  }

  /// The values as a tensor of `dtype` and `shape`.
  func tensor(_ dtype: DType, _ shape: [Int], _ context: OpContext) throws(InferenceError) -> Tensor {
    let wide: Tensor
    switch self {
    case .floating(let values): wide = Tensor(float64: values, shape: shape)
    case .signed(let values): wide = Tensor(int64: values, shape: shape)
    case .unsigned(let values): wide = Tensor(uint64: values, shape: shape)
    }
    return try context.run { try Cast.apply(wide, to: dtype) }
  }

  /// Element `indices[i]` for each i.
  func gathered(_ indices: [Int]) -> Widened {
    switch self {
    case .floating(let values): .floating(indices.map { values[$0] })
    case .signed(let values): .signed(indices.map { values[$0] })
    case .unsigned(let values): .unsigned(indices.map { values[$0] })
    }
  }

  /// The number of bits of an integer dtype, for wrapping and shifts.
  static func bits(_ dtype: DType) -> Int { (dtype.elementSize ?? 8) * 8 }

  /// `value` wrapped to a signed integer of `bits` bits (two's complement), as the narrow
  /// dtype would hold it.
  static func wrap(_ value: Int64, bits: Int) -> Int64 {
    bits >= 64 ? value : (value << (64 - bits)) >> (64 - bits)
  }

  /// `value` wrapped to an unsigned integer of `bits` bits.
  static func wrap(_ value: UInt64, bits: Int) -> UInt64 {
    bits >= 64 ? value : value & ((1 << UInt64(bits)) - 1)
  }
}

/// Broadcasting for ops written in the graph layer: the output shape of two shapes, and for
/// each output element the input element it reads.
enum Broadcasting {
  /// NumPy's rule: shapes aligned at the end, each pair equal or one of them 1.
  static func shape(_ a: [Int], _ b: [Int], _ context: OpContext) throws(InferenceError) -> [Int] {
    let rank = max(a.count, b.count)
    let left = [Int](repeating: 1, count: rank - a.count) + a
    let right = [Int](repeating: 1, count: rank - b.count) + b
    var shape: [Int] = []
    for (x, y) in zip(left, right) {
      guard x == y || x == 1 || y == 1 else {
        throw InferenceError(
          .invalidArgument, "\(context.location): shapes \(Shape.format(a)) and \(Shape.format(b)) do not broadcast")
      }
      shape.append(x == 1 ? y : x)
    }
    return shape
  }

  /// For each element of `output` (row-major), the index of the element of `input` it reads;
  /// `input` must broadcast to `output`.
  static func sources(_ input: [Int], to output: [Int]) -> [Int] {
    let padded = [Int](repeating: 1, count: output.count - input.count) + input
    var strides = [Int](repeating: 0, count: output.count)
    var running = 1
    for axis in padded.indices.reversed() {
      strides[axis] = padded[axis] == 1 ? 0 : running
      running *= padded[axis]
    }
    let count = Shape.elementCount(output)
    var result = [Int](repeating: 0, count: count)
    guard count > 0 else { return result }
    var position = [Int](repeating: 0, count: output.count)
    var offset = 0
    for index in 0..<count {
      result[index] = offset
      var axis = output.count - 1
      while axis >= 0 {
        position[axis] += 1
        offset += strides[axis]
        if position[axis] < output[axis] { break }
        offset -= strides[axis] * position[axis]
        position[axis] = 0
        axis -= 1
      }
    }
    return result
  }

  /// `x` and `y` broadcast to their common shape (checked against the limits), widened.
  static func pair(_ x: Tensor, _ y: Tensor, _ context: OpContext) throws(InferenceError) -> (
    Widened, Widened, [Int]
  ) {
    guard x.dtype == y.dtype else {
      throw InferenceError(.invalidArgument, "\(context.location): operands are \(x.dtype) and \(y.dtype)")
    }
    let shape = try self.shape(x.shape, y.shape, context)
    try context.checkOutput(shape, x.dtype)
    var left = try Widened(x, context)
    var right = try Widened(y, context)
    if x.shape != shape { left = left.gathered(sources(x.shape, to: shape)) }
    if y.shape != shape { right = right.gathered(sources(y.shape, to: shape)) }
    return (left, right, shape)
  }
}
