/// Conversion between element types.
///
/// Tolerance class: exact (every conversion is fully specified).
public enum Cast {
  /// Converts every element of `x` to `dtype`.
  ///
  /// Corresponds to the TensorFlow op `Cast` (with `Truncate` false). Integers wrap modulo 2^bits
  /// when narrowed; floating-point to integer truncates toward zero (`-2.7` gives `-2`), with NaN
  /// giving 0 and out-of-range values saturating, where TensorFlow's C++ is undefined; anything to
  /// `bool` is `x != 0` (so NaN is `true`); `bool` to a number is 0 or 1; narrowing floats round to
  /// nearest, ties to even, and `float64` to `float16` or `bfloat16` rounds through `float32` as
  /// Eigen does.
  ///
  /// - Throws: `TensorError.unsupportedDType` when either side is `string` (unless both are).
  /// - Complexity: O(n).
  public static func apply(_ x: Tensor, to dtype: DType) throws(TensorError) -> Tensor {
    if x.dtype == dtype { return x }
    guard x.dtype != .string else { throw .unsupportedDType(op: "Cast", x.dtype) }
    guard dtype != .string else { throw .unsupportedDType(op: "Cast", dtype) }
    return convert(x, to: dtype)
  }

  /// Converts a dense tensor to another dense dtype; the checks are the caller's.
  static func convert(_ x: Tensor, to dtype: DType) -> Tensor {
    if x.dtype == dtype { return x }
    return x.dtype.visit(SourceVisitor(input: x, destination: dtype))
  }

  /// Picks the source storage type.
  private struct SourceVisitor: ElementVisitor {
    let input: Tensor
    let destination: DType
    func visit<Source: TensorElement>(_: Source.Type) -> Tensor {
      destination.visit(DestinationVisitor<Source>(input: input))
    }
  }

  /// Picks the destination storage type and converts.
  private struct DestinationVisitor<Source: TensorElement>: ElementVisitor {
    let input: Tensor
    func visit<Destination: TensorElement>(_: Destination.Type) -> Tensor {
      input.withElements(Source.self) { source in
        Tensor.make(Destination.self, shape: input.shape) { output in
          Parallel.forEachRange(source.count, costPerItem: 2) { range in
            for index in range { output[index] = Destination(castValue: source[index].castValue) }
          }
        }
      }
    }
  }
}

extension Tensor {
  /// A `float16` or `bfloat16` tensor converted exactly to `float32`; any other tensor unchanged.
  ///
  /// Kernels compute on the 16-bit float formats in `float32` and round the result back with
  /// `narrowed(to:)`, as TensorFlow's CPU kernels for `half` largely do.
  func widenedToFloat32() -> Tensor {
    switch dtype {
    case .float16, .bfloat16: Cast.convert(self, to: .float32)
    default: self
    }
  }

  /// A `float32` tensor rounded to `dtype` (`float16` or `bfloat16`); unchanged for `float32`.
  func narrowed(to dtype: DType) -> Tensor {
    guard dtype != self.dtype else { return self }
    precondition(self.dtype == .float32 && (dtype == .float16 || dtype == .bfloat16))
    return Cast.convert(self, to: dtype)
  }
}
