import RegistryTestSupport
import Testing

@testable import TensorKernels

@Suite("Rearrange")
struct RearrangeTests {
  /// Element at `index` of a row-major `shape`.
  static func coordinates(_ index: Int, _ shape: [Int]) -> [Int] {
    var remainder = index
    var result = [Int](repeating: 0, count: shape.count)
    for axis in shape.indices.reversed() {
      result[axis] = remainder % shape[axis]
      remainder /= shape[axis]
    }
    return result
  }

  static func offset(_ position: [Int], _ shape: [Int]) -> Int {
    zip(position, Shape.strides(shape)).reduce(0) { $0 + $1.0 * $1.1 }
  }

  @Test("permute matches a naive index loop for every element size, strings included")
  func permuteMatchesNaive() throws {
    var generator = SeededGenerator(seed: 3)
    for shape in [[2, 3], [2, 3, 4], [1, 5, 1, 3], [3, 1, 4, 2, 2], [7]] {
      for _ in 0..<6 {
        let permutation = Array(shape.indices).shuffled(using: &generator)
        let count = Shape.elementCount(shape)
        let values = (0..<count).map { Int32($0) }
        let permutedShape = permutation.map { shape[$0] }
        let expected = (0..<count).map { index -> Int32 in
          let position = Self.coordinates(index, permutedShape)
          var source = [Int](repeating: 0, count: shape.count)
          for (axis, from) in permutation.enumerated() { source[from] = position[axis] }
          return values[Self.offset(source, shape)]
        }
        let context = "\(shape) \(permutation)"
        #expect(
          try Rearrange.permute(Tensor(int32: values, shape: shape), permutation)
            == Tensor(int32: expected, shape: permutedShape), "\(context)")
        #expect(
          try Rearrange.permute(Tensor(int8: values.map { Int8(truncatingIfNeeded: $0) }, shape: shape), permutation)
            == Tensor(int8: expected.map { Int8(truncatingIfNeeded: $0) }, shape: permutedShape), "\(context)")
        #expect(
          try Rearrange.permute(Tensor(int16: values.map { Int16($0) }, shape: shape), permutation)
            == Tensor(int16: expected.map { Int16($0) }, shape: permutedShape), "\(context)")
        #expect(
          try Rearrange.permute(Tensor(float64: values.map { Double($0) }, shape: shape), permutation)
            == Tensor(float64: expected.map { Double($0) }, shape: permutedShape), "\(context)")
        #expect(
          try Rearrange.permute(Tensor(strings: values.map { "s\($0)" }, shape: shape), permutation)
            == Tensor(strings: expected.map { "s\($0)" }, shape: permutedShape), "\(context)")
      }
    }
    #expect(throws: TensorError.self) { try Rearrange.permute(Tensor(int32: [1, 2], shape: [2, 1]), [0, 0]) }
  }

  @Test("slice takes strided, reversed and empty selections, and refuses ones that leave the tensor")
  func slices() throws {
    let x = Tensor(float32: (0..<24).map(Float.init), shape: [2, 3, 4])
    // x[1, ::-1, 1:4:2]
    let picked = try Rearrange.slice(x, begin: [1, 2, 1], strides: [1, -1, 2], shape: [1, 3, 2])
    #expect(picked == Tensor(float32: [21, 23, 17, 19, 13, 15], shape: [1, 3, 2]))
    // A large copy spread across cores: every other row of a 300×257 matrix, whole rows.
    let big = Tensor(float32: (0..<(300 * 257)).map(Float.init), shape: [300, 257])
    let rows = try Rearrange.slice(big, begin: [1, 0], strides: [2, 1], shape: [150, 257])
    var expected: [Float] = []
    for row in 0..<150 {
      for column in 0..<257 { expected.append(Float((2 * row + 1) * 257 + column)) }
    }
    #expect(try rows.floats() == expected)
    #expect(try Rearrange.slice(x, begin: [0, 0, 0], strides: [1, 1, 1], shape: [2, 0, 4]).shape == [2, 0, 4])
    #expect(throws: TensorError.self) {
      try Rearrange.slice(x, begin: [0, 2, 0], strides: [1, 1, 1], shape: [1, 2, 4])
    }
    #expect(throws: TensorError.self) {
      try Rearrange.slice(x, begin: [0, 0, 0], strides: [1, -1, 1], shape: [1, 2, 4])
    }
  }

  @Test("gather picks rows (or inner slices) by index, strings too, and names a bad index")
  func gather() throws {
    let table = Tensor(float32: (0..<12).map(Float.init), shape: [4, 3])
    #expect(
      try Rearrange.gather(table, indices: [3, 0, 3], indexShape: [3], axis: 0)
        == Tensor(float32: [9, 10, 11, 0, 1, 2, 9, 10, 11], shape: [3, 3]))
    #expect(
      try Rearrange.gather(table, indices: [2, 1, 0, 2], indexShape: [2, 2], axis: 1)
        == Tensor(float32: [2, 1, 0, 2, 5, 4, 3, 5, 8, 7, 6, 8, 11, 10, 9, 11], shape: [4, 2, 2]))
    let words = Tensor(strings: ["a", "b", "c"], shape: [3])
    #expect(
      try Rearrange.gather(words, indices: [2, 2, 0], indexShape: [3], axis: 0)
        == Tensor(strings: ["c", "c", "a"], shape: [3]))
    #expect(try Rearrange.gather(table, indices: [], indexShape: [0], axis: 0).shape == [0, 3])
    do {
      _ = try Rearrange.gather(table, indices: [1, 4], indexShape: [2], axis: 0)
      Issue.record("index 4 of 4 rows was accepted")
    } catch {
      #expect("\(error)".contains("index 4"))
    }
  }

  @Test("concatenate joins along any axis, with empty parts, and refuses mismatched shapes")
  func concatenate() throws {
    let a = Tensor(int32: [1, 2, 3, 4], shape: [2, 2])
    let b = Tensor(int32: [5, 6], shape: [2, 1])
    let empty = Tensor(int32: [], shape: [2, 0])
    #expect(try Rearrange.concatenate([a, empty, b], axis: 1) == Tensor(int32: [1, 2, 5, 3, 4, 6], shape: [2, 3]))
    #expect(try Rearrange.concatenate([a, a], axis: 0) == Tensor(int32: [1, 2, 3, 4, 1, 2, 3, 4], shape: [4, 2]))
    #expect(
      try Rearrange.concatenate(
        [Tensor(strings: ["x"], shape: [1]), Tensor(strings: ["y", "z"], shape: [2])], axis: 0)
        == Tensor(strings: ["x", "y", "z"], shape: [3]))
    #expect(throws: TensorError.self) { try Rearrange.concatenate([a, b], axis: 0) }
    #expect(throws: TensorError.self) {
      try Rearrange.concatenate([a, Tensor(float32: [1, 2], shape: [2, 1])], axis: 1)
    }
  }

  @Test("pad surrounds each axis with the constant, and refuses bad paddings")
  func pad() throws {
    let x = Tensor(int32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
    let padded = try Rearrange.pad(x, before: [1, 0], after: [0, 2], constant: Tensor(int32: [9], shape: []))
    #expect(padded == Tensor(int32: [9, 9, 9, 9, 9, 1, 2, 3, 9, 9, 4, 5, 6, 9, 9], shape: [3, 5]))
    let zeros = try Rearrange.pad(
      Tensor(float32: [1, 2], shape: [1, 2, 1]), before: [0, 1, 1], after: [1, 0, 0],
      constant: Tensor(float32: [0], shape: []))
    #expect(zeros == Tensor(float32: [0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0], shape: [2, 3, 2]))
    #expect(
      try Rearrange.pad(
        Tensor(float32: [7], shape: []), before: [], after: [], constant: Tensor(float32: [0], shape: []))
        == Tensor(float32: [7], shape: []))
    #expect(throws: TensorError.self) {
      try Rearrange.pad(x, before: [-1, 0], after: [0, 0], constant: Tensor(int32: [0], shape: []))
    }
    #expect(throws: TensorError.self) {
      try Rearrange.pad(x, before: [0, 0], after: [0, 0], constant: Tensor(float32: [0], shape: []))
    }
  }
}
