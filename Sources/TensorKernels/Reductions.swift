/// A reduction over some axes of a tensor; see `Reduction`.
public enum ReductionOp: Sendable, CaseIterable, CustomStringConvertible {
  /// The sum (0 over no elements). Corresponds to the TensorFlow op `Sum`.
  case sum
  /// The arithmetic mean (NaN over no elements for floats, 0 for integers). Corresponds to `Mean`.
  case mean
  /// The largest element, NaN if any is NaN (-infinity or the type's minimum over no elements).
  /// Corresponds to the TensorFlow op `Max`.
  case max
  /// The smallest element, NaN if any is NaN (+infinity or the type's maximum over no elements).
  /// Corresponds to the TensorFlow op `Min`.
  case min
  /// The product (1 over no elements). Corresponds to the TensorFlow op `Prod`.
  case prod
  /// Whether every element is true, on `bool` tensors. Corresponds to the TensorFlow op `All`.
  case all
  /// Whether any element is true, on `bool` tensors. Corresponds to the TensorFlow op `Any`.
  case any

  /// The TensorFlow op name, used in error messages.
  public var tensorFlowName: String {
    switch self {
    case .sum: "Sum"
    case .mean: "Mean"
    case .max: "Max"
    case .min: "Min"
    case .prod: "Prod"
    case .all: "All"
    case .any: "Any"
    }
  }

  /// The op for a TensorFlow op name, or `nil` when it is not one of these.
  public init?(tensorFlowName: String) {
    guard let op = ReductionOp.allCases.first(where: { $0.tensorFlowName == tensorFlowName }) else {
      return nil
    }
    self = op
  }

  /// The TensorFlow op name.
  public var description: String { tensorFlowName }
}

/// Reductions over axes, and the index of the largest or smallest element along an axis.
///
/// `float32` sums, means and products accumulate in `Double` and round once at the end, so they can
/// differ from TensorFlow's float accumulation in the last bits (tolerance class: rounding; `max`,
/// `min`, `all`, `any` and the arg reductions are exact). Integer sums and products wrap; integer
/// means sum in 64 bits and truncate toward zero.
public enum Reduction {
  /// Reduces `x` over `axes`.
  ///
  /// - Parameters:
  ///   - op: the reduction; see `ReductionOp` for the TensorFlow op each case is.
  ///   - x: the input; numeric for `sum` to `prod`, `bool` for `all` and `any`.
  ///   - axes: the axes to reduce, each in `-rank..<rank`; repeats are allowed; empty reduces
  ///     nothing (the result equals the input).
  ///   - keepDims: whether reduced axes stay in the shape with size 1 (`keep_dims`).
  /// - Returns: a tensor of `x`'s dtype.
  /// - Throws: `TensorError.invalidArgument` for an axis out of range, `.unsupportedDType` for a
  ///   dtype the op does not accept.
  /// - Complexity: O(n), on several cores when the output has several elements and n is large.
  public static func apply(
    _ op: ReductionOp, _ x: Tensor, axes: [Int], keepDims: Bool = false
  ) throws(TensorError) -> Tensor {
    let name = op.tensorFlowName
    let plan = try ReductionPlan(shape: x.shape, axes: axes, keepDims: keepDims, op: name)
    switch (op, x.dtype) {
    case (.all, .bool): return plan.reduce(x, AllKernel())
    case (.any, .bool): return plan.reduce(x, AnyKernel())
    case (.all, _), (.any, _): throw .unsupportedDType(op: name, x.dtype)
    case (_, .float32): return floating(op, plan, x, Float.self)
    case (_, .float64): return floating(op, plan, x, Double.self)
    case (_, .float16), (_, .bfloat16):
      return floating(op, plan, x.widenedToFloat32(), Float.self).narrowed(to: x.dtype)
    case (_, .int8): return integer(op, plan, x, Int8.self)
    case (_, .int16): return integer(op, plan, x, Int16.self)
    case (_, .int32): return integer(op, plan, x, Int32.self)
    case (_, .int64): return integer(op, plan, x, Int64.self)
    case (_, .uint8): return integer(op, plan, x, UInt8.self)
    case (_, .uint16): return integer(op, plan, x, UInt16.self)
    case (_, .uint32): return integer(op, plan, x, UInt32.self)
    case (_, .uint64): return integer(op, plan, x, UInt64.self)
    case (_, .complex64), (_, .complex128): return try ComplexArithmetic.reduce(op, plan, x)
    case (_, .bool), (_, .string): throw .unsupportedDType(op: name, x.dtype)
    }
  }

  /// The index of the largest element along `axis`; the first one on ties.
  ///
  /// Corresponds to the TensorFlow op `ArgMax`. NaN is skipped (a row of only NaN gives 0),
  /// as in TensorFlow's CPU kernel; see `argIndices`.
  ///
  /// - Parameters:
  ///   - x: a numeric tensor.
  ///   - axis: the axis to search, in `-rank..<rank`; it is removed from the shape.
  ///   - outputType: `int64` (the default, as in TensorFlow) or `int32`.
  /// - Returns: the indices, of `x`'s shape without `axis`.
  /// - Throws: `TensorError.invalidArgument` for an axis out of range or another output type,
  ///   `.invalidShape` when the axis is empty, `.unsupportedDType` for `bool` and `string`.
  /// - Complexity: O(n).
  public static func argMax(_ x: Tensor, axis: Int, outputType: DType = .int64) throws(TensorError)
    -> Tensor
  {
    try argReduce("ArgMax", x, axis: axis, outputType: outputType, wantLargest: true)
  }

  /// The index of the smallest element along `axis`; the first one on ties.
  ///
  /// Corresponds to the TensorFlow op `ArgMin`. NaN is skipped (a row of only NaN gives 0),
  /// as in TensorFlow's CPU kernel; see `argIndices`.
  ///
  /// - Parameters:
  ///   - x: a numeric tensor.
  ///   - axis: the axis to search, in `-rank..<rank`; it is removed from the shape.
  ///   - outputType: `int64` (the default, as in TensorFlow) or `int32`.
  /// - Returns: the indices, of `x`'s shape without `axis`.
  /// - Throws: `TensorError.invalidArgument` for an axis out of range or another output type,
  ///   `.invalidShape` when the axis is empty, `.unsupportedDType` for `bool` and `string`.
  /// - Complexity: O(n).
  public static func argMin(_ x: Tensor, axis: Int, outputType: DType = .int64) throws(TensorError)
    -> Tensor
  {
    try argReduce("ArgMin", x, axis: axis, outputType: outputType, wantLargest: false)
  }

  // MARK: Kernels by element kind

  private static func floating<T: FloatElement>(
    _ op: ReductionOp, _ plan: ReductionPlan, _ x: Tensor, _: T.Type
  ) -> Tensor {
    switch op {
    case .sum: return plan.reduce(x, FloatSumKernel<T>(divisor: 1))
    case .mean: return plan.reduce(x, FloatSumKernel<T>(divisor: Double(plan.reducedCount)))
    case .prod: return plan.reduce(x, FloatProductKernel<T>())
    case .max: return plan.reduce(x, FloatMaxKernel<T>())
    case .min: return plan.reduce(x, FloatMinKernel<T>())
    case .all, .any: preconditionFailure("\(op) takes bool tensors")
    }
  }

  private static func integer<T: IntegerElement>(
    _ op: ReductionOp, _ plan: ReductionPlan, _ x: Tensor, _: T.Type
  ) -> Tensor {
    switch op {
    case .sum: return plan.reduce(x, IntegerSumKernel<T>())
    case .prod: return plan.reduce(x, IntegerProductKernel<T>())
    case .max: return plan.reduce(x, IntegerMaxKernel<T>())
    case .min: return plan.reduce(x, IntegerMinKernel<T>())
    case .mean:
      if T.isSigned { return plan.reduce(x, SignedMeanKernel<T>(count: Int64(plan.reducedCount))) }
      return plan.reduce(x, UnsignedMeanKernel<T>(count: UInt64(plan.reducedCount)))
    case .all, .any: preconditionFailure("\(op) takes bool tensors")
    }
  }

  // MARK: ArgMax and ArgMin

  private static func argReduce(
    _ name: String, _ x: Tensor, axis: Int, outputType: DType, wantLargest: Bool
  ) throws(TensorError) -> Tensor {
    let axis = try Shape.normalizedAxis(axis, rank: x.rank, op: name)
    guard outputType == .int64 || outputType == .int32 else {
      throw .invalidArgument(
        op: name, reason: "output_type must be int32 or int64, not \(outputType)")
    }
    guard x.shape[axis] > 0 else {
      throw .invalidShape(op: name, shape: x.shape, reason: "reduction axis \(axis) is empty")
    }
    let indices: Tensor
    switch x.dtype {
    case .float32: indices = argIndices(x, axis: axis, Float.self, wantLargest, bound: Float.greatestFiniteMagnitude)
    case .float64: indices = argIndices(x, axis: axis, Double.self, wantLargest, bound: .greatestFiniteMagnitude)
    // Each dtype's own largest finite value starts the search, as TensorFlow's reducer does.
    case .float16: indices = argIndices(x.widenedToFloat32(), axis: axis, Float.self, wantLargest, bound: 65504)
    case .bfloat16:
      indices = argIndices(x.widenedToFloat32(), axis: axis, Float.self, wantLargest, bound: 0x1.FEp127)
    case .int8: indices = argIndices(x, axis: axis, Int8.self, wantLargest)
    case .int16: indices = argIndices(x, axis: axis, Int16.self, wantLargest)
    case .int32: indices = argIndices(x, axis: axis, Int32.self, wantLargest)
    case .int64: indices = argIndices(x, axis: axis, Int64.self, wantLargest)
    case .uint8: indices = argIndices(x, axis: axis, UInt8.self, wantLargest)
    case .uint16: indices = argIndices(x, axis: axis, UInt16.self, wantLargest)
    case .uint32: indices = argIndices(x, axis: axis, UInt32.self, wantLargest)
    case .uint64: indices = argIndices(x, axis: axis, UInt64.self, wantLargest)
    case .bool, .string, .complex64, .complex128: throw .unsupportedDType(op: name, x.dtype)
    }
    return outputType == .int64 ? indices : Cast.convert(indices, to: .int32)
  }

  private static func argIndices<T: FloatElement>(
    _ x: Tensor, axis: Int, _: T.Type, _ wantLargest: Bool, bound: T
  ) -> Tensor {
    argIndices(x, axis: axis, T.self, wantLargest, start: wantLargest ? -bound : bound)
  }

  private static func argIndices<T: TensorElement & FixedWidthInteger>(
    _ x: Tensor, axis: Int, _: T.Type, _ wantLargest: Bool
  ) -> Tensor {
    argIndices(x, axis: axis, T.self, wantLargest, start: wantLargest ? T.min : T.max)
  }

  /// `int64` indices of the extreme element along `axis`, as TensorFlow's CPU reducer finds
  /// them: it starts from index 0 holding the dtype's lowest finite value (`-bound`; the highest
  /// for `ArgMin`) and moves only to a strictly better element. So NaN is skipped, the first of
  /// equal elements wins, and a row with nothing better than the start (all NaN, or only -inf)
  /// gives 0.
  private static func argIndices<T: TensorElement & Comparable>(
    _ x: Tensor, axis: Int, _: T.Type, _ wantLargest: Bool, start: T
  ) -> Tensor {
    let outer = x.shape[..<axis].reduce(1, *)
    let length = x.shape[axis]
    let inner = x.shape[(axis + 1)...].reduce(1, *)
    var outputShape = x.shape
    outputShape.remove(at: axis)
    return x.withElements(T.self) { input in
      Tensor.make(Int64.self, shape: outputShape) { output in
        Parallel.forEachRange(outer * inner, costPerItem: length) { range in
          for position in range {
            let base = (position / inner) * length * inner + position % inner
            var best = start
            var bestIndex = 0
            for t in 0..<length {
              let value = input[base + t * inner]
              if wantLargest ? value > best : value < best {
                best = value
                bestIndex = t
              }
            }
            output[position] = Int64(bestIndex)
          }
        }
      }
    }
  }
}
