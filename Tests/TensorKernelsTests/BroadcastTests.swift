import Testing

@testable import TensorKernels

@Suite("Broadcasting")
struct BroadcastTests {
  @Test("shapes align at the trailing dimension and size 1 expands")
  func shapes() throws {
    #expect(try Broadcast.shape([2, 1, 3], [4, 1]) == [2, 4, 3])
    #expect(try Broadcast.shape([], [5]) == [5])
    #expect(try Broadcast.shape([3, 1], [1, 4]) == [3, 4])
    #expect(try Broadcast.shape([0, 1], [1]) == [0, 1])
    #expect(try Broadcast.shape([2, 0], [1, 1]) == [2, 0])
    #expect(try Broadcast.shape(of: [[1, 3], [2, 1], [3]]) == [2, 3])
  }

  @Test("incompatible shapes throw an error naming both shapes")
  func incompatible() {
    #expect(throws: TensorError.incompatibleShapes(op: "Add", [2, 3], [4])) {
      try Broadcast.shape([2, 3], [4], op: "Add")
    }
    #expect(throws: TensorError.incompatibleShapes(op: "Broadcast", [0], [5])) {
      try Broadcast.shape([0], [5])
    }
    let error = TensorError.incompatibleShapes(op: "Add", [2, 3], [4])
    #expect(error.description == "Add: incompatible shapes [2, 3] and [4]")
  }

  @Test("[2, 1, 3] + [4, 1] gives every pairing in a [2, 4, 3] tensor")
  func middleBroadcast() throws {
    let a = Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [2, 1, 3])
    let b = Tensor(float32: [10, 20, 30, 40], shape: [4, 1])
    let sum = try Elementwise.apply(.add, a, b)
    #expect(sum.shape == [2, 4, 3])
    #expect(
      try sum.floats() == [
        11, 12, 13, 21, 22, 23, 31, 32, 33, 41, 42, 43,
        14, 15, 16, 24, 25, 26, 34, 35, 36, 44, 45, 46,
      ])
    let reversed = try Elementwise.apply(.sub, b, a)
    #expect(try reversed.floats()[0..<3] == [9, 8, 7])
  }

  @Test("a scalar operand on either side broadcasts to the other's shape")
  func scalarOperands() throws {
    let x = Tensor(int32: [1, 2, 3, 4], shape: [2, 2])
    let two = Tensor(int32: [2], shape: [])
    #expect(try Elementwise.apply(.mul, x, two).int32s() == [2, 4, 6, 8])
    #expect(try Elementwise.apply(.sub, two, x).int32s() == [1, 0, -1, -2])
    #expect(try Elementwise.apply(.add, two, two).shape == [])
  }

  @Test("size-1 dimensions broadcast both ways in an outer product")
  func outerProduct() throws {
    let column = Tensor(int64: [1, 2, 3], shape: [3, 1])
    let row = Tensor(int64: [10, 100], shape: [1, 2])
    let product = try Elementwise.apply(.mul, column, row)
    #expect(product.shape == [3, 2])
    #expect(try product.int64s() == [10, 100, 20, 200, 30, 300])
  }

  @Test("empty tensors broadcast to empty results")
  func emptyOperands() throws {
    let empty = Tensor(float32: [], shape: [0, 3])
    let row = Tensor(float32: [1, 2, 3], shape: [3])
    let result = try Elementwise.apply(.add, empty, row)
    #expect(result.shape == [0, 3])
    #expect(try result.floats() == [])
  }

  @Test("shape mismatches in elementwise ops throw before computing")
  func elementwiseMismatch() {
    let a = Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
    let b = Tensor(float32: [1, 2], shape: [2])
    #expect(throws: TensorError.incompatibleShapes(op: "Mul", [2, 3], [2])) {
      try Elementwise.apply(.mul, a, b)
    }
  }

  @Test("large broadcasts split across cores match a naive loop")
  func largeParallelBroadcast() throws {
    let aShape = [7, 1, 300, 5]
    let bShape = [33, 1, 5]
    let a = randomFloats(Shape.elementCount(aShape), seed: 1)
    let b = randomFloats(Shape.elementCount(bShape), seed: 2)
    let result = try Elementwise.apply(
      .add, Tensor(float32: a, shape: aShape), Tensor(float32: b, shape: bShape))
    #expect(result.shape == [7, 33, 300, 5])
    var expected: [Float] = []
    for i in 0..<7 {
      for j in 0..<33 {
        for k in 0..<300 {
          for l in 0..<5 { expected.append(a[(i * 300 + k) * 5 + l] + b[j * 5 + l]) }
        }
      }
    }
    #expect(try result.floats() == expected)
  }

  @Test("same-shape operands above the parallel threshold are added exactly")
  func largeSameShape() throws {
    let count = 200_003
    let a = randomFloats(count, seed: 3)
    let b = randomFloats(count, seed: 4)
    let result = try Elementwise.apply(
      .add, Tensor(float32: a, shape: [count]), Tensor(float32: b, shape: [count]))
    #expect(try result.floats() == zip(a, b).map { $0 + $1 })
  }
}
