/// The loops every elementwise kernel runs: a map over one tensor, a zip over two broadcast
/// tensors, and a three-way zip for `SelectV2`.
///
/// They are `@inline(__always)` so each call site gets a loop specialised for its element types and
/// closure, which the optimiser can then vectorise.
enum ElementwiseLoops {
  /// Applies `transform` to every element of `x`.
  @inline(__always)
  static func map<Input: TensorElement, Output: TensorElement>(
    _ x: Tensor, _: Input.Type, to _: Output.Type, cost: Int = 1,
    _ transform: (Input) -> Output
  ) -> Tensor {
    x.withElements(Input.self) { input in
      Tensor.makeOverwritten(Output.self, shape: x.shape) { output in
        Parallel.forEachRange(input.count, costPerItem: cost) { range in
          for index in range { output[index] = transform(input[index]) }
        }
      }
    }
  }

  /// Applies `combine` to the broadcast pairs of elements of `x` and `y`.
  @inline(__always)
  static func zip<Left: TensorElement, Right: TensorElement, Output: TensorElement>(
    _ plan: BroadcastPlan, _ x: Tensor, _ y: Tensor,
    _: Left.Type, _: Right.Type, to _: Output.Type, cost: Int = 1,
    _ combine: (Left, Right) -> Output
  ) -> Tensor {
    x.withElements(Left.self) { left in
      y.withElements(Right.self) { right in
        Tensor.makeOverwritten(Output.self, shape: plan.outputShape) { output in
          let leftStride = plan.runStrides[0]
          let rightStride = plan.runStrides[1]
          plan.forEachRun(costPerElement: cost) { start, operands, count in
            let l = operands[0]
            let r = operands[1]
            switch (leftStride, rightStride) {
            case (1, 1):
              for i in 0..<count { output[start + i] = combine(left[l + i], right[r + i]) }
            case (1, _):
              let value = right[r]
              for i in 0..<count { output[start + i] = combine(left[l + i], value) }
            case (_, 1):
              let value = left[l]
              for i in 0..<count { output[start + i] = combine(value, right[r + i]) }
            default:
              let value = combine(left[l], right[r])
              for i in 0..<count { output[start + i] = value }
            }
          }
        }
      }
    }
  }

  /// Picks, for every broadcast position, the element of `x` where `condition` is true and of `y`
  /// where it is false.
  static func select<Element: TensorElement>(
    _ plan: BroadcastPlan, _ condition: Tensor, _ x: Tensor, _ y: Tensor, _: Element.Type
  ) -> Tensor {
    condition.withElements(Bool.self) { flags in
      x.withElements(Element.self) { left in
        y.withElements(Element.self) { right in
          Tensor.makeOverwritten(Element.self, shape: plan.outputShape) { output in
            let strides = plan.runStrides
            plan.forEachRun { start, operands, count in
              var c = operands[0]
              var l = operands[1]
              var r = operands[2]
              for i in 0..<count {
                output[start + i] = flags[c] ? left[l] : right[r]
                c += strides[0]
                l += strides[1]
                r += strides[2]
              }
            }
          }
        }
      }
    }
  }
}
