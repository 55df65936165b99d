/// Batched matrix products with broadcast batch dimensions.
public enum BatchMatMul {
  /// The products of the matrices in the last two dimensions of `x` and `y`, batch by batch.
  ///
  /// Corresponds to the TensorFlow op `BatchMatMulV2` (attributes `adj_x`, `adj_y`; for real types
  /// the adjoint is the transpose). The batch dimensions (all but the last two) broadcast. When `y`
  /// has a single matrix and `x` is not adjoint, the batch is folded into one large GEMM.
  ///
  /// - Parameters:
  ///   - x: a tensor of shape `[..., m, k]` (`[..., k, m]` when `adjointX`).
  ///   - y: a tensor of shape `[..., k, n]` (`[..., n, k]` when `adjointY`), of the same dtype.
  ///   - adjointX: whether to use the transpose of each matrix of `x` (`adj_x`).
  ///   - adjointY: whether to use the transpose of each matrix of `y` (`adj_y`).
  /// - Returns: a tensor of shape `broadcast(batch(x), batch(y)) + [m, n]`.
  /// - Throws: `TensorError.invalidShape` when an operand has rank below 2, `.incompatibleShapes`
  ///   when the inner or batch dimensions do not match, `.dtypeMismatch`, `.unsupportedDType`.
  /// - Complexity: O(batch·m·n·k).
  public static func apply(
    _ x: Tensor, _ y: Tensor, adjointX: Bool = false, adjointY: Bool = false
  ) throws(TensorError) -> Tensor {
    let name = "BatchMatMulV2"
    guard x.rank >= 2 else {
      throw .invalidShape(op: name, shape: x.shape, reason: "x must have rank 2 or more")
    }
    guard y.rank >= 2 else {
      throw .invalidShape(op: name, shape: y.shape, reason: "y must have rank 2 or more")
    }
    guard x.dtype == y.dtype else { throw .dtypeMismatch(op: name, x.dtype, y.dtype) }
    let (xRows, xColumns) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
    let (yRows, yColumns) = (y.shape[y.rank - 2], y.shape[y.rank - 1])
    let m = adjointX ? xColumns : xRows
    let k = adjointX ? xRows : xColumns
    let n = adjointY ? yRows : yColumns
    guard (adjointY ? yColumns : yRows) == k else {
      throw .incompatibleShapes(op: name, x.shape, y.shape)
    }
    let xBatch = Array(x.shape.dropLast(2))
    let yBatch = Array(y.shape.dropLast(2))
    let batchShape: [Int]
    do {
      batchShape = try Broadcast.shape(xBatch, yBatch, op: name)
    } catch {
      throw .incompatibleShapes(op: name, x.shape, y.shape)
    }
    let outputShape = batchShape + [m, n]
    // Checked before the batch table below is built: broadcast batch axes and empty products
    // can make the output far larger than the operands.
    try Shape.checkAllocation(outputShape, dtype: x.dtype, op: name)
    if Shape.elementCount(outputShape) == 0, x.dtype.isNumeric {
      // Nothing to compute, and no table of up to 2^31 empty batches to build.
      return try Tensor(raw: [UInt8](), dtype: x.dtype, shape: outputShape)
    }
    let batchCount = Shape.elementCount(batchShape)
    let xCount = Shape.elementCount(xBatch)
    let yCount = Shape.elementCount(yBatch)
    if yCount == 1, xCount == batchCount, !adjointX {
      // Rows of every x matrix are consecutive, so the whole batch is one (batch·m)×k matrix.
      let folded = MatMul.Product(
        m: batchCount * m, k: k, n: n, transposeA: false, transposeB: adjointY)
      try folded.checkLimits(name)
      return try MatMul.multiply(
        name, x, y, folded, batches: [MatMul.BatchPair(output: 0, a: 0, b: 0)],
        outputShape: outputShape)
    }
    let product = MatMul.Product(m: m, k: k, n: n, transposeA: adjointX, transposeB: adjointY)
    try product.checkLimits(name)
    let rank = batchShape.count
    let xPadded = [Int](repeating: 1, count: rank - xBatch.count) + xBatch
    let yPadded = [Int](repeating: 1, count: rank - yBatch.count) + yBatch
    let xStrides = Shape.strides(xPadded)
    let yStrides = Shape.strides(yPadded)
    var batches: [MatMul.BatchPair] = []
    batches.reserveCapacity(batchCount)
    for index in 0..<batchCount {
      var remaining = index
      var xIndex = 0
      var yIndex = 0
      for axis in stride(from: rank - 1, through: 0, by: -1) {
        let coordinate = remaining % batchShape[axis]
        remaining /= batchShape[axis]
        if xPadded[axis] != 1 { xIndex += coordinate * xStrides[axis] }
        if yPadded[axis] != 1 { yIndex += coordinate * yStrides[axis] }
      }
      batches.append(MatMul.BatchPair(output: index, a: xIndex, b: yIndex))
    }
    return try MatMul.multiply(name, x, y, product, batches: batches, outputShape: outputShape)
  }
}
