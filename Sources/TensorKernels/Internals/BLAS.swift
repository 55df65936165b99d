import COpenBLAS

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The funnel for every OpenBLAS call, and its thread policy.
///
/// Thread policy: OpenBLAS runs single-threaded and we split large products ourselves, by
/// blocks of rows (or of columns when there is one row), across the same `Parallel` workers the
/// elementwise kernels use. OpenBLAS's own pool would spin (`sched_yield`) for a while after each
/// GEMM, taking the cores from the elementwise op that follows: a convnet alternates the two
/// hundreds of times per call. A user who sets `OPENBLAS_NUM_THREADS` or `OMP_NUM_THREADS` gets
/// OpenBLAS's threading as they asked, and no splitting from us.
enum BLAS {
  /// The number of threads OpenBLAS uses itself, set on first use.
  static let threadCount: Int = {
    if !userChoseThreads { openblas_set_num_threads(1) }
    return Int(openblas_get_num_threads())
  }()

  static let userChoseThreads = getenv("OPENBLAS_NUM_THREADS") != nil || getenv("OMP_NUM_THREADS") != nil

  /// Below this many multiply-adds a product stays on the calling thread.
  static let minimumParallelWork = 1 << 18

  /// Runs `body` on blocks that together cover the `m×n` result, concurrently when the product
  /// (`m·n·k` multiply-adds) is large enough. `body` gets a row range and a column range.
  static func partition(m: Int, n: Int, k: Int, _ body: (Range<Int>, Range<Int>) -> Void) {
    _ = threadCount
    let work = m.multipliedReportingOverflow(by: n).partialValue.multipliedReportingOverflow(by: k)
    let cores = Parallel.coreCount
    guard !userChoseThreads, cores > 1, work.overflow || work.partialValue >= minimumParallelWork else {
      body(0..<m, 0..<n)
      return
    }
    // Rows when there are enough of them to share, else columns.
    let splitRows = m >= cores * 4 || m >= n
    let extent = splitRows ? m : n
    let pieces = min(cores, extent)
    guard pieces > 1 else {
      body(0..<m, 0..<n)
      return
    }
    Parallel.forEachRange(pieces, costPerItem: Parallel.minimumWork) { range in
      for piece in range {
        let block = extent * piece / pieces..<extent * (piece + 1) / pieces
        if splitRows { body(block, 0..<n) } else { body(0..<m, block) }
      }
    }
  }

  /// The largest dimension or leading dimension OpenBLAS's 32-bit `blasint` accepts.
  static let maximumDimension = Int(Int32.max)
}

/// A float type with a BLAS GEMM: `Float` (`cblas_sgemm`) and `Double` (`cblas_dgemm`).
protocol GEMMElement: FloatElement {
  /// `C = A·B` (after optional transposes) on row-major matrices; `C` is overwritten.
  ///
  /// `A` is `m×k` (`k×m` stored when `transposeA`), `B` is `k×n` (`n×k` stored when
  /// `transposeB`), `C` is `m×n`; the leading dimensions are the stored row lengths.
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Float: GEMMElement {
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    BLAS.partition(m: m, n: n, k: k) { rows, columns in
      // Row block of op(A) and column block of op(B); C's block is at (rows, columns).
      let aBlock = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
      let bBlock = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
      if rows.count == 1 {
        // One row (a recurrent step at batch 1): a matrix-vector product, which reads B once
        // instead of packing it first as GEMM does.
        cblas_sgemv(
          CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans, Int32(transposeB ? columns.count : k),
          Int32(transposeB ? k : columns.count), 1, bBlock, Int32(ldb), aBlock, Int32(transposeA ? lda : 1), 0,
          c + rows.lowerBound * ldc + columns.lowerBound, 1)
        return
      }
      cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
        Int32(rows.count), Int32(columns.count), Int32(k), 1, aBlock, Int32(lda), bBlock, Int32(ldb), 0,
        c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
    }
  }
}

extension Double: GEMMElement {
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    BLAS.partition(m: m, n: n, k: k) { rows, columns in
      // Row block of op(A) and column block of op(B); C's block is at (rows, columns).
      let aBlock = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
      let bBlock = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
      if rows.count == 1 {
        // One row (a recurrent step at batch 1): a matrix-vector product, which reads B once
        // instead of packing it first as GEMM does.
        cblas_dgemv(
          CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans, Int32(transposeB ? columns.count : k),
          Int32(transposeB ? k : columns.count), 1, bBlock, Int32(ldb), aBlock, Int32(transposeA ? lda : 1), 0,
          c + rows.lowerBound * ldc + columns.lowerBound, 1)
        return
      }
      cblas_dgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
        Int32(rows.count), Int32(columns.count), Int32(k), 1, aBlock, Int32(lda), bBlock, Int32(ldb), 0,
        c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
    }
  }
}
