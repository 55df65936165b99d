import Foundation
import TensorKernels
import Testing

@testable import Inference

/// Elementwise math and the integer and bit ops. Expected values were printed by TensorFlow 2.21
/// on the CPU; transcendental results are compared within a few float32 ulps.
@Suite("extended math and bit ops")
struct ExtendedMathOpTests {
  typealias H = GraphHarness
  func f(_ values: [Float]) -> Tensor { Tensor(float32: values, shape: [values.count]) }
  func d(_ values: [Double]) -> Tensor { Tensor(float64: values, shape: [values.count]) }

  /// Each value equal (NaN to NaN, infinities exactly) or within `relative` of the expected.
  func expectClose(_ actual: [Double], _ expected: [Double], relative: Double = 1e-6, _ what: String) {
    #expect(actual.count == expected.count, "\(what)")
    for (a, e) in zip(actual, expected) {
      let ok = (a.isNaN && e.isNaN) || a == e || Swift.abs(a - e) <= relative * Swift.abs(e)
      #expect(ok, "\(what): \(a) != \(e)")
    }
  }

  func run(_ op: String, _ inputs: [Tensor]) throws -> [Double] {
    try Cast.apply(try H.run(op, inputs)[0], to: .float64).doubles()
  }

  @Test("special functions at their poles, edges and in between")
  func specialFunctions() throws {
    expectClose(
      try run("Digamma", [d([0, -1, -0.5, 1, 1e-8, -.infinity, .infinity])]),
      [.nan, .nan, 3.64899740e-02, -5.77215665e-01, -1.00000001e+08, .nan, .infinity], relative: 1e-8, "Digamma")
    expectClose(
      try run("Lgamma", [f([0, -1, -0.5, 1, .infinity, -.infinity])]),
      [.infinity, .infinity, 1.2655121, 0, .infinity, .infinity], "Lgamma")
    expectClose(
      try run("Erfinv", [f([-1, 1, 0.5, 2, 0.999999])]), [-.infinity, .infinity, 0.4769363, .nan, 3.4655046],
      relative: 1e-5, "Erfinv")
    expectClose(
      try run("Ndtri", [d([0, 1, 0.975, 1e-30])]), [-.infinity, .infinity, 1.95996398, -11.46402469], relative: 1e-8,
      "Ndtri")
    expectClose(
      try run("Softsign", [f([.infinity, -.infinity, .nan, 1, -3])]), [.nan, .nan, .nan, 0.5, -0.75], "Softsign")
    expectClose(
      try run("Atan2", [f([0, -0.0, 1]), f([-1, -1, 0])]), [3.1415927, -3.1415927, 1.5707964], "Atan2")
    expectClose(try run("Cos", [f([0, .pi])]), [1, -1], "Cos")
    #expect(H.failure("Cos", [Tensor(int32: [1], shape: [1])]) != nil)
  }

  @Test("Xlogy, Xdivy, DivNoNan, MulNoNan: zero wins over NaN and infinities")
  func zeroRules() throws {
    expectClose(try run("Xlogy", [f([0, 0, 0, 1]), f([0, .nan, .infinity, 0])]), [0, 0, 0, -.infinity], "Xlogy")
    expectClose(try run("Xdivy", [f([0, 0, 1]), f([0, .nan, 0])]), [0, 0, .infinity], "Xdivy")
    expectClose(try run("DivNoNan", [f([.nan, 1]), f([0, 0])]), [0, 0], "DivNoNan")
    expectClose(try run("MulNoNan", [f([.nan, .infinity]), f([0, 0])]), [0, 0], "MulNoNan")
    // Broadcasting a scalar.
    expectClose(try run("Xdivy", [f([2, 4]), Tensor(float32: [2], shape: [])]), [1, 2], "Xdivy broadcast")
  }

  @Test("predicates and NextAfter, subnormals included")
  func predicates() throws {
    #expect(
      try H.run("IsNan", [f([.nan, 1, .infinity])]) == [Tensor(bool: [true, false, false], shape: [3])])
    #expect(
      try H.run("IsInf", [f([.nan, 1, -.infinity])]) == [Tensor(bool: [false, false, true], shape: [3])])
    #expect(
      try H.run("IsFinite", [f([.nan, 1, .infinity])]) == [Tensor(bool: [false, true, false], shape: [3])])
    let next = try H.run("NextAfter", [f([1, 0, .nan]), f([2, -1, 1])])[0].floats()
    #expect(next[0] == Float(1).nextUp && next[1] == -Float.leastNonzeroMagnitude && next[2].isNaN)
    #expect(try H.run("NextAfter", [d([1]), d([0])])[0].doubles() == [Double(1).nextDown])
  }

  func int8(_ values: [Int8]) -> Tensor { Tensor(int8: values, shape: [values.count]) }

  @Test("shifts clamp the amount to [0, bits - 1]; right shifts are arithmetic")
  func shifts() throws {
    #expect(try H.run("LeftShift", [int8([1, 1, 1, -1]), int8([7, 8, -1, 3])]) == [int8([-128, -128, 1, -8])])
    #expect(try H.run("RightShift", [int8([-128, 64, -1, 5]), int8([7, 8, -1, 1])]) == [int8([-1, 0, -1, 2])])
    let unsigned = Tensor(uint8: [255, 8], shape: [2])
    #expect(
      try H.run("RightShift", [unsigned, Tensor(uint8: [9, 200], shape: [2])]) == [Tensor(uint8: [1, 0], shape: [2])])
  }

  @Test("bitwise ops, Invert and PopulationCount on negatives and extremes")
  func bits() throws {
    #expect(
      try H.run("PopulationCount", [Tensor(int16: [-1, 0, 5], shape: [3])]) == [Tensor(uint8: [16, 0, 2], shape: [3])])
    #expect(try H.run("Invert", [Tensor(uint8: [0, 255], shape: [2])]) == [Tensor(uint8: [255, 0], shape: [2])])
    #expect(try H.run("Invert", [int8([0, -128])]) == [int8([-1, 127])])
    #expect(try H.run("BitwiseAnd", [int8([-1, 12]), int8([5, 10])]) == [int8([5, 8])])
    #expect(try H.run("BitwiseOr", [int8([-128, 12]), int8([1, 10])]) == [int8([-127, 14])])
    #expect(
      try H.run("BitwiseXor", [Tensor(int64: [.min, 3], shape: [2]), Tensor(int64: [-1, 5], shape: [2])]) == [
        Tensor(int64: [.max, 6], shape: [2])
      ])
    #expect(H.failure("BitwiseAnd", [f([1]), f([1])]) != nil)
  }

  @Test("TruncateDiv and TruncateMod round toward zero; min / -1 wraps; integer division by zero refused")
  func truncation() throws {
    #expect(try H.run("TruncateDiv", [int8([-7, 7, -128]), int8([2, -2, -1])]) == [int8([-3, -3, -128])])
    #expect(try H.run("TruncateMod", [int8([-7, 7, -128]), int8([2, -2, -1])]) == [int8([-1, 1, 0])])
    #expect(H.failure("TruncateDiv", [Tensor(int32: [1], shape: [1]), Tensor(int32: [0], shape: [1])]) != nil)
    expectClose(
      try run("TruncateMod", [f([-7.5, .nan, .infinity]), f([2, 1, 1])]), [-1.5, .nan, .nan], "TruncateMod")
    expectClose(try run("TruncateDiv", [f([-7.5, 1]), f([2, 0])]), [-3, .infinity], "TruncateDiv")
  }

  @Test("AddN sums any number of tensors of one shape")
  func addN() throws {
    #expect(try H.run("AddN", [f([1, 2]), f([3, 4]), f([5, 6])]) == [f([9, 12])])
    #expect(H.failure("AddN", [f([1, 2]), f([3])]) != nil)
  }
}
