import Testing

@testable import TensorKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A naive reference product of `[batch][m×k]` and `[batch][k×n]` row-major float matrices.
private func referenceProduct(
  _ a: [Float], _ b: [Float], m: Int, k: Int, n: Int, aOffset: Int = 0, bOffset: Int = 0,
  transposeA: Bool = false, transposeB: Bool = false
) -> [Reference] {
  var result = [Reference](repeating: Reference(), count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      for p in 0..<k {
        let left = a[aOffset + (transposeA ? p * m + i : i * k + p)]
        let right = b[bOffset + (transposeB ? j * k + p : p * n + j)]
        result[i * n + j].add(Double(left) * Double(right))
      }
    }
  }
  return result
}

@Suite("MatMul and BatchMatMulV2")
struct MatMulTests {
  let a = Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
  let b = Tensor(float32: [7, 8, 9, 10, 11, 12], shape: [3, 2])

  @Test("a 2×3 by 3×2 product by hand")
  func literal() throws {
    let product = try MatMul.apply(a, b)
    #expect(product.shape == [2, 2])
    #expect(try product.floats() == [58, 64, 139, 154])
  }

  @Test("transposeA and transposeB read the stored matrices transposed")
  func transposes() throws {
    let aT = Tensor(float32: [1, 4, 2, 5, 3, 6], shape: [3, 2])
    let bT = Tensor(float32: [7, 9, 11, 8, 10, 12], shape: [2, 3])
    #expect(try MatMul.apply(aT, b, transposeA: true).floats() == [58, 64, 139, 154])
    #expect(try MatMul.apply(a, bT, transposeB: true).floats() == [58, 64, 139, 154])
    #expect(
      try MatMul.apply(aT, bT, transposeA: true, transposeB: true).floats() == [58, 64, 139, 154])
  }

  @Test("float64 runs on dgemm, integers on a wrapping loop, float16 through float32")
  func otherTypes() throws {
    let d = try MatMul.apply(
      Tensor(float64: [1, 2, 3, 4, 5, 6], shape: [2, 3]),
      Tensor(float64: [7, 8, 9, 10, 11, 12], shape: [3, 2]))
    #expect(try d.doubles() == [58, 64, 139, 154])
    let i = try MatMul.apply(
      Tensor(int32: [1, 2, 3, 4, 5, 6], shape: [2, 3]),
      Tensor(int32: [7, 8, 9, 10, 11, 12], shape: [3, 2]),
      transposeA: false, transposeB: false)
    #expect(try i.int32s() == [58, 64, 139, 154])
    let iT = try MatMul.apply(
      Tensor(int64: [1, 4, 2, 5, 3, 6], shape: [3, 2]),
      Tensor(int64: [7, 9, 11, 8, 10, 12], shape: [2, 3]),
      transposeA: true, transposeB: true)
    #expect(try iT.int64s() == [58, 64, 139, 154])
    let h = try MatMul.apply(
      Tensor(float16: [1, 2, 3, 4, 5, 6], shape: [2, 3]),
      Tensor(float16: [7, 8, 9, 10, 11, 12], shape: [3, 2]))
    #expect(h.dtype == .float16)
    #expect(try h.floats() == [58, 64, 139, 154])
  }

  @Test("random products of several sizes match a naive loop within float32 tolerance")
  func randomAgainstNaive() throws {
    // The last four are large enough to be split across cores: by rows, by columns (two rows;
    // one row, as matrix-vector products), and by uneven row blocks.
    for (index, (m, k, n)) in [
      (1, 1, 1), (5, 7, 3), (1, 7, 5), (33, 17, 65), (3, 200, 1), (64, 128, 96), (2, 300, 701), (1, 300, 1001),
      (301, 129, 17),
    ]
    .enumerated() {
      for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
        let left = randomFloats(m * k, seed: UInt64(100 + index))
        let right = randomFloats(k * n, seed: UInt64(200 + index))
        let result = try MatMul.apply(
          Tensor(float32: left, shape: transposeA ? [k, m] : [m, k]),
          Tensor(float32: right, shape: transposeB ? [n, k] : [k, n]),
          transposeA: transposeA, transposeB: transposeB)
        #expect(result.shape == [m, n])
        expectMatches(
          try result.floats(),
          referenceProduct(
            left, right, m: m, k: k, n: n, transposeA: transposeA, transposeB: transposeB))
      }
    }
  }

  @Test("empty dimensions give empty or zero products")
  func emptyDimensions() throws {
    let zeroK = try MatMul.apply(
      Tensor(float32: [], shape: [2, 0]), Tensor(float32: [], shape: [0, 3]))
    #expect(zeroK.shape == [2, 3])
    #expect(try zeroK.floats() == [0, 0, 0, 0, 0, 0])
    let zeroM = try MatMul.apply(
      Tensor(float32: [], shape: [0, 2]), Tensor(float32: [1, 2], shape: [2, 1]))
    #expect(zeroM.shape == [0, 1])
  }

  @Test("shape and dtype errors name the operands")
  func errors() {
    #expect(throws: TensorError.incompatibleShapes(op: "MatMul", [2, 3], [2, 3])) {
      try MatMul.apply(a, a)
    }
    #expect(
      throws: TensorError.invalidShape(op: "MatMul", shape: [6], reason: "a must be a matrix")
    ) {
      try MatMul.apply(Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [6]), b)
    }
    #expect(throws: TensorError.dtypeMismatch(op: "MatMul", .float32, .float64)) {
      try MatMul.apply(a, Tensor(float64: [1, 2, 3], shape: [3, 1]))
    }
    #expect(throws: TensorError.unsupportedDType(op: "MatMul", .bool)) {
      try MatMul.apply(Tensor(bool: [true], shape: [1, 1]), Tensor(bool: [true], shape: [1, 1]))
    }
  }

  @Test("BatchMatMulV2 broadcasts batch dimensions [2, 1] against [3]")
  func batchBroadcast() throws {
    let (m, k, n) = (2, 3, 4)
    let left = randomFloats(2 * 1 * m * k, seed: 21)
    let right = randomFloats(3 * k * n, seed: 22)
    let result = try BatchMatMul.apply(
      Tensor(float32: left, shape: [2, 1, m, k]), Tensor(float32: right, shape: [3, k, n]))
    #expect(result.shape == [2, 3, m, n])
    var expected: [Reference] = []
    for i in 0..<2 {
      for j in 0..<3 {
        expected += referenceProduct(
          left, right, m: m, k: k, n: n, aOffset: i * m * k, bOffset: j * k * n)
      }
    }
    expectMatches(try result.floats(), expected)
  }

  @Test("BatchMatMulV2 adjoints transpose each matrix of the batch")
  func batchAdjoints() throws {
    let (batch, m, k, n) = (3, 4, 5, 2)
    let left = randomFloats(batch * m * k, seed: 23)
    let right = randomFloats(batch * k * n, seed: 24)
    for (adjointX, adjointY) in [(false, false), (true, false), (false, true), (true, true)] {
      let result = try BatchMatMul.apply(
        Tensor(float32: left, shape: adjointX ? [batch, k, m] : [batch, m, k]),
        Tensor(float32: right, shape: adjointY ? [batch, n, k] : [batch, k, n]),
        adjointX: adjointX, adjointY: adjointY)
      #expect(result.shape == [batch, m, n])
      var expected: [Reference] = []
      for index in 0..<batch {
        expected += referenceProduct(
          left, right, m: m, k: k, n: n, aOffset: index * m * k, bOffset: index * k * n,
          transposeA: adjointX, transposeB: adjointY)
      }
      expectMatches(try result.floats(), expected)
    }
  }

  @Test("BatchMatMulV2 with one shared y matrix folds the batch into one GEMM")
  func batchFold() throws {
    let (m, k, n) = (3, 4, 5)
    let left = randomFloats(2 * 3 * m * k, seed: 25)
    let right = randomFloats(k * n, seed: 26)
    for adjointY in [false, true] {
      let result = try BatchMatMul.apply(
        Tensor(float32: left, shape: [2, 3, m, k]),
        Tensor(float32: right, shape: adjointY ? [1, n, k] : [k, n]), adjointY: adjointY)
      #expect(result.shape == [2, 3, m, n])
      expectMatches(
        try result.floats(),
        referenceProduct(left, right, m: 6 * m, k: k, n: n, transposeB: adjointY))
    }
  }

  @Test("BatchMatMulV2 rejects mismatched inner and batch dimensions, naming both shapes")
  func batchErrors() {
    let x = Tensor(float32: [Float](repeating: 1, count: 12), shape: [2, 2, 3])
    #expect(throws: TensorError.incompatibleShapes(op: "BatchMatMulV2", [2, 2, 3], [2, 2, 3])) {
      try BatchMatMul.apply(x, x)
    }
    let y = Tensor(float32: [Float](repeating: 1, count: 18), shape: [3, 3, 2])
    #expect(throws: TensorError.incompatibleShapes(op: "BatchMatMulV2", [2, 2, 3], [3, 3, 2])) {
      try BatchMatMul.apply(x, y)
    }
    #expect(throws: TensorError.self) { try BatchMatMul.apply(Tensor(float32: [1], shape: [1]), x) }
  }

  @Test("float64 batches run on dgemm")
  func batchDouble() throws {
    let x = Tensor(float64: [1, 2, 3, 4, 1, 0, 0, 1], shape: [2, 2, 2])
    let y = Tensor(float64: [5, 6, 7, 8], shape: [2, 2])
    #expect(try BatchMatMul.apply(x, y).doubles() == [19, 22, 43, 50, 5, 6, 7, 8])
    #expect(try BatchMatMul.apply(y, x).doubles() == [23, 34, 31, 46, 5, 6, 7, 8])
  }

  @Test("OpenBLAS runs single-threaded (we split products ourselves) unless the environment says otherwise")
  func blasThreads() {
    #expect(BLAS.threadCount == 1 || getenvSet())
  }

  private func getenvSet() -> Bool {
    for name in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"] {
      if let value = ProcessEnvironment.value(name), !value.isEmpty { return true }
    }
    return false
  }
}

/// Reads an environment variable without Foundation.
private enum ProcessEnvironment {
  static func value(_ name: String) -> String? {
    guard let pointer = getenv(name) else { return nil }
    return String(cString: pointer)
  }
}
