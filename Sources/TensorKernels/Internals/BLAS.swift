import CGEMM
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
    if !userChoseThreads { registry_openblas_set_num_threads(1) }
    return Int(registry_openblas_get_num_threads())
  }()

  static let userChoseThreads = getenv("OPENBLAS_NUM_THREADS") != nil || getenv("OMP_NUM_THREADS") != nil

  /// Whether float32 products may run on `CGEMM`'s kernels rather than OpenBLAS: when the CPU
  /// has AVX-512 or AVX2 with FMA and `REGISTRY_GEMM=openblas` does not ask for OpenBLAS (for
  /// comparisons). With AVX2, `cgemm_suits` keeps OpenBLAS for the shapes it does better.
  static let ownKernel: Bool =
    cgemm_available() == 1 && getenv("REGISTRY_GEMM").map { String(cString: $0) } != "openblas"

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
  /// One BLAS matrix product on row-major matrices, `C = op(A)·op(B)` (`cblas_?gemm` with
  /// alpha 1, beta 0).
  static func blockProduct(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    c: UnsafeMutablePointer<Self>, ldc: Int)

  /// One BLAS matrix-vector product, `y = op(M)·x` (`cblas_?gemv` with alpha 1, beta 0), on a
  /// row-major `rows×columns` matrix.
  static func matrixVector(
    transpose: Bool, rows: Int, columns: Int, matrix: UnsafePointer<Self>, ld: Int,
    x: UnsafePointer<Self>, incX: Int, y: UnsafeMutablePointer<Self>)
}

/// Work done on a block of a product's result right after the block is computed, while it is in
/// cache: `(block, rows, columns, ldc)`, the block's first element, its row count, which columns
/// of the whole result it holds, and the stored row length.
typealias GEMMEpilogue<T> = (UnsafeMutablePointer<T>, Int, Range<Int>, Int) -> Void

extension GEMMElement {
  /// `C = A·B` (after optional transposes) on row-major matrices; `C` is overwritten.
  ///
  /// `A` is `m×k` (`k×m` stored when `transposeA`), `B` is `k×n` (`n×k` stored when
  /// `transposeB`), `C` is `m×n`; the leading dimensions are the stored row lengths. Large
  /// products are split across cores (`BLAS.partition`). With an `epilogue`, each core's rows
  /// are computed `rowBlock` at a time and the epilogue runs on each such block as it is done.
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    c: UnsafeMutablePointer<Self>, ldc: Int, rowBlock: Int = .max, epilogue: GEMMEpilogue<Self>? = nil
  ) {
    BLAS.partition(m: m, n: n, k: k) { rows, columns in
      var start = rows.lowerBound
      while start < rows.upperBound {
        let block = start..<(rows.upperBound - start <= rowBlock ? rows.upperBound : start + max(1, rowBlock))
        product(
          transposeA: transposeA, transposeB: transposeB, rows: block, columns: columns, k: k,
          a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
        epilogue?(c + block.lowerBound * ldc + columns.lowerBound, block.count, columns, ldc)
        start = block.upperBound
      }
    }
  }

  /// The block `rows × columns` of `C = op(A)·op(B)`, on the calling thread.
  private static func product(
    transposeA: Bool, transposeB: Bool, rows: Range<Int>, columns: Range<Int>, k: Int,
    a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    c: UnsafeMutablePointer<Self>, ldc: Int
  ) {
    // Row block of op(A) and column block of op(B); C's block is at (rows, columns).
    let aBlock = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
    let bBlock = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
    let cBlock = c + rows.lowerBound * ldc + columns.lowerBound
    if rows.count == 1 {
      // One row (a recurrent step at batch 1): a matrix-vector product, which reads B once
      // instead of packing it first as GEMM does. op(B)ᵀ·a: B (k×n) transposed, or B (n×k).
      matrixVector(
        transpose: !transposeB, rows: transposeB ? columns.count : k, columns: transposeB ? k : columns.count,
        matrix: bBlock, ld: ldb, x: aBlock, incX: transposeA ? lda : 1, y: cBlock)
      return
    }
    blockProduct(
      transposeA: transposeA, transposeB: transposeB, m: rows.count, n: columns.count, k: k,
      a: aBlock, lda: lda, b: bBlock, ldb: ldb, c: cBlock, ldc: ldc)
  }
}

extension Float: GEMMElement {
  /// Our kernels (`CGEMM`): AVX-512 where the CPU has it (about twice the speed of the AVX2
  /// kernels OpenBLAS is pinned to on Zen 5), AVX2 for the shapes it suits; OpenBLAS elsewhere.
  static func blockProduct(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if BLAS.ownKernel, cgemm_suits(m, n, k) == 1 {
      cgemm_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, c, ldc)
      return
    }
    registry_cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
  }

  static func matrixVector(
    transpose: Bool, rows: Int, columns: Int, matrix: UnsafePointer<Float>, ld: Int,
    x: UnsafePointer<Float>, incX: Int, y: UnsafeMutablePointer<Float>
  ) {
    registry_cblas_sgemv(
      CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns), 1, matrix, Int32(ld), x,
      Int32(incX), 0, y, 1)
  }
}

extension Double: GEMMElement {
  static func blockProduct(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    registry_cblas_dgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
  }

  static func matrixVector(
    transpose: Bool, rows: Int, columns: Int, matrix: UnsafePointer<Double>, ld: Int,
    x: UnsafePointer<Double>, incX: Int, y: UnsafeMutablePointer<Double>
  ) {
    registry_cblas_dgemv(
      CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns), 1, matrix, Int32(ld), x,
      Int32(incX), 0, y, 1)
  }
}
