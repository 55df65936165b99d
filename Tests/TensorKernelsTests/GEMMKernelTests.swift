import CGEMM
import RegistryTestSupport
import Testing

/// `CGEMM`'s products against a double-precision loop: every transpose combination, tile edges
/// (AVX-512: 14-row, 32-column tiles, k in passes of 384; AVX2: 6-row, 16-column tiles, k in
/// passes of 256, B read in place up to 12 rows), leading dimensions wider than the rows, and C
/// prefilled with NaN so a read of C or a write past it shows. `cgemm_sgemm` runs the best kernel
/// the CPU has, `cgemm_sgemm_avx2` the AVX2 one; without them both run the fallback loop and
/// must be just as right.
@Suite("GEMM kernels")
struct GEMMKernelTests {
  typealias Product = (
    Int32, Int32, Int, Int, Int, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
    UnsafeMutablePointer<Float>, Int
  ) -> Void

  @Test(
    "matches a naive product on edge shapes, transposes and padded leading dimensions",
    arguments: ["best", "avx2"])
  func matchesNaive(kernel: String) {
    let product: Product =
      kernel == "best"
      ? { cgemm_sgemm($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) }
      : {
        cgemm_sgemm_avx2($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      }
    let shapes = [
      (1, 1, 1), (14, 32, 7), (15, 33, 385), (13, 31, 384), (29, 65, 770), (2, 3, 1000), (100, 8, 3), (3, 129, 50),
      (6, 16, 256), (7, 17, 257), (12, 9, 513), (13, 8, 300), (40, 24, 1100),
    ]
    var generator = SeededGenerator(seed: 21)
    for (m, n, k) in shapes {
      for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
        let (rowsA, columnsA) = transA ? (k, m) : (m, k)
        let (rowsB, columnsB) = transB ? (n, k) : (k, n)
        let (lda, ldb, ldc) = (columnsA + 3, columnsB + 5, n + 2)
        let a = (0..<(rowsA * lda)).map { _ in Float.random(in: -1..<1, using: &generator) }
        let b = (0..<(rowsB * ldb)).map { _ in Float.random(in: -1..<1, using: &generator) }
        var c = [Float](repeating: .nan, count: m * ldc)
        product(transA ? 1 : 0, transB ? 1 : 0, m, n, k, a, lda, b, ldb, &c, ldc)
        var worst = 0.0
        for i in 0..<m {
          for j in 0..<n {
            var sum = 0.0
            var magnitude = 0.0
            for p in 0..<k {
              let x = Double(transA ? a[p * lda + i] : a[i * lda + p])
              let y = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
              sum += x * y
              magnitude += abs(x * y)
            }
            let error = abs(Double(c[i * ldc + j]) - sum) - (1e-5 * magnitude + 1e-6)
            worst = max(worst, error.isNaN ? .infinity : error)
          }
          for j in n..<ldc { #expect(c[i * ldc + j].isNaN, "wrote past row \(i)") }
        }
        #expect(worst <= 0, "\(m)×\(n)×\(k) transA \(transA) transB \(transB)")
      }
    }
  }
}
