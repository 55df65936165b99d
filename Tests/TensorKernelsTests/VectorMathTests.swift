import Foundation
import RegistryTestSupport
import Testing

@testable import TensorKernels

@Suite("vectorised exp and sigmoid")
struct VectorMathTests {
  /// Distance in units in the last place between two floats of the same sign.
  static func ulps(_ a: Float, _ b: Float) -> Int {
    Int(abs(Int64(a.bitPattern) - Int64(b.bitPattern)))
  }

  @Test("exp is within 2 ulps of expf over the whole normal range, at the edges, and for ∞ and NaN")
  func exponential() throws {
    var generator = SeededGenerator(seed: 11)
    var values = (0..<20_000).map { _ in Float.random(in: -87.3..<88.7, using: &generator) }
    values += [0, -0.0, 1, -1, 1e-8, -1e-8, 88.72, 88.5, 88.3, -87.3, -87.33, -90, -100, -103]
    let result = try Elementwise.apply(.exp, Tensor(float32: values, shape: [values.count])).floats()
    var worst = 0
    for (x, y) in zip(values, result) { worst = max(worst, Self.ulps(y, expf(x))) }
    #expect(worst <= 2, "worst error \(worst) ulps")
    let specials: [Float] = [.infinity, -.infinity, .nan, 89, -104, 1000, -1000]
    let special = try Elementwise.apply(.exp, Tensor(float32: specials, shape: [specials.count])).floats()
    #expect(special[0] == .infinity && special[1] == 0 && special[2].isNaN)
    #expect(special[3] == .infinity && special[4] == expf(-104) && special[5] == .infinity && special[6] == 0)
  }

  @Test("sigmoid agrees with the scalar formula to float32 rounding, saturating cleanly")
  func logistic() throws {
    var generator = SeededGenerator(seed: 12)
    let values =
      (0..<10_003).map { _ in Float.random(in: -100..<100, using: &generator) } + [0, .nan, .infinity, -.infinity]
    let result = try Elementwise.apply(.sigmoid, Tensor(float32: values, shape: [values.count])).floats()
    for (x, y) in zip(values, result) where !x.isNaN {
      let expected = Activations.sigmoid(Double(x))
      // 3 ulps relative (2 from exp, 1 from the division), or one subnormal step.
      #expect(abs(Double(y) - expected) <= 3e-7 * expected + 1.5e-45, "sigmoid(\(x)) = \(y), expected \(expected)")
    }
    #expect(result[values.count - 3].isNaN)
    #expect(result[values.count - 2] == 1 && result[values.count - 1] == 0)
  }

  @Test("tanh is within a few ulps of tanhf near zero, at the branch point and in saturation")
  func hyperbolicTangent() throws {
    var generator = SeededGenerator(seed: 13)
    var values = (0..<20_000).map { _ in Float.random(in: -12..<12, using: &generator) }
    values += (0..<2_000).map { _ in Float.random(in: -0.7..<0.7, using: &generator) }
    values += [0, -0.0, 1e-30, -1e-30, 0.625, -0.625, 0.6249999, 44, -44, 100, -100]
    let result = try Elementwise.apply(.tanh, Tensor(float32: values, shape: [values.count])).floats()
    var worst = 0
    for (x, y) in zip(values, result) { worst = max(worst, Self.ulps(y, tanhf(x))) }
    #expect(worst <= 4, "worst error \(worst) ulps")
    let specials = try Elementwise.apply(.tanh, Tensor(float32: [.nan, .infinity, -.infinity], shape: [3])).floats()
    #expect(specials[0].isNaN && specials[1] == 1 && specials[2] == -1)
  }
}

@Suite("Swish")
struct SwishTests {
  @Test("x · sigmoid(x) in one pass is bit for bit the two ops apart, in place or not")
  func matchesTwoOps() throws {
    var generator = SeededGenerator(seed: 14)
    let values =
      (0..<5_000).map { _ in Float.random(in: -120..<120, using: &generator) }
      + [0, -0.0, -87.2, -87.4, -90, -104, -200, 88, 100, .nan, .infinity, -.infinity]
    let x = Tensor(float32: values, shape: [values.count])
    let expected = try Elementwise.apply(.mul, x, try Elementwise.apply(.sigmoid, x)).floats()
    let fused = try Swish.apply(x).floats()
    var owned = Tensor(float32: values, shape: [values.count])
    #expect(Swish.applyInPlace(&owned))
    let inPlace = try owned.floats()
    for index in values.indices {
      #expect(
        fused[index].bitPattern == expected[index].bitPattern || (fused[index].isNaN && expected[index].isNaN),
        "swish(\(values[index]))")
      #expect(inPlace[index].bitPattern == fused[index].bitPattern || (inPlace[index].isNaN && fused[index].isNaN))
    }
    let beta: Float = 1.7
    let scaled = try Elementwise.apply(.mul, Tensor(float32: [beta], shape: []), x)
    let expectedBeta = try Elementwise.apply(.mul, x, try Elementwise.apply(.sigmoid, scaled)).floats()
    let fusedBeta = try Swish.apply(x, beta: beta).floats()
    #expect(zip(fusedBeta, expectedBeta).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
    var shared = x
    #expect(!Swish.applyInPlace(&shared))
    #expect(try x.floats().elementsEqual(values) { $0.bitPattern == $1.bitPattern })
  }
}

@Suite("Erfc")
struct ErfcTests {
  @Test("erfc is within 1e-6 relative of the C library's (plus x² rounding far out), NaN kept")
  func matchesLibrary() throws {
    var generator = SeededGenerator(seed: 15)
    let values =
      (0..<20_000).map { _ in Float.random(in: -10..<10, using: &generator) } + [
        0, -0.0, 1e-20, 0.5, -0.5, 9, 9.5, 20, -20,
      ]
    let result = try Erfc.apply(Tensor(float32: values, shape: [values.count])).floats()
    for (x, y) in zip(values, result) {
      let expected = Foundation.erfc(Double(x))
      guard expected > 1.2e-38 else {
        #expect(y == 0 || abs(Double(y) - expected) < 1e-38, "erfc(\(x))")
        continue
      }
      let tolerance = (1e-6 + Double(x * x) * 1.5e-7) * expected
      #expect(abs(Double(y) - expected) <= tolerance, "erfc(\(x)) = \(y), expected \(expected)")
    }
    let nan = try Erfc.apply(Tensor(float32: [.nan, .infinity, -.infinity], shape: [3])).floats()
    #expect(nan[0].isNaN && nan[1] == 0 && nan[2] == 2)
    #expect(try Erfc.apply(Tensor(float64: [0.5], shape: [1])).doubles() == [Foundation.erfc(0.5)])
  }
}
