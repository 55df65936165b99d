/// Elementwise functions as types, for the hottest float ops.
///
/// A closure handed to `ElementwiseLoops.zip` is called through a pointer once per element: the
/// loop body runs inside `Parallel`'s closure, where the optimiser cannot see which closure it
/// got. A function named by a type parameter is resolved when the loop is specialised, so the
/// operation inlines into the loop and the loop vectorises. Convnets spend a third of their time
/// in these few ops (batch norm as `Mul`/`AddV2`, `BiasAdd`, `Relu`).
protocol BinaryFunction {
  associatedtype Element: TensorElement
  static func apply(_ a: Element, _ b: Element) -> Element
}

protocol UnaryFunction {
  associatedtype Element: TensorElement
  static func apply(_ a: Element) -> Element
}

enum AddFunction<T: FloatElement>: BinaryFunction {
  @inline(__always) static func apply(_ a: T, _ b: T) -> T { a + b }
}

enum SubtractFunction<T: FloatElement>: BinaryFunction {
  @inline(__always) static func apply(_ a: T, _ b: T) -> T { a - b }
}

enum MultiplyFunction<T: FloatElement>: BinaryFunction {
  @inline(__always) static func apply(_ a: T, _ b: T) -> T { a * b }
}

enum DivideFunction<T: FloatElement>: BinaryFunction {
  @inline(__always) static func apply(_ a: T, _ b: T) -> T { a / b }
}

enum SquaredDifferenceFunction<T: FloatElement>: BinaryFunction {
  @inline(__always) static func apply(_ a: T, _ b: T) -> T {
    let difference = a - b
    return difference * difference
  }
}

enum ReluFunction<T: FloatElement>: UnaryFunction {
  @inline(__always) static func apply(_ a: T) -> T { Activations.relu(a) }
}

enum Relu6Function<T: FloatElement>: UnaryFunction {
  @inline(__always) static func apply(_ a: T) -> T { Activations.relu6(a) }
}

extension ElementwiseLoops {
  /// `zip` for a function named by a type; see `BinaryFunction`.
  static func zip<F: BinaryFunction>(_ plan: BroadcastPlan, _ x: Tensor, _ y: Tensor, _: F.Type) -> Tensor {
    x.withElements(F.Element.self) { left in
      y.withElements(F.Element.self) { right in
        Tensor.makeOverwritten(F.Element.self, shape: plan.outputShape) { output in
          let leftStride = plan.runStrides[0]
          let rightStride = plan.runStrides[1]
          plan.forEachRun { start, operands, count in
            let out = output.baseAddress! + start
            let l = left.baseAddress! + operands[0]
            let r = right.baseAddress! + operands[1]
            switch (leftStride, rightStride) {
            case (1, 1):
              for i in 0..<count { out[i] = F.apply(l[i], r[i]) }
            case (1, _):
              let value = r[0]
              for i in 0..<count { out[i] = F.apply(l[i], value) }
            case (_, 1):
              let value = l[0]
              for i in 0..<count { out[i] = F.apply(value, r[i]) }
            default:
              let value = F.apply(l[0], r[0])
              for i in 0..<count { out[i] = value }
            }
          }
        }
      }
    }
  }

  /// `map` for a function named by a type; see `UnaryFunction`.
  static func map<F: UnaryFunction>(_ x: Tensor, _: F.Type) -> Tensor {
    x.withElements(F.Element.self) { input in
      Tensor.makeOverwritten(F.Element.self, shape: x.shape) { output in
        Parallel.forEachRange(input.count) { range in
          let source = input.baseAddress!
          let destination = output.baseAddress!
          for index in range { destination[index] = F.apply(source[index]) }
        }
      }
    }
  }
}
