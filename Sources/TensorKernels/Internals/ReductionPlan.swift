/// The iteration plan for reducing a row-major tensor over a set of axes.
///
/// Size-1 axes are dropped and runs of adjacent axes that are all reduced or all kept are merged
/// (the input is contiguous, so merging is always valid). What remains is viewed as
/// `[outer kept…, reduced…, inner]`, interleaved in any order, where `inner` is the trailing kept
/// run (1 when the last axis is reduced). Each output row of `inner` elements is independent, so
/// rows are spread across cores; inside a row the innermost loop walks memory contiguously.
struct ReductionPlan {
  /// The result shape (reduced axes removed, or kept with size 1 under `keepDims`).
  let outputShape: [Int]
  /// How many input elements fold into each output element.
  let reducedCount: Int
  private let outerSizes: [Int]
  private let outerStrides: [Int]
  private let reducedSizes: [Int]
  private let reducedStrides: [Int]
  private let inner: Int
  private let outerCount: Int

  /// Plans a reduction of a tensor of `shape` over `axes`.
  ///
  /// - Throws: `TensorError.invalidArgument` for an axis outside `-rank..<rank`.
  init(shape: [Int], axes: [Int], keepDims: Bool, op: String) throws(TensorError) {
    var isReduced = [Bool](repeating: false, count: shape.count)
    for axis in axes { isReduced[try Shape.normalizedAxis(axis, rank: shape.count, op: op)] = true }
    outputShape = shape.indices.compactMap { axis in
      isReduced[axis] ? (keepDims ? 1 : nil) : shape[axis]
    }
    var groups: [(size: Int, reduced: Bool)] = []
    for axis in shape.indices where shape[axis] != 1 {
      if let last = groups.last, last.reduced == isReduced[axis] {
        groups[groups.count - 1].size = last.size * shape[axis]
      } else {
        groups.append((shape[axis], isReduced[axis]))
      }
    }
    var inner = 1
    if let last = groups.last, !last.reduced {
      inner = last.size
    }
    var stride = 1
    var outerSizes: [Int] = []
    var outerStrides: [Int] = []
    var reducedSizes: [Int] = []
    var reducedStrides: [Int] = []
    for (index, group) in groups.enumerated().reversed() {
      if group.reduced {
        reducedSizes.insert(group.size, at: 0)
        reducedStrides.insert(stride, at: 0)
      } else if index != groups.count - 1 {  // The trailing kept run is `inner`.
        outerSizes.insert(group.size, at: 0)
        outerStrides.insert(stride, at: 0)
      }
      stride *= group.size
    }
    self.inner = inner
    self.outerSizes = outerSizes
    self.outerStrides = outerStrides
    self.reducedSizes = reducedSizes
    self.reducedStrides = reducedStrides
    outerCount = outerSizes.reduce(1, *)
    reducedCount = reducedSizes.reduce(1, *)
  }

  /// Folds the elements of `x` with `kernel` and writes one output element per fold.
  ///
  /// The kernel is a generic parameter rather than a closure so that each (op, dtype) pair gets a
  /// specialised loop with `combine` inlined; a closure call per element costs several times more.
  ///
  /// - Precondition: `x` has the shape the plan was made for and dtype `Kernel.Element.dtype`.
  func reduce<Kernel: ReductionKernel>(_ x: Tensor, _ kernel: Kernel) -> Tensor {
    let lastSize = reducedSizes.last ?? 1
    let lastStride = reducedStrides.last ?? 0
    let counterRank = max(reducedSizes.count - 1, 0)
    return x.withElements(Kernel.Element.self) { input in
      Tensor.make(Kernel.Element.self, shape: outputShape) { output in
        guard reducedCount > 0 else {
          let value = kernel.finish(Kernel.initial)
          for index in output.indices { output[index] = value }
          return
        }
        // Rows are the unit of parallel work. Reducing leading axes of a tall tensor leaves few,
        // long rows; splitting those into column blocks was measured and did not help, as one core
        // already streams memory as fast as the machine delivers it.
        Parallel.forEachRange(outerCount, costPerItem: reducedCount * inner) { range in
          let accumulators = UnsafeMutableBufferPointer<Kernel.Accumulator>.allocate(
            capacity: inner)
          defer { accumulators.deallocate() }
          var counter = [Int](repeating: 0, count: counterRank)
          for row in range {
            var base = 0
            var remaining = row
            for axis in stride(from: outerSizes.count - 1, through: 0, by: -1) {
              base += (remaining % outerSizes[axis]) * outerStrides[axis]
              remaining /= outerSizes[axis]
            }
            for j in 0..<inner { accumulators[j] = Kernel.initial }
            var offset = base
            for axis in 0..<counterRank { counter[axis] = 0 }
            while true {
              if inner == 1 {
                var accumulator = accumulators[0]
                if lastStride == 1 {
                  for t in 0..<lastSize {
                    accumulator = Kernel.combine(accumulator, input[offset + t])
                  }
                } else {
                  for t in 0..<lastSize {
                    accumulator = Kernel.combine(accumulator, input[offset + t * lastStride])
                  }
                }
                accumulators[0] = accumulator
              } else {
                for t in 0..<lastSize {
                  let start = offset + t * lastStride
                  for j in 0..<inner {
                    accumulators[j] = Kernel.combine(accumulators[j], input[start + j])
                  }
                }
              }
              var axis = counterRank - 1
              while axis >= 0 {
                counter[axis] += 1
                offset += reducedStrides[axis]
                if counter[axis] < reducedSizes[axis] { break }
                offset -= reducedStrides[axis] * reducedSizes[axis]
                counter[axis] = 0
                axis -= 1
              }
              if axis < 0 { break }
            }
            for j in 0..<inner { output[row * inner + j] = kernel.finish(accumulators[j]) }
          }
        }
      }
    }
  }
}

/// One reduction on one element type: a starting value, a fold step and a final conversion.
protocol ReductionKernel {
  associatedtype Element: TensorElement
  associatedtype Accumulator
  /// The value of an empty fold.
  static var initial: Accumulator { get }
  /// Folds one more element into the accumulator.
  static func combine(_ accumulator: Accumulator, _ element: Element) -> Accumulator
  /// Turns a finished accumulator into the output element.
  func finish(_ accumulator: Accumulator) -> Element
}

/// Sum or mean of floats, accumulated in `Double` and divided by `divisor` at the end.
struct FloatSumKernel<Element: FloatElement>: ReductionKernel {
  let divisor: Double
  static var initial: Double { 0 }
  @inline(__always) static func combine(_ a: Double, _ x: Element) -> Double { a + Double(x) }
  @inline(__always) func finish(_ a: Double) -> Element { Element(a / divisor) }
}

/// Product of floats, accumulated in `Double`.
struct FloatProductKernel<Element: FloatElement>: ReductionKernel {
  static var initial: Double { 1 }
  @inline(__always) static func combine(_ a: Double, _ x: Element) -> Double { a * Double(x) }
  @inline(__always) func finish(_ a: Double) -> Element { Element(a) }
}

/// Largest float; NaN wins.
struct FloatMaxKernel<Element: FloatElement>: ReductionKernel {
  static var initial: Element { -Element.infinity }
  @inline(__always) static func combine(_ a: Element, _ x: Element) -> Element {
    a.isNaN || x <= a ? a : x
  }
  @inline(__always) func finish(_ a: Element) -> Element { a }
}

/// Smallest float; NaN wins.
struct FloatMinKernel<Element: FloatElement>: ReductionKernel {
  static var initial: Element { Element.infinity }
  @inline(__always) static func combine(_ a: Element, _ x: Element) -> Element {
    a.isNaN || x >= a ? a : x
  }
  @inline(__always) func finish(_ a: Element) -> Element { a }
}

/// Wrapping sum of integers.
struct IntegerSumKernel<Element: IntegerElement>: ReductionKernel {
  static var initial: Element { 0 }
  @inline(__always) static func combine(_ a: Element, _ x: Element) -> Element { a &+ x }
  @inline(__always) func finish(_ a: Element) -> Element { a }
}

/// Wrapping product of integers.
struct IntegerProductKernel<Element: IntegerElement>: ReductionKernel {
  static var initial: Element { 1 }
  @inline(__always) static func combine(_ a: Element, _ x: Element) -> Element { a &* x }
  @inline(__always) func finish(_ a: Element) -> Element { a }
}

/// Largest integer.
struct IntegerMaxKernel<Element: IntegerElement>: ReductionKernel {
  static var initial: Element { Element.min }
  @inline(__always) static func combine(_ a: Element, _ x: Element) -> Element { Swift.max(a, x) }
  @inline(__always) func finish(_ a: Element) -> Element { a }
}

/// Smallest integer.
struct IntegerMinKernel<Element: IntegerElement>: ReductionKernel {
  static var initial: Element { Element.max }
  @inline(__always) static func combine(_ a: Element, _ x: Element) -> Element { Swift.min(a, x) }
  @inline(__always) func finish(_ a: Element) -> Element { a }
}

/// Mean of signed integers: a 64-bit sum divided by the count, truncating toward zero.
struct SignedMeanKernel<Element: IntegerElement>: ReductionKernel {
  let count: Int64
  static var initial: Int64 { 0 }
  @inline(__always) static func combine(_ a: Int64, _ x: Element) -> Int64 {
    a &+ Int64(truncatingIfNeeded: x)
  }
  @inline(__always) func finish(_ a: Int64) -> Element {
    Element(truncatingIfNeeded: count == 0 ? 0 : a.dividedReportingOverflow(by: count).partialValue)
  }
}

/// Mean of unsigned integers: a 64-bit sum divided by the count.
struct UnsignedMeanKernel<Element: IntegerElement>: ReductionKernel {
  let count: UInt64
  static var initial: UInt64 { 0 }
  @inline(__always) static func combine(_ a: UInt64, _ x: Element) -> UInt64 {
    a &+ UInt64(truncatingIfNeeded: x)
  }
  @inline(__always) func finish(_ a: UInt64) -> Element {
    Element(truncatingIfNeeded: count == 0 ? 0 : a / count)
  }
}

/// Logical and of bools.
struct AllKernel: ReductionKernel {
  static var initial: Bool { true }
  @inline(__always) static func combine(_ a: Bool, _ x: Bool) -> Bool { a && x }
  @inline(__always) func finish(_ a: Bool) -> Bool { a }
}

/// Logical or of bools.
struct AnyKernel: ReductionKernel {
  static var initial: Bool { false }
  @inline(__always) static func combine(_ a: Bool, _ x: Bool) -> Bool { a || x }
  @inline(__always) func finish(_ a: Bool) -> Bool { a }
}
