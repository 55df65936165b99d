import COpenBLAS

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The funnel for every OpenBLAS call, and its thread policy.
///
/// Thread policy: OpenBLAS (Debian's pthreads build) splits each GEMM over its own thread pool,
/// deciding per call how many threads the size is worth (small products stay on the calling
/// thread). We give that pool one thread per online processor, the same count `Parallel` uses,
/// unless the user chose with `OPENBLAS_NUM_THREADS` or `OMP_NUM_THREADS`, which we respect. The
/// pools never overlap: kernels call GEMM only from the calling thread, never from inside a
/// `Parallel` loop (im2col fills its buffer in parallel, then one GEMM runs), so the machine is
/// never asked for more threads than it has cores.
enum BLAS {
  /// The number of threads OpenBLAS uses, set on first use.
  static let threadCount: Int = {
    if getenv("OPENBLAS_NUM_THREADS") == nil, getenv("OMP_NUM_THREADS") == nil {
      openblas_set_num_threads(Int32(clamping: Parallel.coreCount))
    }
    return Int(openblas_get_num_threads())
  }()

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
    _ = BLAS.threadCount
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
  }
}

extension Double: GEMMElement {
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    _ = BLAS.threadCount
    cblas_dgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
  }
}
