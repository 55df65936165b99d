/// Elementwise ops that overwrite an operand the caller owns outright, instead of allocating.
///
/// A convnet's batch norm, bias and activation ops each read and write a whole activation tensor;
/// when the graph runner knows an operand is at its last use it hands it over here, and the op
/// writes its result into the operand's own buffer: no allocation, and one pass over memory that
/// is still in cache. Results are bit-for-bit those of `Elementwise.apply`.
///
/// Every function returns `false`, leaving the tensor untouched, when it cannot work in place:
/// the buffer is shared with another tensor (a variable's value, an `Identity`), the dtype is not
/// `float32`/`float64`, or the result would not have the operand's shape. The caller then runs the
/// ordinary kernel, which also reports any error.
public enum InPlace {
  /// `x = op(x, y)`, or `x = op(y, x)` when `xIsLeft` is false; `y` broadcasts into `x`'s shape.
  public static func apply(_ op: BinaryOp, _ x: inout Tensor, _ y: Tensor, xIsLeft: Bool = true) -> Bool {
    guard x.dtype == y.dtype, y.rank <= x.rank else { return false }
    guard
      let plan = try? BroadcastPlan(
        shapes: xIsLeft ? [x.shape, y.shape] : [y.shape, x.shape], op: op.tensorFlowName, dtype: x.dtype),
      plan.outputShape == x.shape
    else { return false }
    switch x.dtype {
    case .float32: return apply(op, &x, y, xIsLeft: xIsLeft, plan: plan, Float.self)
    case .float64: return apply(op, &x, y, xIsLeft: xIsLeft, plan: plan, Double.self)
    default: return false
    }
  }

  /// `x = op(x)` for the activations convnets use after a convolution (`relu`, `relu6`), and
  /// `neg` (exact gelu negates every activation first).
  public static func apply(_ op: UnaryOp, _ x: inout Tensor) -> Bool {
    switch (op, x.dtype) {
    case (.relu, .float32): return clamp(&x, upper: nil)
    case (.relu6, .float32): return clamp(&x, upper: 6)
    case (.neg, .float32):
      return x.withUniqueBuffer(Float.self) { target in
        Parallel.forEachRange(target.count) { range in
          for index in range { target[index] = -target[index] }
        }
      }
    default: return false
    }
  }

  /// `relu` (and `relu6`, upper bound 6) on eight lanes at a time. Written with explicit
  /// vectors because in place, `x < 0 ? 0 : x` compiles to a branch around a store, which
  /// neither vectorises nor predicts. NaN stays NaN, as in `Activations.relu`.
  private static func clamp(_ x: inout Tensor, upper: Float?) -> Bool {
    x.withUniqueBuffer(Float.self) { target in
      Parallel.forEachRange(target.count) { range in
        let base = target.baseAddress!
        var index = range.lowerBound
        while index + 8 <= range.upperBound {
          let raw = UnsafeMutableRawPointer(base + index)
          var lanes = raw.loadUnaligned(as: SIMD8<Float>.self)
          lanes.replace(with: 0, where: lanes .< 0)
          if let upper { lanes.replace(with: upper, where: lanes .> upper) }
          raw.storeBytes(of: lanes, as: SIMD8<Float>.self)
          index += 8
        }
        while index < range.upperBound {
          let value = base[index]
          base[index] = upper == nil ? Activations.relu(value) : Activations.relu6(value)
          index += 1
        }
      }
    }
  }

  private static func apply<T: FloatElement>(
    _ op: BinaryOp, _ x: inout Tensor, _ y: Tensor, xIsLeft: Bool, plan: BroadcastPlan, _: T.Type
  ) -> Bool {
    switch (op, xIsLeft) {
    case (.add, _): return zip(&x, y, plan: plan, xIsLeft: xIsLeft, AddFunction<T>.self)
    case (.mul, _): return zip(&x, y, plan: plan, xIsLeft: xIsLeft, MultiplyFunction<T>.self)
    case (.sub, _): return zip(&x, y, plan: plan, xIsLeft: xIsLeft, SubtractFunction<T>.self)
    case (.realDiv, _), (.div, _): return zip(&x, y, plan: plan, xIsLeft: xIsLeft, DivideFunction<T>.self)
    case (.squaredDifference, _): return zip(&x, y, plan: plan, xIsLeft: xIsLeft, SquaredDifferenceFunction<T>.self)
    default: return false
    }
  }

  /// Overwrites `x` with `F(x, y)` (or `F(y, x)`), each element read before it is written.
  private static func zip<F: BinaryFunction>(
    _ x: inout Tensor, _ y: Tensor, plan: BroadcastPlan, xIsLeft: Bool, _: F.Type
  ) -> Bool {
    x.withUniqueBuffer(F.Element.self) { target in
      y.withElements(F.Element.self) { other in
        let xStride = plan.runStrides[xIsLeft ? 0 : 1]
        let yStride = plan.runStrides[xIsLeft ? 1 : 0]
        precondition(xStride == 1 || plan.outputCount == 1, "the in-place operand spans the output")
        plan.forEachRun { start, operands, count in
          let out = target.baseAddress! + start
          let o = other.baseAddress! + operands[xIsLeft ? 1 : 0]
          if yStride == 1 {
            if xIsLeft {
              for i in 0..<count { out[i] = F.apply(out[i], o[i]) }
            } else {
              for i in 0..<count { out[i] = F.apply(o[i], out[i]) }
            }
          } else {
            let value = o[0]
            if xIsLeft {
              for i in 0..<count { out[i] = F.apply(out[i], value) }
            } else {
              for i in 0..<count { out[i] = F.apply(value, out[i]) }
            }
          }
        }
      }
    }
  }
}

extension Tensor {
  /// Calls `body` with the elements to overwrite, if no other tensor shares this one's buffer;
  /// returns whether it did.
  mutating func withUniqueBuffer<Element: TensorElement>(
    _: Element.Type, _ body: (UnsafeMutableBufferPointer<Element>) -> Void
  ) -> Bool {
    guard Element.dtype == dtype, case .dense(var buffer) = storage else { return false }
    storage = .strings([])  // this tensor's own reference, dropped while uniqueness is checked
    defer { storage = .dense(buffer) }
    guard isKnownUniquelyReferenced(&buffer) else { return false }
    body(UnsafeMutableBufferPointer(start: buffer.base.assumingMemoryBound(to: Element.self), count: elementCount))
    return true
  }
}
