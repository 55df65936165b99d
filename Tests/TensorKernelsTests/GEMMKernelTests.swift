import CGEMM
import RegistryTestSupport
import Testing

/// `CGEMM`'s AVX-512 product against a double-precision loop: every transpose combination, tile
/// edges (14-row, 32-column tiles; k in passes of 384), leading dimensions wider than the rows,
/// and C prefilled with NaN so a read of C or a write past it shows. On a CPU without AVX-512
/// the same calls run the fallback loop and must be just as right.
@Suite("AVX-512 GEMM kernel")
struct GEMMKernelTests {
  @Test("matches a naive product on edge shapes, transposes and padded leading dimensions")
  func matchesNaive() {
    let shapes = [
      (1, 1, 1), (14, 32, 7), (15, 33, 385), (13, 31, 384), (29, 65, 770), (2, 3, 1000), (100, 8, 3), (3, 129, 50),
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
        cgemm_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, a, lda, b, ldb, &c, ldc)
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
