import Testing

@testable import TensorKernels

@Suite("InPlace")
struct InPlaceTests {
  /// Shapes where the second operand broadcasts into the first: per channel, scalar, same shape.
  static let cases: [([Int], [Int])] = [
    ([2, 3, 4, 37], [37]), ([2, 3, 4, 37], []), ([5, 9], [5, 9]), ([3, 1, 40], [1, 1, 40]),
  ]

  @Test("binary ops in place give exactly what the ordinary kernel gives, either operand owned")
  func binaryMatchesOrdinary() throws {
    for (index, (shape, other)) in Self.cases.enumerated() {
      let x = Tensor(float32: randomFloats(Shape.elementCount(shape), seed: UInt64(index)), shape: shape)
      let y = Tensor(
        float32: randomFloats(Shape.elementCount(other), seed: UInt64(index + 100)).map { $0 + 2 }, shape: other)
      for op in [BinaryOp.add, .sub, .mul, .realDiv, .squaredDifference] {
        var left = Tensor(float32: try x.floats(), shape: shape)  // a buffer of its own
        #expect(InPlace.apply(op, &left, y, xIsLeft: true))
        #expect(left == (try Elementwise.apply(op, x, y)), "\(op) \(shape) \(other)")
        var right = Tensor(float32: try x.floats(), shape: shape)
        #expect(InPlace.apply(op, &right, y, xIsLeft: false))
        #expect(right == (try Elementwise.apply(op, y, x)), "\(op) reversed \(shape) \(other)")
      }
    }
  }

  @Test("relu and relu6 in place match the ordinary kernel, NaN and tails included")
  func activations() throws {
    var values = randomFloats(1003, seed: 7).map { $0 * 10 }
    values[5] = .nan
    values[1001] = .nan
    let x = Tensor(float32: values, shape: [1003])
    for op in [UnaryOp.relu, .relu6, .neg] {
      var owned = Tensor(float32: values, shape: [1003])
      #expect(InPlace.apply(op, &owned))
      let expected = try Elementwise.apply(op, x).floats()
      let actual = try owned.floats()
      #expect(zip(actual, expected).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(op)")
    }
  }

  @Test("a shared buffer, another dtype or a growing shape is refused and left untouched")
  func refusals() throws {
    let original = Tensor(float32: [1, -2, 3, -4], shape: [2, 2])
    var shared = original  // same buffer as `original`
    #expect(!InPlace.apply(.add, &shared, Tensor(float32: [1], shape: [1])))
    #expect(!InPlace.apply(.relu, &shared))
    #expect(try original.floats() == [1, -2, 3, -4])
    #expect(try shared.floats() == [1, -2, 3, -4])

    var small = Tensor(float32: [1, 2], shape: [2])
    #expect(!InPlace.apply(.add, &small, Tensor(float32: [1, 2, 3, 4], shape: [2, 2])))
    #expect(try small.floats() == [1, 2])

    var integers = Tensor(int32: [1, 2], shape: [2])
    #expect(!InPlace.apply(.add, &integers, Tensor(int32: [1, 2], shape: [2])))
    var mixed = Tensor(float32: [1, 2], shape: [2])
    #expect(!InPlace.apply(.add, &mixed, Tensor(float64: [1, 2], shape: [2])))
  }
}
