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

  /// Folds the elements of `x` with `combine`, starting from `initial`, and maps each accumulator
  /// to an output element with `finish`.
  ///
  /// - Precondition: `x` has the shape the plan was made for and dtype `Element.dtype`.
  @inline(__always)
  func reduce<Element: TensorElement, Accumulator>(
    _ x: Tensor, _: Element.Type, initial: Accumulator,
    _ combine: (Accumulator, Element) -> Accumulator, _ finish: (Accumulator) -> Element
  ) -> Tensor {
    let lastSize = reducedSizes.last ?? 1
    let lastStride = reducedStrides.last ?? 0
    let counterRank = max(reducedSizes.count - 1, 0)
    return x.withElements(Element.self) { input in
      Tensor.make(Element.self, shape: outputShape) { output in
        guard reducedCount > 0 else {
          let value = finish(initial)
          for index in output.indices { output[index] = value }
          return
        }
        Parallel.forEachRange(outerCount, costPerItem: reducedCount * inner) { range in
          var accumulators = [Accumulator](repeating: initial, count: inner)
          var counter = [Int](repeating: 0, count: counterRank)
          for row in range {
            var base = 0
            var remaining = row
            for axis in stride(from: outerSizes.count - 1, through: 0, by: -1) {
              base += (remaining % outerSizes[axis]) * outerStrides[axis]
              remaining /= outerSizes[axis]
            }
            for j in 0..<inner { accumulators[j] = initial }
            var offset = base
            for axis in 0..<counterRank { counter[axis] = 0 }
            while true {
              if inner == 1 {
                var accumulator = accumulators[0]
                for t in 0..<lastSize { accumulator = combine(accumulator, input[offset + t * lastStride]) }
                accumulators[0] = accumulator
              } else {
                for t in 0..<lastSize {
                  let start = offset + t * lastStride
                  for j in 0..<inner { accumulators[j] = combine(accumulators[j], input[start + j]) }
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
            for j in 0..<inner { output[row * inner + j] = finish(accumulators[j]) }
          }
        }
      }
    }
  }
}
