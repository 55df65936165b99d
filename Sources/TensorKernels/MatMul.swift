/// Matrix products, on OpenBLAS for floating-point types.
///
/// `float32` runs on `cblas_sgemm` and `float64` on `cblas_dgemm` (see `BLAS` for the thread
/// policy); `float16` and `bfloat16` are multiplied in `float32` and rounded back; integer types
/// use a plain loop with wrapping arithmetic. Tolerance class: rounding (BLAS reorders sums).
public enum MatMul {
  /// The product of two matrices, either of them optionally transposed.
  ///
  /// Corresponds to the TensorFlow op `MatMul` (attributes `transpose_a`, `transpose_b`).
  ///
  /// - Parameters:
  ///   - a: an `m×k` matrix (`k×m` when `transposeA`).
  ///   - b: a `k×n` matrix (`n×k` when `transposeB`), of the same dtype.
  ///   - transposeA: whether `a` is stored transposed (`transpose_a`).
  ///   - transposeB: whether `b` is stored transposed (`transpose_b`).
  /// - Returns: the `m×n` product.
  /// - Throws: `TensorError.invalidShape` when an operand is not 2-D, `.incompatibleShapes` when
  ///   the inner dimensions differ, `.dtypeMismatch`, `.unsupportedDType` for `bool` and `string`,
  ///   `.invalidArgument` when a dimension exceeds OpenBLAS's 32-bit limit.
  /// - Complexity: O(m·n·k).
  public static func apply(
    _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
  ) throws(TensorError) -> Tensor {
    let name = "MatMul"
    guard a.rank == 2 else {
      throw .invalidShape(op: name, shape: a.shape, reason: "a must be a matrix")
    }
    guard b.rank == 2 else {
      throw .invalidShape(op: name, shape: b.shape, reason: "b must be a matrix")
    }
    guard a.dtype == b.dtype else { throw .dtypeMismatch(op: name, a.dtype, b.dtype) }
    let product = Product(
      m: transposeA ? a.shape[1] : a.shape[0], k: transposeA ? a.shape[0] : a.shape[1],
      n: transposeB ? b.shape[0] : b.shape[1], transposeA: transposeA, transposeB: transposeB)
    guard (transposeB ? b.shape[1] : b.shape[0]) == product.k else {
      throw .incompatibleShapes(op: name, a.shape, b.shape)
    }
    try product.checkLimits(name)
    let batches = [BatchPair(output: 0, a: 0, b: 0)]
    return try multiply(name, a, b, product, batches: batches, outputShape: [product.m, product.n])
  }

  /// A description of one `m×k · k×n` product and where its operands lie.
  struct Product {
    let m: Int
    let k: Int
    let n: Int
    let transposeA: Bool
    let transposeB: Bool
    /// Elements per matrix of each operand and of the output.
    var aSize: Int { m * k }
    var bSize: Int { k * n }
    var outputSize: Int { m * n }
    var lda: Int { transposeA ? m : k }
    var ldb: Int { transposeB ? k : n }

    func checkLimits(_ name: String) throws(TensorError) {
      guard [m, n, k].allSatisfy({ $0 <= BLAS.maximumDimension }) else {
        throw .invalidArgument(op: name, reason: "a matrix dimension exceeds 2^31 - 1")
      }
    }
  }

  /// The matrix index into each operand and the output for one product of a batch.
  struct BatchPair {
    let output: Int
    let a: Int
    let b: Int
  }

  /// Runs `product` for every entry of `batches`, dispatching on the dtype.
  static func multiply(
    _ name: String, _ a: Tensor, _ b: Tensor, _ product: Product, batches: [BatchPair],
    outputShape: [Int]
  ) throws(TensorError) -> Tensor {
    // `[m, 0] · [0, n]` is an empty product of m·n zeros: the output can be far larger than
    // the operands.
    try Shape.checkAllocation(outputShape, dtype: a.dtype, op: name)
    switch a.dtype {
    case .float32: return floating(a, b, product, batches, outputShape, Float.self)
    case .float64: return floating(a, b, product, batches, outputShape, Double.self)
    case .float16, .bfloat16:
      return floating(
        a.widenedToFloat32(), b.widenedToFloat32(), product, batches, outputShape, Float.self
      ).narrowed(to: a.dtype)
    case .int8: return integer(a, b, product, batches, outputShape, Int8.self)
    case .int16: return integer(a, b, product, batches, outputShape, Int16.self)
    case .int32: return integer(a, b, product, batches, outputShape, Int32.self)
    case .int64: return integer(a, b, product, batches, outputShape, Int64.self)
    case .uint8: return integer(a, b, product, batches, outputShape, UInt8.self)
    case .uint16: return integer(a, b, product, batches, outputShape, UInt16.self)
    case .uint32: return integer(a, b, product, batches, outputShape, UInt32.self)
    case .uint64: return integer(a, b, product, batches, outputShape, UInt64.self)
    case .bool, .string, .complex64, .complex128: throw .unsupportedDType(op: name, a.dtype)
    }
  }

  /// One GEMM per batch entry, each from the calling thread; OpenBLAS threads each large one.
  private static func floating<T: GEMMElement>(
    _ a: Tensor, _ b: Tensor, _ product: Product, _ batches: [BatchPair], _ outputShape: [Int],
    _: T.Type
  ) -> Tensor {
    a.withElements(T.self) { left in
      b.withElements(T.self) { right in
        // Every batch's product overwrites its block (an empty `k` writes zeros).
        Tensor.makeOverwritten(T.self, shape: outputShape) { output in
          for batch in batches {
            T.multiply(
              transposeA: product.transposeA, transposeB: product.transposeB,
              m: product.m, n: product.n, k: product.k,
              a: left, aOffset: batch.a * product.aSize, lda: product.lda,
              b: right, bOffset: batch.b * product.bSize, ldb: product.ldb,
              c: output, cOffset: batch.output * product.outputSize, ldc: product.n)
          }
        }
      }
    }
  }

  /// A plain triple loop with wrapping arithmetic, output rows spread across cores.
  private static func integer<T: IntegerElement>(
    _ a: Tensor, _ b: Tensor, _ product: Product, _ batches: [BatchPair], _ outputShape: [Int],
    _: T.Type
  ) -> Tensor {
    let (m, n, k) = (product.m, product.n, product.k)
    return a.withElements(T.self) { left in
      b.withElements(T.self) { right in
        Tensor.make(T.self, shape: outputShape) { output in
          Parallel.forEachRange(batches.count * m, costPerItem: n * k) { range in
            for row in range {
              let batch = batches[row / m]
              let i = row % m
              let aBase = batch.a * product.aSize
              let bBase = batch.b * product.bSize
              let cBase = batch.output * product.outputSize + i * n
              for p in 0..<k {
                let value = left[aBase + (product.transposeA ? p * m + i : i * k + p)]
                for j in 0..<n {
                  let other = right[bBase + (product.transposeB ? j * k + p : p * n + j)]
                  output[cBase + j] = output[cBase + j] &+ value &* other
                }
              }
            }
          }
        }
      }
    }
  }
}

extension GEMMElement {
  /// `C = op(A)·op(B)` on sub-matrices of buffers, handling empty dimensions without calling BLAS.
  static func multiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    a: UnsafeBufferPointer<Self>, aOffset: Int, lda: Int,
    b: UnsafeBufferPointer<Self>, bOffset: Int, ldb: Int,
    c: UnsafeMutableBufferPointer<Self>, cOffset: Int, ldc: Int,
    rowBlock: Int = .max, epilogue: GEMMEpilogue<Self>? = nil
  ) {
    guard m > 0, n > 0 else { return }
    guard let cBase = c.baseAddress else {
      preconditionFailure("empty output for a \(m)×\(n) product")
    }
    guard k > 0 else {
      for row in 0..<m { (cBase + cOffset + row * ldc).update(repeating: 0, count: n) }
      epilogue?(cBase + cOffset, m, 0..<n, ldc)
      return
    }
    guard let aBase = a.baseAddress, let bBase = b.baseAddress else {
      preconditionFailure("empty operand for a product with k = \(k)")
    }
    gemm(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
      a: aBase + aOffset, lda: lda, b: bBase + bOffset, ldb: ldb, c: cBase + cOffset, ldc: ldc,
      rowBlock: rowBlock, epilogue: epilogue)
  }
}
