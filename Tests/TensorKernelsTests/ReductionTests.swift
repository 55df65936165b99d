import Testing

@testable import TensorKernels

@Suite("Reductions")
struct ReductionTests {
  let matrix = Tensor(float32: [1, 2, 3, 4, 5, 6], shape: [2, 3])

  @Test("Sum over each axis, both axes, and a negative axis")
  func sum() throws {
    #expect(try Reduction.apply(.sum, matrix, axes: [0]).floats() == [5, 7, 9])
    #expect(try Reduction.apply(.sum, matrix, axes: [1]).floats() == [6, 15])
    #expect(try Reduction.apply(.sum, matrix, axes: [-1]).floats() == [6, 15])
    let all = try Reduction.apply(.sum, matrix, axes: [0, 1])
    #expect(all.shape == [])
    #expect(try all.floats() == [21])
  }

  @Test("keepDims keeps reduced axes with size 1")
  func keepDims() throws {
    let result = try Reduction.apply(.sum, matrix, axes: [1], keepDims: true)
    #expect(result.shape == [2, 1])
    #expect(try Reduction.apply(.max, matrix, axes: [0, 1], keepDims: true).shape == [1, 1])
  }

  @Test("Mean, Max, Min and Prod")
  func otherReductions() throws {
    #expect(try Reduction.apply(.mean, matrix, axes: [0]).floats() == [2.5, 3.5, 4.5])
    #expect(try Reduction.apply(.max, matrix, axes: [1]).floats() == [3, 6])
    #expect(try Reduction.apply(.min, matrix, axes: [0]).floats() == [1, 2, 3])
    #expect(try Reduction.apply(.prod, matrix, axes: [1]).floats() == [6, 120])
  }

  @Test("reducing middle or outer axes of a 3-D tensor keeps the right layout")
  func threeDimensional() throws {
    let x = Tensor(float64: (0..<24).map(Double.init), shape: [2, 3, 4])
    let outer = try Reduction.apply(.sum, x, axes: [0, 2])
    #expect(outer.shape == [3])
    #expect(try outer.doubles() == [60, 92, 124])
    let middle = try Reduction.apply(.sum, x, axes: [1])
    #expect(middle.shape == [2, 4])
    #expect(try middle.doubles() == [12, 15, 18, 21, 48, 51, 54, 57])
  }

  @Test("no axes, repeated axes and size-1 axes behave as in TensorFlow")
  func axisEdgeCases() throws {
    #expect(try Reduction.apply(.sum, matrix, axes: []) == matrix)
    #expect(try Reduction.apply(.sum, matrix, axes: [1, -1]).floats() == [6, 15])
    let column = Tensor(int32: [4, 5], shape: [2, 1])
    #expect(try Reduction.apply(.sum, column, axes: [1]).int32s() == [4, 5])
    #expect(
      throws: TensorError.invalidArgument(
        op: "Sum", reason: "axis 2 is out of range for a tensor of rank 2")
    ) {
      try Reduction.apply(.sum, matrix, axes: [2])
    }
  }

  @Test("reductions over empty axes give the identity of each op")
  func emptyReductions() throws {
    let empty = Tensor(float32: [], shape: [2, 0])
    #expect(try Reduction.apply(.sum, empty, axes: [1]).floats() == [0, 0])
    #expect(try Reduction.apply(.prod, empty, axes: [1]).floats() == [1, 1])
    #expect(try Reduction.apply(.max, empty, axes: [1]).floats() == [-.infinity, -.infinity])
    #expect(try Reduction.apply(.min, empty, axes: [1]).floats() == [.infinity, .infinity])
    #expect(try Reduction.apply(.mean, empty, axes: [1]).floats().allSatisfy { $0.isNaN })
    #expect(try Reduction.apply(.sum, empty, axes: [0]).shape == [0])
  }

  @Test("Max and Min propagate NaN")
  func nan() throws {
    let x = Tensor(float32: [1, .nan, 3, 4], shape: [2, 2])
    let maximum = try Reduction.apply(.max, x, axes: [1]).floats()
    #expect(maximum[0].isNaN)
    #expect(maximum[1] == 4)
    #expect(try Reduction.apply(.min, x, axes: [0]).floats()[1].isNaN)
  }

  @Test("integer reductions wrap, and integer Mean truncates toward zero")
  func integers() throws {
    let x = Tensor(int32: [1, 2, -1, -2], shape: [2, 2])
    #expect(try Reduction.apply(.mean, x, axes: [1]).int32s() == [1, -1])
    #expect(try Reduction.apply(.max, x, axes: [0]).int32s() == [1, 2])
    let big = Tensor(int32: [Int32.max, 1], shape: [2])
    #expect(try Reduction.apply(.sum, big, axes: [0]).int32s() == [Int32.min])
    let bytes = Tensor(uint8: [200, 100], shape: [2])
    #expect(try Reduction.apply(.mean, bytes, axes: [0]).uint8s() == [150])
    #expect(
      try Reduction.apply(.sum, Tensor(int64: [3, 4], shape: [2]), axes: [0]).int64s() == [7])
  }

  @Test("All and Any reduce bool tensors only")
  func boolReductions() throws {
    let flags = Tensor(bool: [true, false, true, true], shape: [2, 2])
    #expect(try Reduction.apply(.all, flags, axes: [1]).bools() == [false, true])
    #expect(try Reduction.apply(.any, flags, axes: [0]).bools() == [true, true])
    #expect(throws: TensorError.unsupportedDType(op: "All", .float32)) {
      try Reduction.apply(.all, matrix, axes: [0])
    }
    #expect(throws: TensorError.unsupportedDType(op: "Sum", .bool)) {
      try Reduction.apply(.sum, flags, axes: [0])
    }
  }

  @Test("every axis subset of a rank-4 tensor matches a naive reduction")
  func exhaustiveAxes() throws {
    let shape = [3, 4, 1, 5]
    let values = randomFloats(Shape.elementCount(shape), seed: 11)
    let x = Tensor(float32: values, shape: shape)
    let strides = [20, 5, 5, 1]
    for mask in 0..<16 {
      let axes = (0..<4).filter { mask & (1 << $0) != 0 }
      for op in [ReductionOp.sum, .max, .mean] {
        let result = try Reduction.apply(op, x, axes: axes, keepDims: true)
        let outputShape = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
        #expect(result.shape == outputShape)
        var expected = [Float](
          repeating: op == .max ? -.infinity : 0, count: Shape.elementCount(outputShape))
        var counts = [Int](repeating: 0, count: expected.count)
        let outputStrides = [
          outputShape[1] * outputShape[2] * outputShape[3], outputShape[2] * outputShape[3],
          outputShape[3], 1,
        ]
        for index in 0..<values.count {
          var remaining = index
          var outputIndex = 0
          for axis in 0..<4 {
            let coordinate = remaining / strides[axis]
            remaining %= strides[axis]
            if !axes.contains(axis) { outputIndex += coordinate * outputStrides[axis] }
          }
          if op == .max {
            expected[outputIndex] = Swift.max(expected[outputIndex], values[index])
          } else {
            expected[outputIndex] += values[index]
          }
          counts[outputIndex] += 1
        }
        if op == .mean { expected = zip(expected, counts).map { $0 / Float($1) } }
        expectClose(try result.floats(), expected, relative: 1e-5, absolute: 1e-6)
      }
    }
  }

  @Test("large reductions split across cores match a serial sum")
  func largeParallel() throws {
    let rows = 512
    let columns = 300
    let values = randomFloats(rows * columns, seed: 12)
    let x = Tensor(float32: values, shape: [rows, columns])
    let rowSums = try Reduction.apply(.sum, x, axes: [1]).floats()
    let columnSums = try Reduction.apply(.sum, x, axes: [0]).floats()
    var expectedRows = [Double](repeating: 0, count: rows)
    var expectedColumns = [Double](repeating: 0, count: columns)
    for r in 0..<rows {
      for c in 0..<columns {
        expectedRows[r] += Double(values[r * columns + c])
        expectedColumns[c] += Double(values[r * columns + c])
      }
    }
    expectClose(rowSums, expectedRows.map { Float($0) }, relative: 1e-6, absolute: 1e-6)
    expectClose(columnSums, expectedColumns.map { Float($0) }, relative: 1e-6, absolute: 1e-6)
  }

  @Test("ArgMax and ArgMin return the first extreme index as int64")
  func argReductions() throws {
    let x = Tensor(float32: [1, 5, 5, 7, 2, 7], shape: [2, 3])
    let argMax = try Reduction.argMax(x, axis: 1)
    #expect(argMax.dtype == .int64)
    #expect(try argMax.int64s() == [1, 0])
    #expect(try Reduction.argMax(x, axis: 0).int64s() == [1, 0, 1])
    #expect(try Reduction.argMin(x, axis: -1).int64s() == [0, 1])
    #expect(try Reduction.argMin(x, axis: 0, outputType: .int32).int32s() == [0, 1, 0])
    let ints = Tensor(int32: [3, 9, 9, -1], shape: [4])
    let scalar = try Reduction.argMax(ints, axis: 0)
    #expect(scalar.shape == [])
    #expect(try scalar.int64s() == [1])
  }

  /// Expected values from TensorFlow 2.21 (`tf.argmax`/`tf.argmin` on the CPU).
  @Test("ArgMax and ArgMin skip NaN as TensorFlow does, and reject empty axes")
  func argReductionEdgeCases() throws {
    let x = Tensor(float32: [1, .nan, 3, .nan], shape: [4])
    #expect(try Reduction.argMax(x, axis: 0).int64s() == [2])
    #expect(try Reduction.argMin(x, axis: 0).int64s() == [0])
    let rows = Tensor(float32: [1, .nan, 3, .nan, .nan, .nan, -1, .nan, -2], shape: [3, 3])
    #expect(try Reduction.argMax(rows, axis: 1).int64s() == [2, 0, 0])
    #expect(try Reduction.argMin(rows, axis: 1).int64s() == [0, 0, 2])
    let leadingNaN = Tensor(float32: [.nan, 1, 2], shape: [3])
    #expect(try Reduction.argMax(leadingNaN, axis: 0).int64s() == [2])
    #expect(try Reduction.argMin(leadingNaN, axis: 0).int64s() == [1])
    // Nothing beats the start (the lowest finite value): index 0.
    #expect(try Reduction.argMax(Tensor(float32: [.nan, -.infinity, .nan], shape: [3]), axis: 0).int64s() == [0])
    #expect(try Reduction.argMin(Tensor(float32: [.nan, .infinity, .nan], shape: [3]), axis: 0).int64s() == [0])
    #expect(try Reduction.argMax(Tensor(float16: [.nan, 1, 2], shape: [3]), axis: 0).int64s() == [2])
    #expect(try Reduction.argMax(Tensor(int32: [3, 3, 1], shape: [3]), axis: 0).int64s() == [0])
    #expect(try Reduction.argMin(Tensor(int32: [1, 3, 1], shape: [3]), axis: 0).int64s() == [0])
    #expect(try Reduction.argMax(Tensor(int8: [.min, .min], shape: [2]), axis: 0).int64s() == [0])
    #expect(throws: TensorError.self) {
      try Reduction.argMax(Tensor(float32: [], shape: [2, 0]), axis: 1)
    }
    #expect(throws: TensorError.self) { try Reduction.argMax(x, axis: 1) }
    #expect(throws: TensorError.self) { try Reduction.argMax(x, axis: 0, outputType: .float32) }
  }
}
