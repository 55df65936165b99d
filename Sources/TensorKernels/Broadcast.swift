/// NumPy and TensorFlow broadcasting: how operands of different shapes combine element by element.
///
/// Shapes are aligned at their trailing dimensions; a missing leading dimension counts as 1. In
/// each dimension the sizes must be equal or one of them must be 1, which then repeats along the
/// other. A size of 0 broadcasts only against 0 or 1 and gives 0. So `[2, 1, 3]` and `[4, 1]` give
/// `[2, 4, 3]`, and `[2, 3]` and `[4]` are an error.
///
/// Format reference: `tensorflow/core/util/bcast.h`.
public enum Broadcast {
  /// The shape that `a` and `b` broadcast to.
  ///
  /// - Parameters:
  ///   - a: the first operand's shape.
  ///   - b: the second operand's shape.
  ///   - op: the op name to put in an error.
  /// - Returns: the broadcast shape, of the larger rank.
  /// - Throws: `TensorError.incompatibleShapes` naming both shapes.
  /// - Complexity: O(max rank).
  public static func shape(_ a: [Int], _ b: [Int], op: String = "Broadcast") throws(TensorError)
    -> [Int]
  {
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for axis in 0..<rank {
      let x = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
      let y = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
      if x == y || y == 1 {
        result[axis] = x
      } else if x == 1 {
        result[axis] = y
      } else {
        throw .incompatibleShapes(op: op, a, b)
      }
    }
    return result
  }

  /// The shape that all of `shapes` broadcast to together.
  ///
  /// - Parameters:
  ///   - shapes: the operands' shapes.
  ///   - op: the op name to put in an error.
  /// - Returns: the common shape (`[]` for no operands).
  /// - Throws: `TensorError.incompatibleShapes` naming the first pair of shapes that conflict.
  public static func shape(of shapes: [[Int]], op: String = "Broadcast") throws(TensorError)
    -> [Int]
  {
    for i in shapes.indices {
      for j in shapes.indices where j > i { _ = try shape(shapes[i], shapes[j], op: op) }
    }
    var result: [Int] = []
    for operand in shapes { result = try shape(result, operand, op: op) }
    return result
  }
}

/// The iteration plan for an elementwise kernel over broadcast operands.
///
/// The output is walked in row-major order as "runs": stretches of consecutive output elements in
/// which each operand either advances by one element (stride 1) or repeats one element (stride 0).
/// Adjacent dimensions that every operand walks contiguously (or repeats entirely) are merged
/// first, so same-shape operands are one run of the whole tensor and a scalar operand is a stride-0
/// operand of that run; only a genuinely broadcast middle dimension splits the work into rows.
struct BroadcastPlan {
  /// The broadcast output shape.
  let outputShape: [Int]
  /// The number of output elements.
  let outputCount: Int
  /// The merged output dimensions; the last one is walked by the runs.
  private let dimensions: [Int]
  /// `strides[operand][dimension]`, in elements of that operand, 0 where it repeats.
  private let strides: [[Int]]
  /// Each operand's stride along a run: 1 (advance) or 0 (repeat).
  let runStrides: [Int]

  /// Plans the iteration for operands of the given shapes, whose result has `dtype`.
  ///
  /// Broadcasting can make the output far larger than any operand (`[n, 1]` against `[1, n]`),
  /// so a grown output is checked against the limits before any kernel allocates it.
  ///
  /// - Throws: `TensorError.incompatibleShapes` when the shapes do not broadcast,
  ///   `.limitExceeded` when the result would be too large.
  init(shapes: [[Int]], op: String, dtype: DType) throws(TensorError) {
    // Same-shape operands, most elementwise ops in a model, are one run over the whole output;
    // planning them the general way (a handful of small arrays) cost more than an LSTM's
    // per-step additions themselves.
    if let first = shapes.first, shapes.allSatisfy({ $0 == first }) {
      outputShape = first
      outputCount = Shape.elementCount(first)
      dimensions = [outputCount]
      strides = [[Int]](repeating: [1], count: shapes.count)
      runStrides = [Int](repeating: 1, count: shapes.count)
      return
    }
    let output = try Broadcast.shape(of: shapes, op: op)
    if shapes.allSatisfy({ $0 != output }) {
      try Shape.checkAllocation(output, dtype: dtype, op: op)
    }
    outputShape = output
    outputCount = Shape.elementCount(output)
    let rank = output.count
    let padded = shapes.map { [Int](repeating: 1, count: rank - $0.count) + $0 }
    let rowMajor = padded.map(Shape.strides)
    var dimensions: [Int] = []
    var strides = [[Int]](repeating: [], count: shapes.count)
    for axis in 0..<rank where output[axis] != 1 {
      let size = output[axis]
      let axisStrides = padded.indices.map { padded[$0][axis] == 1 ? 0 : rowMajor[$0][axis] }
      let mergeable =
        !dimensions.isEmpty
        && padded.indices.allSatisfy {
          strides[$0][strides[$0].count - 1] == axisStrides[$0] * size
        }
      if mergeable {
        dimensions[dimensions.count - 1] *= size
        for operand in padded.indices {
          strides[operand][strides[operand].count - 1] = axisStrides[operand]
        }
      } else {
        dimensions.append(size)
        for operand in padded.indices { strides[operand].append(axisStrides[operand]) }
      }
    }
    if dimensions.isEmpty {
      dimensions = [1]
      strides = strides.map { _ in [0] }
    }
    self.dimensions = dimensions
    self.strides = strides
    runStrides = strides.map { $0[$0.count - 1] }
  }

  /// Calls `body` for every run of the output, on several threads when the work is large.
  ///
  /// - Parameters:
  ///   - costPerElement: a rough cost of one output element relative to an addition, used to
  ///     decide whether to split the work across cores; 0 keeps it on the calling thread.
  ///   - body: receives the first output index of the run, each operand's element index at that
  ///     position, and the run's length. Runs from different threads never overlap.
  func forEachRun(
    costPerElement: Int = 1,
    _ body: (_ outputStart: Int, _ operandStarts: UnsafeBufferPointer<Int>, _ count: Int) -> Void
  ) {
    Parallel.forEachRange(outputCount, costPerItem: costPerElement) { range in
      walk(range, body)
    }
  }

  /// Walks the runs that cover `range` of output indices, splitting runs at its ends.
  private func walk(
    _ range: Range<Int>,
    _ body: (_ outputStart: Int, _ operandStarts: UnsafeBufferPointer<Int>, _ count: Int) -> Void
  ) {
    let operandCount = strides.count
    let outerRank = dimensions.count - 1
    let runLength = dimensions[outerRank]
    var counter = [Int](repeating: 0, count: outerRank)
    var base = [Int](repeating: 0, count: operandCount)
    var row = range.lowerBound / runLength
    var column = range.lowerBound % runLength
    for axis in stride(from: outerRank - 1, through: 0, by: -1) {
      counter[axis] = row % dimensions[axis]
      row /= dimensions[axis]
      for operand in 0..<operandCount { base[operand] += counter[axis] * strides[operand][axis] }
    }
    var starts = [Int](repeating: 0, count: operandCount)
    var index = range.lowerBound
    while index < range.upperBound {
      let count = min(runLength - column, range.upperBound - index)
      for operand in 0..<operandCount {
        starts[operand] = base[operand] + column * runStrides[operand]
      }
      starts.withUnsafeBufferPointer { body(index, $0, count) }
      index += count
      column = 0
      var axis = outerRank - 1
      while axis >= 0 {
        counter[axis] += 1
        for operand in 0..<operandCount { base[operand] += strides[operand][axis] }
        if counter[axis] < dimensions[axis] { break }
        for operand in 0..<operandCount {
          base[operand] -= strides[operand][axis] * dimensions[axis]
        }
        counter[axis] = 0
        axis -= 1
      }
    }
  }
}
